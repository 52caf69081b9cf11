"""§10.2: the sources conflict on the certificates on hold when a found card's
suspension is lifted; the municipal profile names the rule (J-LIS's by default)
and the clerk's case page says which one completing the case applies."""

from __future__ import annotations

import pytest
from django.urls import reverse

from counter.constants import (
    CardStatus,
    CertificateStatus,
    CertificateStatusReason,
    SuspensionLiftRule,
)
from counter.models import AuditEvent, MunicipalProfile
from counter.screens.case_notices import lift_rule_notice
from counter.screens.common import DESK_SESSION_KEY
from counter.services.suspensions import suspension_lift, suspension_record
from tests import factories as f

from .conftest import holder_card
from .helpers import run_card_work, show

pytestmark = pytest.mark.django_db


def _lift(card, clerk, desk, agent, counter_case):
    suspension_record(card=card, actor=clerk)
    card.refresh_from_db()
    case = counter_case(procedure="suspension_lift")
    case = run_card_work(show(case, clerk, desk, holder_card()), clerk, desk, agent)
    return suspension_lift(case=case, actor=clerk, desk=desk)


def test_the_safe_default_is_jlis_rule_both_certificates_on_hold_are_revoked(
    city, card, clerk, desk, agent, counter_case
):
    assert city.profile.suspension_lift_rule == SuspensionLiftRule.JLIS_REVOKE_BOTH
    signing = f.CertificateFactory(card=card)
    auth = f.CertificateFactory(card=card, authentication=True)
    case = _lift(card, clerk, desk, agent, counter_case)
    card.refresh_from_db()
    signing.refresh_from_db()
    auth.refresh_from_db()
    assert card.status == CardStatus.ACTIVE
    assert signing.status == auth.status == CertificateStatus.REVOKED
    assert auth.status_reason == CertificateStatusReason.KEY_COMPROMISE
    entry = AuditEvent.objects.get(action="card_suspension_lifted", case=case)
    assert entry.data["rule"] == SuspensionLiftRule.JLIS_REVOKE_BOTH


def test_under_the_cities_rule_the_user_authentication_certificate_is_restored(
    city, card, clerk, desk, agent, counter_case
):
    MunicipalProfile.objects.filter(municipality=city).update(
        suspension_lift_rule=SuspensionLiftRule.CITY_RESTORE_AUTHENTICATION
    )
    signing = f.CertificateFactory(card=card)
    auth = f.CertificateFactory(card=card, authentication=True)
    case = _lift(card, clerk, desk, agent, counter_case)
    signing.refresh_from_db()
    auth.refresh_from_db()
    assert signing.status == CertificateStatus.REVOKED
    assert auth.status == CertificateStatus.ACTIVE
    entry = AuditEvent.objects.get(action="card_suspension_lifted", case=case)
    assert entry.data["rule"] == SuspensionLiftRule.CITY_RESTORE_AUTHENTICATION


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        (SuspensionLiftRule.JLIS_REVOKE_BOTH, "J-LIS の案内"),
        (SuspensionLiftRule.CITY_RESTORE_AUTHENTICATION, "市町村の案内"),
    ],
)
def test_the_clerks_case_page_names_the_rule_that_applies(
    rule, words, city, card, clerk, desk, counter_case, client
):
    MunicipalProfile.objects.filter(municipality=city).update(suspension_lift_rule=rule)
    f.CertificateFactory(card=card)
    suspension_record(card=card, actor=clerk)
    card.refresh_from_db()
    case = counter_case(procedure="suspension_lift")
    client.force_login(clerk)
    session = client.session
    session[DESK_SESSION_KEY] = desk.pk
    session.save()
    page = client.get(reverse("counter:case", args=[case.reference])).content
    text = page.decode()
    assert words in text and "§10.2" in text
    assert lift_rule_notice(case)


def test_a_case_of_another_procedure_gets_no_lifting_notice(card, counter_case):
    f.CertificateFactory(card=card)
    case = counter_case(procedure="pin_reset", pin_kinds=["signing"])
    assert lift_rule_notice(case) == ""
