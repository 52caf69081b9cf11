"""The card step of the case page after the desk agent stopped (§2, §16; issue 6).

The agent's answers are recorded through jpki_ops' own service functions, as its
HTTP calls do (the real agent runs in tests/jpki and tests/e2e).
"""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from counter.models import Case
from jpki_ops.models import CardOperation
from tests import factories as f

pytestmark = pytest.mark.django_db

AGENT = "screens-test-agent"


def _at_the_card_step(procedure: str, resident: Any, card: Any, desk: Any, clerk: Any):
    """Opened by the holder, the card and a passport shown: the card step is next."""
    return f.CaseFactory(
        resident=resident,
        card=card,
        office=desk.office,
        clerk=clerk,
        desk=desk,
        procedure=procedure,
        pin_kinds=["authentication"],
        shown=[
            {"code": "my_number_card", "owner": "holder"},
            {"code": "passport", "owner": "holder"},
        ],
    )


def _agent_fails(desk: Any, code: str) -> CardOperation:
    from jpki_ops.services import card_operation_claim, card_operation_fail

    op = card_operation_claim(desk=desk, agent_session=AGENT)
    assert op is not None
    return card_operation_fail(
        operation_id=op.pk, desk=desk, agent_session=AGENT, code=code, message=code
    )


def _page(client: Any, case: Case) -> str:
    return client.get(reverse("counter:case", args=[case.reference])).content.decode()


def test_the_last_try_box_appears_after_the_agent_stopped_and_is_passed_on(
    clerk_client: Any, tanaka: Any, card_with_certificates: Any, desk: Any, clerk: Any
) -> None:
    case = _at_the_card_step("pin_change", tanaka, card_with_certificates, desk, clerk)
    card_url = reverse("counter:card", args=[case.reference])
    assert 'name="confirm_last_try"' not in _page(clerk_client, case)
    clerk_client.post(card_url, {"idempotency_key": "k1"})
    first = CardOperation.objects.get(case=case)
    assert "confirm_last_try" not in first.parameters
    _agent_fails(desk, "pin-last-try-unconfirmed")

    page = _page(clerk_client, case)
    assert 'name="confirm_last_try"' in page
    with translation.override("ja"):
        label = translation.gettext("Warned the resident: this is the last try")
    assert html.escape(label) in page

    clerk_client.post(card_url, {"idempotency_key": "k2", "confirm_last_try": "1"})
    second = CardOperation.objects.filter(case=case).exclude(pk=first.pk).get()
    assert second.parameters["confirm_last_try"] is True
    case.refresh_from_db()
    assert case.state == "card_operation"


def test_the_box_is_not_offered_after_other_faults(
    clerk_client: Any, tanaka: Any, card_with_certificates: Any, desk: Any, clerk: Any
) -> None:
    case = _at_the_card_step("pin_change", tanaka, card_with_certificates, desk, clerk)
    clerk_client.post(
        reverse("counter:card", args=[case.reference]), {"idempotency_key": "k1"}
    )
    _agent_fails(desk, "pin-wrong")
    assert 'name="confirm_last_try"' not in _page(clerk_client, case)


def test_someone_elses_card_refused_at_the_desk_is_explained(
    clerk_client: Any, tanaka: Any, card_with_certificates: Any, desk: Any, clerk: Any
) -> None:
    case = _at_the_card_step("pin_reset", tanaka, card_with_certificates, desk, clerk)
    clerk_client.post(
        reverse("counter:card", args=[case.reference]), {"idempotency_key": "k1"}
    )
    op = CardOperation.objects.get(case=case)
    assert (
        op.parameters["expected_card_fingerprint"]
        == card_with_certificates.auth_key_fingerprint
    )
    _agent_fails(desk, "card-not-holders")

    page = _page(clerk_client, case)
    with translation.override("ja"):
        message = translation.gettext(
            "This card belongs to someone else. Check the card in the reader."
        )
    assert 'data-error-code="card-not-holders"' in page
    assert html.escape(message) in page
    assert 'id="card-form"' in page  # the clerk can try again with the right card
    case.refresh_from_db()
    assert case.state == "documents_checked"
