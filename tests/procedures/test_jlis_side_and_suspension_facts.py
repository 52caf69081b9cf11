"""The J-LIS side of a card (§9.1), lifting as three facts (§10.1) and no signing
password without a signing certificate (§2.1) — issue 13, points 1, 6 and 7."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from counter.constants import (
    CardStatus,
    CertificateStatus,
    CertificateStatusReason,
    SuspensionLiftRule,
)
from counter.errors import ApplicationError
from counter.models import AuditEvent, Case, MunicipalProfile
from counter.services.case_opening import case_open
from counter.services.suspensions import suspension_lift, suspension_record
from jpki_ops.issuer.gateway import HolderAttributes, get_issuer
from tests import factories as f

from .conftest import audit_actions, holder_card
from .helpers import run_card_work, show

pytestmark = pytest.mark.django_db

CARD_ID = "0011223344556677"


def _issued(card, kind="signing"):
    """A certificate the simulated J-LIS really issued to ``card``, and its row."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    issued = get_issuer().issue_certificate(
        kind=kind,
        public_key_der=key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
        card_id=CARD_ID,
        not_after=dt.datetime.now(dt.UTC) + dt.timedelta(days=900),
        holder=HolderAttributes(
            name="見本 太郎",
            address="神奈川県厚木市中町3-17-17",
            birth_date=dt.date(1980, 1, 1),
            gender="1",
        )
        if kind == "signing"
        else None,
    )
    serial = f"{issued.serial:x}" if kind == "signing" else ""
    return issued, f.CertificateFactory(card=card, kind=kind, serial_number=serial)


def test_lifting_revokes_the_signing_certificate_on_hold_and_a_new_one_may_be_issued(
    resident, card, office, clerk, desk, agent, counter_case
):
    """§10.1: no source restores the signing certificate; a new one is not
    refused as already valid."""
    signing = f.CertificateFactory(card=card)
    auth = f.CertificateFactory(card=card, authentication=True)
    suspension_record(card=card, actor=clerk)
    card.refresh_from_db()
    case = counter_case(procedure="suspension_lift")
    case = run_card_work(show(case, clerk, desk, holder_card()), clerk, desk, agent)
    suspension_lift(case=case, actor=clerk, desk=desk)
    card.refresh_from_db()
    signing.refresh_from_db()
    auth.refresh_from_db()
    assert card.status == CardStatus.ACTIVE
    assert signing.status == CertificateStatus.REVOKED
    assert signing.status_reason == CertificateStatusReason.KEY_COMPROMISE
    assert auth.status == CertificateStatus.REVOKED  # J-LIS's rule, §10.2
    new = case_open(
        resident=resident,
        office=office,
        procedure="cert_issue",
        applicant_role="holder",
        actor=clerk,
        desk=desk,
        card=card,
        certificate_kinds=["signing"],
    )
    assert new.state != "refused"


def test_lifting_revokes_the_user_authentication_certificate_jlis_shows_revoked(
    resident, card, clerk, desk, agent, counter_case
):
    """§10.1 / §9.1: the user-authentication certificate follows the issuer, also
    where the city restores it on lifting (§10.2)."""
    MunicipalProfile.objects.filter(municipality=resident.municipality).update(
        suspension_lift_rule=SuspensionLiftRule.CITY_RESTORE_AUTHENTICATION
    )
    signing_info, signing = _issued(card)
    auth_info, auth = _issued(card, kind="authentication")
    suspension_record(card=card, actor=clerk)
    get_issuer().simulate_revoked_at_home(serial=auth_info.serial)
    card.refresh_from_db()
    case = counter_case(procedure="suspension_lift")
    case = run_card_work(show(case, clerk, desk, holder_card()), clerk, desk, agent)
    suspension_lift(case=case, actor=clerk, desk=desk)
    auth.refresh_from_db()
    signing.refresh_from_db()
    assert auth.status == CertificateStatus.REVOKED
    assert signing.status == CertificateStatus.REVOKED
    assert get_issuer().status(serial=signing_info.serial).state == "revoked"
    assert "certificate_revoked_at_issuer" in audit_actions()


def test_a_certificate_revoked_at_home_does_not_block_a_new_one(
    resident, card, office, clerk, desk
):
    """§9.1: the resident revoked with the 利用者クライアントソフト; the local row
    said active, the issuer says revoked, and the issuer wins."""
    info, signing = _issued(card)
    get_issuer().simulate_revoked_at_home(serial=info.serial)
    case = case_open(
        resident=resident,
        office=office,
        procedure="cert_issue",
        applicant_role="holder",
        actor=clerk,
        desk=desk,
        card=card,
        certificate_kinds=["signing"],
    )
    signing.refresh_from_db()
    assert signing.status == CertificateStatus.REVOKED
    assert signing.status_reason == CertificateStatusReason.HOLDER_REQUEST
    assert case.procedure == "cert_issue"
    entry = AuditEvent.objects.get(action="certificate_revoked_at_issuer")
    assert entry.data["kind"] == "signing"


def test_the_issuer_answers_a_status_query_by_card(card):
    """§9.1: the gateway's status query by card, answered from J-LIS's records."""
    first, _ = _issued(card)
    second, _ = _issued(card, kind="authentication")
    states = get_issuer().status_by_card(card_id=CARD_ID)
    assert {s.serial for s in states} == {first.serial, second.serial}
    assert all(s.card_id == CARD_ID for s in states)
    assert get_issuer().status_by_card(card_id="FFFFFFFFFFFFFFFF") == []


@pytest.mark.parametrize("procedure", ["pin_reset", "pin_change"])
def test_no_signing_password_without_a_signing_certificate(
    procedure, city, office, clerk, desk
):
    """§2.1: an under-15's card has no signing password; refused with the rule,
    audited, no case left half-open."""
    child = f.ResidentFactory(municipality=city, under_15=True)
    card = f.CardFactory(resident=child)
    f.CertificateFactory(card=card, authentication=True)
    before = Case.objects.count()
    with pytest.raises(ApplicationError) as exc:
        case_open(
            resident=child,
            office=office,
            procedure=procedure,
            applicant_role="legal_representative",
            applicant_name="保護者 花子",
            actor=clerk,
            desk=desk,
            card=card,
            pin_kinds=["signing"],
        )
    assert exc.value.code == "no-signing-certificate"
    assert "§2.1" in str(exc.value.message)
    assert Case.objects.count() == before
    assert "case_open_refused" in audit_actions()


def test_the_user_authentication_pin_of_such_a_card_may_still_be_reset(
    city, office, clerk, desk
):
    child = f.ResidentFactory(municipality=city, under_15=True)
    card = f.CardFactory(resident=child)
    f.CertificateFactory(card=card, authentication=True)
    case = case_open(
        resident=child,
        office=office,
        procedure="pin_reset",
        applicant_role="legal_representative",
        applicant_name="保護者 花子",
        actor=clerk,
        desk=desk,
        card=card,
        pin_kinds=["authentication"],
    )
    assert case.pin_kinds == ["authentication"]
