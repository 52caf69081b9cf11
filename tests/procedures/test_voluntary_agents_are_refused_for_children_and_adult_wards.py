"""§6.5: a voluntary agent (任意代理人) does not act for a child under 15 or an adult
ward (成年被後見人). The inquiry letter of §6.2 would go to the child or the ward,
who may not answer it; the legal representative applies at the counter instead.
Each refusal names the rule in Japanese, opens nothing, sends no letter and is
audited."""

from __future__ import annotations

import pytest
from django.utils import translation

from counter.errors import ApplicationError
from counter.letters.models import InquiryLetter
from counter.models import AuditEvent, Case
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("trait", "code", "words"),
    [
        ("under_15", "voluntary-agent-for-child-under-15", "15歳未満"),
        ("adult_ward", "voluntary-agent-for-adult-ward", "成年被後見人"),
    ],
)
@pytest.mark.parametrize(
    ("procedure", "fields"),
    [
        ("pin_reset", {"pin_kinds": ["authentication"]}),
        ("pin_change", {"pin_kinds": ["resident_register"]}),
        ("cert_issue", {"certificate_kinds": ["authentication"]}),
    ],
)
def test_a_voluntary_agent_is_refused_for_a_child_under_15_or_an_adult_ward(
    city, clerk, desk, counter_case, trait, code, words, procedure, fields
):
    person = f.ResidentFactory(municipality=city, **{trait: True})
    card = f.CardFactory(resident=person)
    with pytest.raises(ApplicationError) as exc:
        counter_case(
            resident=person,
            card=card,
            procedure=procedure,
            applicant_role="voluntary_agent",
            **fields,
        )
    assert exc.value.code == code
    with translation.override("ja"):
        message = str(exc.value.message)
    assert words in message and "法定代理人" in message and "§6.5" in message
    refused = AuditEvent.objects.get(action="case_open_refused")
    assert refused.data["code"] == code and refused.actor == clerk
    assert not Case.objects.exists()
    assert not InquiryLetter.objects.exists()


def test_the_legal_representative_of_the_same_child_is_received(
    city, clerk, desk, counter_case
):
    child = f.ResidentFactory(municipality=city, under_15=True)
    card = f.CardFactory(resident=child)
    case = counter_case(
        resident=child,
        card=card,
        procedure="pin_reset",
        pin_kinds=["authentication"],
        applicant_role="legal_representative",
    )
    assert case.state == "received"


def test_a_voluntary_agent_for_a_15_year_old_is_still_received(
    city, clerk, desk, counter_case
):
    """The bar is for under-15s and adult wards only; 15–17 may use an agent."""
    teen = f.ResidentFactory(municipality=city, minor_15_17=True)
    card = f.CardFactory(resident=teen)
    case = counter_case(
        resident=teen,
        card=card,
        procedure="pin_reset",
        pin_kinds=["authentication"],
        applicant_role="voluntary_agent",
    )
    assert case.state == "received"
