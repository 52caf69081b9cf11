"""PIN change by a voluntary agent (seed table "PIN change"; §6.2): two visits; the
clerk types the current PIN written on the sealed answer sheet on the PIN pad — if
it is wrong, the change cannot be done and a PIN reset is suggested instead."""

from __future__ import annotations

import datetime as dt

import pytest

from counter.models.cases import CaseState
from counter.services.cases import case_request_card_operation
from counter.services.visits import case_second_visit

from .by_post import letter_mailed
from .conftest import applicant_doc, holder_card, holder_doc
from .helpers import finish, show

pytestmark = pytest.mark.django_db


def at_second_visit(counter_case, clerk, desk, open_counter):
    from counter.letters.models import InquiryLetter

    case = counter_case(
        procedure="pin_change",
        applicant_role="voluntary_agent",
        pin_kinds=["authentication"],
        awaiting_second_visit=True,
        shown=[holder_card(), applicant_doc("passport")],
    )
    letter_mailed(InquiryLetter.objects.get(case=case).pk)  # §6.3
    open_counter.move_to(dt.datetime(2026, 12, 3, 2, 0, tzinfo=dt.UTC))
    case = case_second_visit(reference=case.letter_reference, actor=clerk, desk=desk)
    return show(
        case,
        clerk,
        desk,
        holder_doc("inquiry_answer_sheet", sealed=True),
        holder_card(),
        applicant_doc("passport"),
        holder_doc("disability_handbook"),
    )


def test_agent_changes_the_pin_with_the_answer_sheet(
    resident, card, office, clerk, desk, agent, open_counter, counter_case
):
    case = at_second_visit(counter_case, clerk, desk, open_counter)
    assert finish(case, clerk, desk, agent).state == CaseState.COMPLETED


def test_a_wrong_pin_on_the_answer_sheet_ends_the_case_and_suggests_a_reset(
    resident, card, office, clerk, desk, agent, open_counter, counter_case
):
    case = at_second_visit(counter_case, clerk, desk, open_counter)
    op = case_request_card_operation(
        case=case, actor=clerk, desk=desk, idempotency_key="sheet-pin"
    )
    case = agent.fail(op, "pin-wrong", tries_left=2)
    assert case.state == CaseState.REFUSED
    assert case.outcome_code == "answer-sheet-pin-wrong"
    event = case.audit_events.filter(action="case_refuse").get()
    assert event.data["suggest"] == "pin_reset"
