"""Certificate issuance (電子証明書の発行): validity by the rules of §3, one key
generation + certificate write per certificate at the desk (§16), the signing
certificate barred for under-15s and adult wards unless a supervisor approves an
exception (§7), fees (§4)."""

from __future__ import annotations

import datetime as dt

import pytest

from counter.constants import CertificateKind
from counter.errors import ApplicationError
from counter.models import Certificate
from counter.models.cases import CaseState
from counter.services.cases import (
    case_approve_exception,
    case_reject_exception,
    case_request_card_operation,
)
from tests import factories as f

from .conftest import applicant_doc, audit_actions, holder_card
from .helpers import finish, show

pytestmark = pytest.mark.django_db


def test_holder_gets_both_certificates_valid_to_the_5th_birthday(
    resident, card, office, clerk, desk, agent, counter_case
):
    resident.birth_date = dt.date(1986, 8, 18)
    resident.save()
    case = counter_case(
        procedure="cert_issue", certificate_kinds=["signing", "authentication"]
    )
    assert case.fee_yen == 0  # §4 free
    case = show(case, clerk, desk, holder_card())
    kinds = [params["certificate_kind"] for _, params in case.required_operations()]
    assert kinds == ["authentication", "signing"]  # the cap (§3 b) first
    case = finish(case, clerk, desk, agent)
    assert case.state == CaseState.COMPLETED
    signing = Certificate.objects.get(card=card, kind=CertificateKind.SIGNING)
    auth = Certificate.objects.get(card=card, kind=CertificateKind.AUTHENTICATION)
    assert signing.expires_on == auth.expires_on == dt.date(2031, 8, 18)
    assert signing.serial_number  # kept for the signing certificate
    assert auth.serial_number == ""  # §16: never for user-authentication


def test_a_foreign_residents_certificate_ends_with_the_period_of_stay(
    city, office, clerk, desk, agent, counter_case
):
    person = f.ResidentFactory(municipality=city, foreign_with_period=True)
    card = f.CardFactory(resident=person, expires_on=person.residence_period_end)
    case = counter_case(
        resident=person,
        card=card,
        procedure="cert_issue",
        certificate_kinds=["authentication"],
    )
    case = finish(show(case, clerk, desk, holder_card()), clerk, desk, agent)
    cert = Certificate.objects.get(card=card)
    assert cert.expires_on == person.residence_period_end  # §3


def test_a_valid_certificate_is_renewed_not_issued_again(
    resident, card, office, clerk, desk, counter_case
):
    f.CertificateFactory(card=card)
    with pytest.raises(ApplicationError) as exc:
        counter_case(procedure="cert_issue", certificate_kinds=["signing"])
    assert exc.value.code == "certificate-already-valid"


def test_after_expiry_a_new_certificate_is_issued_free(
    resident, card, office, clerk, desk, counter_case
):
    f.CertificateFactory(card=card, expired=True)
    case = counter_case(procedure="cert_issue", certificate_kinds=["signing"])
    assert case.state == CaseState.RECEIVED and case.fee_yen == 0


def test_certificates_on_a_card_reissued_through_the_holders_fault_cost_200_yen(
    resident, card, office, clerk, desk, counter_case
):
    case = counter_case(
        procedure="cert_issue",
        certificate_kinds=["signing"],
        card_reissued_by_holder_fault=True,
    )
    assert case.fee_yen == 200 and "§4" in case.fee_reason


@pytest.fixture
def child(city):
    return f.ResidentFactory(municipality=city, under_15=True)


def test_no_signing_certificate_for_a_child_under_15(
    child, office, clerk, desk, counter_case
):
    card = f.CardFactory(resident=child)
    with pytest.raises(ApplicationError) as exc:
        counter_case(
            resident=child,
            card=card,
            procedure="cert_issue",
            applicant_role="legal_representative",
            certificate_kinds=["signing"],
        )
    assert exc.value.code == "signing-certificate-barred-under-age"
    assert "case_open_refused" in audit_actions()


def test_a_user_authentication_certificate_for_a_child_needs_no_exception(
    child, office, clerk, desk, agent, counter_case
):
    card = f.CardFactory(resident=child)
    case = counter_case(
        resident=child,
        card=card,
        procedure="cert_issue",
        applicant_role="legal_representative",
        certificate_kinds=["authentication"],
        shown=[
            holder_card(),
            applicant_doc("driving_licence"),
            applicant_doc("family_register_extract"),
        ],
    )
    assert finish(case, clerk, desk, agent).state == CaseState.COMPLETED


def test_a_supervisors_approved_exception_lets_the_signing_certificate_go_ahead(
    child, office, clerk, supervisor, desk, agent, counter_case
):
    card = f.CardFactory(resident=child)
    case = counter_case(
        resident=child,
        card=card,
        procedure="cert_issue",
        applicant_role="legal_representative",
        certificate_kinds=["signing"],
        exception_reason="e-Tax filing for inherited property",
    )
    assert case.state == CaseState.AWAITING_APPROVAL
    with pytest.raises(ApplicationError) as exc:
        case_request_card_operation(
            case=case, actor=clerk, desk=desk, idempotency_key="too-early"
        )
    assert exc.value.code == "case-state-conflict"

    with pytest.raises(ApplicationError) as exc:
        case_approve_exception(case=case, actor=clerk, note="ok")
    assert exc.value.code == "not-permitted"

    case = case_approve_exception(
        case=case, actor=supervisor, note="Guardian present, purpose checked"
    )
    assert case.state == CaseState.RECEIVED
    assert case.exception_approved_by == supervisor
    assert case.exception_approved_at is not None
    case = show(
        case,
        clerk,
        desk,
        holder_card(),
        applicant_doc("driving_licence"),
        applicant_doc("family_register_extract"),
    )
    assert finish(case, clerk, desk, agent).state == CaseState.COMPLETED
    assert "case_approve_exception" in audit_actions(case)


def test_an_adult_wards_signing_certificate_refused_when_the_exception_is_rejected(
    city, office, clerk, supervisor, desk, counter_case
):
    ward = f.ResidentFactory(municipality=city, adult_ward=True)
    card = f.CardFactory(resident=ward)
    case = counter_case(
        resident=ward,
        card=card,
        procedure="cert_issue",
        applicant_role="legal_representative",
        certificate_kinds=["signing"],
        exception_reason="asked by guardian",
    )
    case = case_reject_exception(case=case, actor=supervisor, note="no need shown")
    assert case.state == CaseState.REFUSED
    assert case.outcome_code == "exception-rejected"


def test_a_voluntary_agent_never_gets_a_certificate_on_the_first_visit(
    resident, card, office, clerk, desk, counter_case
):
    case = counter_case(
        procedure="cert_issue",
        applicant_role="voluntary_agent",
        certificate_kinds=["signing"],
        documents_checked=True,
    )
    with pytest.raises(ApplicationError) as exc:
        case_request_card_operation(
            case=case, actor=clerk, desk=desk, idempotency_key="same-day"
        )
    assert exc.value.code == "agent-needs-second-visit"
    from jpki_ops.models import CardOperation

    assert not CardOperation.objects.filter(case=case).exists()
    assert Certificate.objects.filter(card=card).count() == 0
    assert "case_request_card_operation_refused" in audit_actions(case)
