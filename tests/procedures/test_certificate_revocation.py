"""Revocation (失効): a request with the card, confirmed by the resident-register
PIN, or a notification of a lost card without it (§9); revoked at the issuer;
free (§4)."""

from __future__ import annotations

import pytest

from counter.constants import CertificateStatus
from counter.errors import ApplicationError
from counter.models.cases import CaseState
from counter.services.cases import case_complete
from tests import factories as f

from .conftest import applicant_doc, holder_card, holder_doc
from .helpers import finish

pytestmark = pytest.mark.django_db


def test_holder_requests_revocation_of_the_signing_certificate(
    resident, card, office, clerk, desk, agent, counter_case
):
    signing = f.CertificateFactory(card=card)
    auth = f.CertificateFactory(card=card, authentication=True)
    case = counter_case(
        procedure="cert_revoke",
        revocation_kind="request",
        certificate_kinds=["signing"],
        shown=[holder_card()],
    )
    assert [k for k, _ in case.required_operations()] == ["pin_verify"]
    case = finish(case, clerk, desk, agent)
    assert case.state == CaseState.COMPLETED
    signing.refresh_from_db()
    auth.refresh_from_db()
    assert signing.status == CertificateStatus.REVOKED
    assert signing.status_reason == "holder_request"
    assert auth.status == CertificateStatus.ACTIVE


def test_a_lost_card_is_reported_without_a_card_operation(
    resident, office, clerk, desk, counter_case
):
    card = f.CardFactory(resident=resident, suspended=True)
    signing = f.CertificateFactory(card=card, suspended=True)
    case = counter_case(
        resident=resident,
        card=card,
        procedure="cert_revoke",
        revocation_kind="notification",
        certificate_kinds=["signing"],
        shown=[holder_doc("driving_licence")],
    )
    case = case_complete(case=case, actor=clerk, desk=desk)
    assert case.state == CaseState.COMPLETED
    signing.refresh_from_db()
    assert signing.status_reason == "key_compromise"


def test_a_request_needs_the_card_work_before_completion(
    resident, card, office, clerk, desk, counter_case
):
    f.CertificateFactory(card=card)
    case = counter_case(
        procedure="cert_revoke",
        revocation_kind="request",
        certificate_kinds=["signing"],
        shown=[holder_card()],
    )
    with pytest.raises(ApplicationError) as exc:
        case_complete(case=case, actor=clerk, desk=desk)
    assert exc.value.code == "card-operations-pending"


def test_nothing_to_revoke(resident, card, office, clerk, desk, counter_case):
    with pytest.raises(ApplicationError) as exc:
        counter_case(
            procedure="cert_revoke",
            revocation_kind="request",
            certificate_kinds=["signing"],
        )
    assert exc.value.code == "no-certificate-to-revoke"


def test_the_kind_of_revocation_must_be_chosen(
    resident, card, office, clerk, desk, counter_case
):
    f.CertificateFactory(card=card)
    with pytest.raises(ApplicationError) as exc:
        counter_case(procedure="cert_revoke", certificate_kinds=["signing"])
    assert exc.value.code == "revocation-kind-missing"


def test_a_parent_revokes_a_childs_certificate_in_person(
    city, office, clerk, desk, agent, counter_case
):
    """§6.1: the legal representative accompanies the under-15 and shows proof."""
    child = f.ResidentFactory(municipality=city, under_15=True)
    card = f.CardFactory(resident=child)
    auth = f.CertificateFactory(card=card, authentication=True)
    case = counter_case(
        resident=child,
        card=card,
        procedure="cert_revoke",
        applicant_role="legal_representative",
        revocation_kind="request",
        certificate_kinds=["authentication"],
        shown=[
            holder_card(),
            applicant_doc("family_register_extract"),
            applicant_doc("driving_licence"),
        ],
    )
    assert finish(case, clerk, desk, agent).state == CaseState.COMPLETED
    auth.refresh_from_db()
    assert auth.status == CertificateStatus.REVOKED


def test_a_child_cannot_revoke_alone(city, office, clerk, desk, counter_case):
    child = f.ResidentFactory(municipality=city, under_15=True)
    card = f.CardFactory(resident=child)
    f.CertificateFactory(card=card, authentication=True)
    with pytest.raises(ApplicationError) as exc:
        counter_case(
            resident=child,
            card=card,
            procedure="cert_revoke",
            revocation_kind="request",
            certificate_kinds=["authentication"],
        )
    assert exc.value.code == "legal-representative-required"
