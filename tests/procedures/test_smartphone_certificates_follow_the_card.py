"""§12.1: smartphone certificates (スマホ用電子証明書) as the counter sees them —
recorded from J-LIS's status query, held by the suspension, revoked with the card
certificate of their kind (a change of the four items, a lifting, a renewal), and
the clerk told on completing a renewal that the phone must be registered again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from counter.constants import (
    CertificateStatus,
    SmartphoneCertificateStatus,
    SuspensionLiftRule,
)
from counter.errors import ApplicationError
from counter.models import AuditEvent, MunicipalProfile
from counter.models.residents import SmartphoneCertificate
from counter.screens.case_notices import smartphone_notice
from counter.screens.common import DESK_SESSION_KEY
from counter.services.register_events import register_event_apply
from counter.services.suspensions import suspension_lift, suspension_record
from jpki_ops.issuer.gateway import get_issuer
from jpki_ops.issuer.types import CertificateMedium

from .conftest import holder_card
from .helpers import finish, run_card_work, show
from .jlis_holder import HOLDER, both_on_card, issuer_card_id

pytestmark = pytest.mark.django_db


def _register_phone(card, platform="android", at=None):
    return get_issuer().simulate_smartphone_registered(
        card_id=issuer_card_id(card), platform=platform, holder=HOLDER, at=at
    )


def _phones(card):
    return {p.kind: p for p in SmartphoneCertificate.objects.filter(card=card)}


def _recorded(card, counter_case, procedure="pin_change", **kw):
    """Reception asks J-LIS (§9.1) and records the phone's certificates."""
    kw.setdefault("pin_kinds", ["authentication"])
    case = counter_case(procedure=procedure, **kw)
    return case, _phones(card)


def test_reception_records_the_smartphone_certificates_jlis_reports(card, counter_case):
    both_on_card(card)
    issued = _register_phone(card, "iphone")
    assert {i.medium for i in issued} == {CertificateMedium.SMARTPHONE}
    _, phones = _recorded(card, counter_case)
    assert set(phones) == {"signing", "authentication"}
    assert {p.platform for p in phones.values()} == {"iphone"}
    assert {p.status for p in phones.values()} == {SmartphoneCertificateStatus.ACTIVE}
    assert (
        AuditEvent.objects.filter(action="smartphone_certificate_recorded").count() == 2
    )


def test_the_call_centre_suspension_holds_the_smartphone_certificates(
    card, clerk, counter_case
):
    both_on_card(card)
    _register_phone(card)
    _recorded(card, counter_case)
    suspension_record(card=card, actor=clerk)
    phones = _phones(card)
    assert {p.status for p in phones.values()} == {
        SmartphoneCertificateStatus.SUSPENDED
    }
    at_issuer = get_issuer().status_by_card(card_id=issuer_card_id(card))
    phone_signing = next(
        r for r in at_issuer if r.medium == "smartphone" and r.kind == "signing"
    )
    assert phone_signing.state == "suspended"  # J-LIS holds it too


def test_a_change_of_the_four_items_revokes_the_smartphone_signing_certificate(
    city, resident, card, counter_case
):
    both_on_card(card)
    _register_phone(card)
    _recorded(card, counter_case)
    register_event_apply(
        municipality=city,
        event_id="ev-phone",
        kind="basic_items_changed",
        register_id=resident.register_id,
        occurred_on=dt.date(2026, 11, 20),
        changes={"address": "神奈川県厚木市旭町2-2-2"},
    )
    phones = _phones(card)
    assert phones["signing"].status == SmartphoneCertificateStatus.REVOKED
    assert phones["signing"].status_reason == "basic_items_changed"
    assert phones["authentication"].status == SmartphoneCertificateStatus.ACTIVE


@pytest.mark.parametrize(
    ("rule", "auth_after"),
    [
        (SuspensionLiftRule.JLIS_REVOKE_BOTH, SmartphoneCertificateStatus.REVOKED),
        (
            SuspensionLiftRule.CITY_RESTORE_AUTHENTICATION,
            SmartphoneCertificateStatus.ACTIVE,
        ),
    ],
)
def test_lifting_treats_the_smartphone_certificates_as_their_card_counterparts(
    rule, auth_after, city, card, clerk, desk, agent, counter_case
):
    MunicipalProfile.objects.filter(municipality=city).update(suspension_lift_rule=rule)
    both_on_card(card)
    _register_phone(card)
    _recorded(card, counter_case)
    suspension_record(card=card, actor=clerk)
    card.refresh_from_db()
    case = counter_case(procedure="suspension_lift")
    case = run_card_work(show(case, clerk, desk, holder_card()), clerk, desk, agent)
    suspension_lift(case=case, actor=clerk, desk=desk)
    phones = _phones(card)
    assert phones["signing"].status == SmartphoneCertificateStatus.REVOKED
    assert phones["authentication"].status == auth_after


def test_after_a_renewal_the_clerk_is_told_to_register_the_phone_again(
    card, clerk, desk, agent, counter_case
):
    signing, auth = both_on_card(card)
    for row in (signing, auth):  # inside the renewal window
        row.expires_on = dt.date.today() + dt.timedelta(days=40)
        row.save()
    _register_phone(card)
    case, _ = _recorded(
        card,
        counter_case,
        procedure="cert_renew",
        pin_kinds=[],
        certificate_kinds=["signing", "authentication"],
    )
    assert smartphone_notice(case) == ""  # not before completion
    case = finish(show(case, clerk, desk, holder_card()), clerk, desk, agent)
    assert case.state == "completed"
    phones = _phones(card)
    assert {p.status for p in phones.values()} == {SmartphoneCertificateStatus.REVOKED}
    assert {p.status_reason for p in phones.values()} == {"superseded"}
    notice = smartphone_notice(case)
    assert "§12.1" in notice and "再登録" in notice
    signing.refresh_from_db()
    assert signing.status == CertificateStatus.REVOKED


def test_a_holder_without_a_phone_gets_no_reregistration_notice(
    card, clerk, desk, agent, counter_case
):
    signing, auth = both_on_card(card)
    for row in (signing, auth):
        row.expires_on = dt.date.today() + dt.timedelta(days=40)
        row.save()
    case = counter_case(procedure="cert_renew", certificate_kinds=["signing"])
    case = finish(show(case, clerk, desk, holder_card()), clerk, desk, agent)
    assert smartphone_notice(case) == ""


def test_a_new_phone_revokes_the_one_registered_before(card, counter_case):
    both_on_card(card)
    _register_phone(card, "android")
    _recorded(card, counter_case)
    # The next phone a day later (the procedure tests' clock stands still, and
    # J-LIS knows a phone certificate by its card, kind and registration time).
    _register_phone(card, "iphone", at=timezone.now() + dt.timedelta(days=1))
    counter_case(procedure="pin_reset", pin_kinds=["authentication"])
    by_platform = {
        (p.platform, p.kind): p.status
        for p in SmartphoneCertificate.objects.filter(card=card)
    }
    assert by_platform[("android", "signing")] == SmartphoneCertificateStatus.REVOKED
    assert by_platform[("iphone", "signing")] == SmartphoneCertificateStatus.ACTIVE


def test_jlis_refuses_an_iphone_before_june_2025_and_a_card_without_signing(card):
    both_on_card(card)
    with pytest.raises(ApplicationError) as exc:
        get_issuer().simulate_smartphone_registered(
            card_id=issuer_card_id(card),
            platform="iphone",
            holder=HOLDER,
            at=dt.datetime(2025, 6, 1, tzinfo=dt.UTC),
        )
    assert exc.value.code == "smartphone-platform-not-offered"
    signing = next(
        r
        for r in get_issuer().status_by_card(card_id=issuer_card_id(card))
        if r.kind == "signing"
    )
    get_issuer().simulate_revoked_at_home(serial=signing.serial)
    with pytest.raises(ApplicationError) as exc:
        _register_phone(card)
    assert exc.value.code == "smartphone-needs-signing-certificate"


def test_the_reception_screen_lists_the_residents_smartphone_certificates(
    resident, card, clerk, desk, counter_case, client
):
    both_on_card(card)
    _register_phone(card, "iphone")
    _recorded(card, counter_case)
    client.force_login(clerk)
    session = client.session
    session[DESK_SESSION_KEY] = desk.pk
    session.save()
    page = client.get(reverse("counter:case-new", args=[resident.pk])).content
    text = page.decode()
    assert 'data-testid="smartphone-certificates"' in text
    assert "スマホ用電子証明書" in text and "iPhone" in text
