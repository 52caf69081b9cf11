"""Certificates by a voluntary agent (seed table; §6.2, §9, §10): issuance and
revocation take two visits — the answer sheet, for issuance also the power of
attorney; lifting a suspension follows the city's choice (seed: inquiry)."""

from __future__ import annotations

import datetime as dt

import pytest

from counter.constants import CertificateStatus
from counter.errors import ApplicationError
from counter.models import Certificate
from counter.models.cases import CaseState
from counter.services.cases import case_record_documents
from counter.services.suspensions import suspension_lift
from counter.services.visits import case_second_visit
from tests import factories as f

from .by_post import letter_mailed
from .conftest import applicant_doc, holder_card, holder_doc
from .helpers import finish, run_card_work, show

pytestmark = pytest.mark.django_db


def second_visit(case, clerk, desk, open_counter):
    """The letter printed; the agent comes back on Monday 7 December."""
    from counter.letters.models import InquiryLetter

    letter_mailed(InquiryLetter.objects.get(case=case).pk)  # §6.3
    open_counter.move_to(dt.datetime(2026, 12, 7, 2, 0, tzinfo=dt.UTC))  # Mon
    return case_second_visit(reference=case.letter_reference, actor=clerk, desk=desk)


def test_agent_gets_a_signing_certificate_at_the_second_visit(
    resident, card, office, clerk, desk, agent, open_counter, counter_case
):
    case = counter_case(
        procedure="cert_issue",
        applicant_role="voluntary_agent",
        certificate_kinds=["signing"],
        awaiting_second_visit=True,
    )
    case = second_visit(case, clerk, desk, open_counter)
    with pytest.raises(ApplicationError) as exc:
        case_record_documents(
            case=case,
            actor=clerk,
            desk=desk,
            documents=[
                holder_doc("inquiry_and_answer_sheet", sealed=True),
                holder_card(),
                applicant_doc("driving_licence"),
            ],
        )
    assert [m["rule"] for m in exc.value.extra["missing"]] == ["power_of_attorney"]
    case = show(
        case,
        clerk,
        desk,
        holder_doc("inquiry_and_answer_sheet", sealed=True),
        holder_doc("power_of_attorney"),
        holder_card(),
        applicant_doc("driving_licence"),
    )
    case = finish(case, clerk, desk, agent)
    assert case.state == CaseState.COMPLETED and case.visit == 2
    assert Certificate.objects.filter(card=card, kind="signing").exists()


def test_agent_revokes_at_the_second_visit(
    resident, card, office, clerk, desk, agent, open_counter, counter_case
):
    signing = f.CertificateFactory(card=card)
    case = counter_case(
        procedure="cert_revoke",
        applicant_role="voluntary_agent",
        revocation_kind="request",
        certificate_kinds=["signing"],
        awaiting_second_visit=True,
    )
    case = second_visit(case, clerk, desk, open_counter)
    case = show(
        case,
        clerk,
        desk,
        holder_doc("inquiry_answer_sheet", sealed=True),
        holder_card(),
        applicant_doc("driving_licence"),
    )
    assert finish(case, clerk, desk, agent).state == CaseState.COMPLETED
    signing.refresh_from_db()
    assert signing.status == CertificateStatus.REVOKED


def test_agent_lifts_a_suspension_with_the_answer_sheet(
    resident, office, clerk, desk, agent, open_counter, counter_case
):
    card = f.CardFactory(resident=resident, suspended=True)
    case = counter_case(
        resident=resident,
        card=card,
        procedure="suspension_lift",
        applicant_role="voluntary_agent",
        awaiting_second_visit=True,
    )
    case = second_visit(case, clerk, desk, open_counter)
    case = show(
        case,
        clerk,
        desk,
        holder_doc("inquiry_answer_sheet", sealed=True),
        holder_card(),
        applicant_doc("driving_licence"),
    )
    case = run_card_work(case, clerk, desk, agent)
    assert suspension_lift(case=case, actor=clerk, desk=desk).state == "completed"
