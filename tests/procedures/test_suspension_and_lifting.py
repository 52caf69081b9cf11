"""Suspension (一時停止) from the call centre and lifting it at the counter (§10):
24 h, the certificates on hold (or the signing one revoked, as the J-LIS terminal
shows), lifting only with the found card, never for an abolished card (§8.6)."""

from __future__ import annotations

import datetime as dt

import pytest

from counter.constants import CardStatus, CertificateStatus
from counter.errors import ApplicationError
from counter.models.cases import CaseState
from counter.services.suspensions import suspension_lift, suspension_record
from tests import factories as f

from .conftest import applicant_doc, holder_card
from .helpers import run_card_work, show

pytestmark = pytest.mark.django_db


def test_call_centre_suspends_the_card_at_night(card, clerk, open_counter):
    """§10: 24 h / 365 days — no counter hours apply."""
    open_counter.move_to(
        dt.datetime(2026, 11, 28, 14, 0, tzinfo=dt.UTC)
    )  # Sun 23:00 JST
    signing = f.CertificateFactory(card=card)
    auth = f.CertificateFactory(card=card, authentication=True)
    case = suspension_record(card=card, actor=clerk, police_receipt_number="R-123")
    assert case.procedure == "suspension" and case.state == CaseState.COMPLETED
    card.refresh_from_db()
    signing.refresh_from_db()
    auth.refresh_from_db()
    assert card.status == CardStatus.SUSPENDED
    assert signing.status == auth.status == CertificateStatus.SUSPENDED


def test_operator_records_the_signing_certificate_as_revoked(card, clerk):
    """§10 CONFLICT: record what the J-LIS terminal actually shows."""
    signing = f.CertificateFactory(card=card)
    auth = f.CertificateFactory(card=card, authentication=True)
    suspension_record(
        card=card, actor=clerk, certificate_outcome={"signing": "revoked"}
    )
    signing.refresh_from_db()
    auth.refresh_from_db()
    assert signing.status == CertificateStatus.REVOKED
    assert auth.status == CertificateStatus.SUSPENDED


def test_a_card_is_suspended_only_once(card, clerk):
    suspension_record(card=card, actor=clerk)
    card.refresh_from_db()
    with pytest.raises(ApplicationError) as exc:
        suspension_record(card=card, actor=clerk)
    assert exc.value.code == "card-already-suspended"


def test_holder_lifts_the_suspension_with_the_found_card(
    resident, card, office, clerk, desk, agent, counter_case
):
    auth = f.CertificateFactory(card=card, authentication=True)
    suspension_record(card=card, actor=clerk)
    card.refresh_from_db()
    case = counter_case(procedure="suspension_lift")
    case = run_card_work(show(case, clerk, desk, holder_card()), clerk, desk, agent)
    case = suspension_lift(case=case, actor=clerk, desk=desk)
    assert case.state == CaseState.COMPLETED
    card.refresh_from_db()
    auth.refresh_from_db()
    assert card.status == CardStatus.ACTIVE
    # §10.2: the default profile follows J-LIS, both certificates on hold end.
    assert auth.status == CertificateStatus.REVOKED


def test_a_legal_representative_lifts_it_with_recent_proof(
    city, office, clerk, desk, agent, counter_case
):
    child = f.ResidentFactory(municipality=city, under_15=True)
    card = f.CardFactory(resident=child, suspended=True)
    case = counter_case(
        resident=child,
        card=card,
        procedure="suspension_lift",
        applicant_role="legal_representative",
        shown=[
            holder_card(),
            applicant_doc("family_register_extract", issued_on="2026-10-01"),
            applicant_doc("driving_licence"),
        ],
    )
    case = run_card_work(case, clerk, desk, agent)
    assert suspension_lift(case=case, actor=clerk, desk=desk).state == "completed"


def test_an_abolished_card_cannot_be_unsuspended(
    resident, office, clerk, desk, counter_case
):
    card = f.CardFactory(resident=resident, abolished=True)
    with pytest.raises(ApplicationError) as exc:
        counter_case(resident=resident, card=card, procedure="suspension_lift")
    assert exc.value.code == "card-abolished"


def test_a_card_in_use_has_nothing_to_lift(
    resident, card, office, clerk, desk, counter_case
):
    with pytest.raises(ApplicationError) as exc:
        counter_case(procedure="suspension_lift")
    assert exc.value.code == "card-not-suspended"


def test_a_suspended_card_is_not_used_for_other_procedures(
    resident, office, clerk, desk, counter_case
):
    card = f.CardFactory(resident=resident, suspended=True)
    with pytest.raises(ApplicationError) as exc:
        counter_case(
            resident=resident, card=card, procedure="pin_reset", pin_kinds=["signing"]
        )
    assert exc.value.code == "card-suspended"
