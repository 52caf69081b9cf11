"""PIN reset by a voluntary agent across two visits (§5.2, §6.2): visit 1 with the
holder's card and the agent's A×1 or B×2; the inquiry letter to the holder;
visit 2 within the deadline, found by the letter's reference code, with the sealed
answer sheet and proof that the holder cannot come (seed city); never same day."""

from __future__ import annotations

import datetime as dt

import pytest

from counter.errors import ApplicationError
from counter.models import CaseStatusChange
from counter.models.cases import CaseState
from counter.services.cases import case_request_card_operation
from counter.services.visits import (
    case_second_visit,
    case_send_inquiry,
    cases_expire_overdue,
)

from .by_post import letter_mailed
from .conftest import applicant_doc, audit_actions, holder_card, holder_doc
from .helpers import finish, show

pytestmark = pytest.mark.django_db


def first_visit(counter_case):
    """A voluntary agent's first visit: the holder's card and the agent's driving
    licence shown, the inquiry letter sent."""
    return counter_case(
        procedure="pin_reset",
        applicant_role="voluntary_agent",
        pin_kinds=["signing"],
        awaiting_second_visit=True,
    )


def rendered(case):
    from counter.letters.models import InquiryLetter

    letter = InquiryLetter.objects.get(case=case)
    return letter_mailed(letter.pk)  # §6.3: by post first


def test_agent_resets_the_pin_across_two_visits(
    resident, card, office, clerk, other_clerk, desk, agent, open_counter, counter_case
):
    case = first_visit(counter_case)
    assert case.state == CaseState.AWAITING_SECOND_VISIT
    assert case.second_visit_deadline == dt.date(2026, 12, 26)  # 30 days (profile)
    letter = rendered(case)
    assert case.letter_reference == letter.reference

    open_counter.move_to(dt.datetime(2026, 12, 10, 1, 30, tzinfo=dt.UTC))
    case = case_second_visit(reference=letter.reference, actor=other_clerk, desk=desk)
    assert case.state == CaseState.RECEIVED and case.visit == 2
    letter.refresh_from_db()
    assert letter.state == "answered"

    case = show(
        case,
        other_clerk,
        desk,
        holder_doc("inquiry_answer_sheet", sealed=True),
        holder_card(),
        applicant_doc("driving_licence"),
        holder_doc("medical_certificate"),
    )
    case = finish(case, other_clerk, desk, agent)
    assert case.state == CaseState.COMPLETED
    assert list(
        CaseStatusChange.objects.filter(case=case).values_list("transition", flat=True)
    ) == [
        "open",
        "record_documents",
        "send_inquiry",
        "second_visit",
        "record_documents",
        "request_card_operation",
        "card_operation_succeeded",
        "complete",
    ]


def test_never_the_same_day(resident, card, office, clerk, desk, counter_case):
    case = counter_case(
        procedure="pin_reset",
        applicant_role="voluntary_agent",
        pin_kinds=["signing"],
        documents_checked=True,
    )
    with pytest.raises(ApplicationError) as exc:
        case_request_card_operation(
            case=case, actor=clerk, desk=desk, idempotency_key="same-day"
        )
    assert exc.value.code == "agent-needs-second-visit"


def test_an_agent_with_one_b_document_cannot_act(
    resident, card, office, clerk, desk, counter_case
):
    """Seed: an agent without A×1 or B×2 cannot act."""
    case = counter_case(
        procedure="pin_reset", applicant_role="voluntary_agent", pin_kinds=["signing"]
    )
    from counter.services.cases import case_record_documents

    with pytest.raises(ApplicationError) as exc:
        case_record_documents(
            case=case,
            actor=clerk,
            desk=desk,
            documents=[
                holder_card(),
                applicant_doc("insurance_qualification_certificate"),
            ],
        )
    assert exc.value.code == "documents-not-satisfied"


def test_being_busy_with_work_is_not_proof_the_holder_cannot_come(
    resident, card, office, clerk, desk, open_counter, counter_case
):
    case = first_visit(counter_case)
    letter = rendered(case)
    open_counter.move_to(dt.datetime(2026, 12, 10, 1, 30, tzinfo=dt.UTC))
    case = case_second_visit(reference=letter.reference, actor=clerk, desk=desk)
    from counter.services.cases import case_record_documents

    with pytest.raises(ApplicationError) as exc:
        case_record_documents(
            case=case,
            actor=clerk,
            desk=desk,
            documents=[
                holder_doc("inquiry_answer_sheet", sealed=True),
                holder_card(),
                applicant_doc("driving_licence"),
                holder_doc("busy_with_work_or_school"),
            ],
        )
    assert exc.value.code == "documents-not-satisfied"
    assert "proof_of_inability" in [m["rule"] for m in exc.value.extra["missing"]]


def test_an_opened_answer_sheet_is_refused(
    resident, card, office, clerk, desk, open_counter, counter_case
):
    case = first_visit(counter_case)
    letter = rendered(case)
    open_counter.move_to(dt.datetime(2026, 12, 10, 1, 30, tzinfo=dt.UTC))
    case = case_second_visit(reference=letter.reference, actor=clerk, desk=desk)
    from counter.services.cases import case_record_documents

    with pytest.raises(ApplicationError) as exc:
        case_record_documents(
            case=case,
            actor=clerk,
            desk=desk,
            documents=[
                holder_doc("inquiry_answer_sheet", sealed=False),
                holder_card(),
                applicant_doc("driving_licence"),
                holder_doc("medical_certificate"),
            ],
        )
    assert "answer_sheet" in [m["rule"] for m in exc.value.extra["missing"]]


def test_after_the_deadline_the_case_expires_and_the_clerk_is_told(
    resident, card, office, clerk, desk, open_counter, counter_case
):
    case = first_visit(counter_case)
    letter = rendered(case)
    open_counter.move_to(dt.datetime(2026, 12, 28, 1, 30, tzinfo=dt.UTC))  # Mon 28 Dec
    with pytest.raises(ApplicationError) as exc:
        case_second_visit(reference=letter.reference, actor=clerk, desk=desk)
    assert exc.value.code == "second-visit-deadline-passed"
    case.refresh_from_db()
    assert case.state == CaseState.EXPIRED
    assert case.outcome_code == "second-visit-deadline-passed"
    assert "case_second_visit_refused" in audit_actions()


def test_an_unknown_reference_finds_nothing(clerk, desk):
    with pytest.raises(ApplicationError) as exc:
        case_second_visit(reference="0000-0000-0000", actor=clerk, desk=desk)
    assert exc.value.code == "letter-reference-unknown"
    assert "case_second_visit_refused" in audit_actions()


def test_a_reference_no_letter_could_carry_is_called_malformed(clerk, desk):
    with pytest.raises(ApplicationError) as exc:
        case_second_visit(reference="NOPE-0000", actor=clerk, desk=desk)
    assert exc.value.code == "letter-reference-malformed"
    assert "case_second_visit_refused" in audit_actions()


def test_a_letter_never_printed_cannot_have_come_back(
    resident, card, office, clerk, desk, open_counter, counter_case
):
    case = first_visit(counter_case)
    open_counter.move_to(dt.datetime(2026, 12, 10, 1, 30, tzinfo=dt.UTC))
    with pytest.raises(ApplicationError) as exc:
        case_second_visit(reference=case.letter_reference, actor=clerk, desk=desk)
    assert exc.value.code.startswith("letter-")
    case.refresh_from_db()
    assert case.state == CaseState.AWAITING_SECOND_VISIT and case.visit == 1


def test_the_letters_expiry_expires_the_case(
    resident, card, office, clerk, desk, counter_case
):
    """counter.letters' beat sweep expires the letter and calls the case's hook."""
    from counter.letters.services import letters_expire_overdue

    case = first_visit(counter_case)
    assert letters_expire_overdue(today=dt.date(2026, 12, 27)) == 1
    case.refresh_from_db()
    assert case.state == CaseState.EXPIRED
    assert case.outcome_code == "inquiry-letter-expired"


def test_the_sweep_expires_overdue_cases_once(
    resident, card, office, clerk, desk, open_counter, counter_case
):
    case = first_visit(counter_case)
    assert cases_expire_overdue(today=dt.date(2026, 12, 26)) == 0
    assert cases_expire_overdue(today=dt.date(2026, 12, 27)) == 1
    assert cases_expire_overdue(today=dt.date(2026, 12, 27)) == 0
    case.refresh_from_db()
    assert case.state == CaseState.EXPIRED


def test_sending_the_inquiry_twice_sends_one_letter(
    resident, card, office, clerk, desk, counter_case
):
    from counter.letters.models import InquiryLetter

    case = first_visit(counter_case)
    again = case_send_inquiry(case=case, actor=clerk, desk=desk)
    assert again.letter_reference == case.letter_reference
    assert InquiryLetter.objects.filter(case=case).count() == 1


def test_a_letter_returned_undeliverable_flags_the_case(
    resident, card, office, clerk, desk, counter_case
):
    """宛所不明: the post brought the letter back; a supervisor must see the case."""
    from counter.letters.services import letter_mark_returned

    case = first_visit(counter_case)
    letter = rendered(case)  # printed and mailed
    letter_mark_returned(letter=letter, actor=clerk)
    case.refresh_from_db()
    assert "letter-undeliverable" in case.flags
    assert case.state == CaseState.AWAITING_SECOND_VISIT
    assert "case_flagged" in audit_actions(case)
