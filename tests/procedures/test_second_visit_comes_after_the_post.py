"""§6.3: the answer sheet goes out by post before the agent may come back, and the
second visit is never on the day of the first (issue 13, point 2)."""

from __future__ import annotations

import datetime as dt

import pytest

from counter.errors import ApplicationError
from counter.letters.models import InquiryLetter
from counter.letters.services import letter_render
from counter.models.cases import CaseState
from counter.services.visits import case_second_visit

from .by_post import letter_mailed
from .conftest import audit_actions

pytestmark = pytest.mark.django_db


def _first_visit(counter_case):
    return counter_case(
        procedure="pin_reset",
        applicant_role="voluntary_agent",
        pin_kinds=["authentication"],
        awaiting_second_visit=True,
    )


def test_a_letter_only_rendered_has_not_reached_the_holder(
    card, clerk, desk, open_counter, counter_case
):
    case = _first_visit(counter_case)
    letter = letter_render(letter_id=InquiryLetter.objects.get(case=case).pk)
    open_counter.move_to(dt.datetime(2026, 12, 3, 1, 30, tzinfo=dt.UTC))
    with pytest.raises(ApplicationError) as exc:
        case_second_visit(reference=letter.reference, actor=clerk, desk=desk)
    assert exc.value.code == "letter-not-mailed"
    assert "§6.3" in str(exc.value.message)
    case.refresh_from_db()
    letter.refresh_from_db()
    assert case.state == CaseState.AWAITING_SECOND_VISIT
    assert letter.state == "rendered"
    assert "case_second_visit_refused" in audit_actions()


def test_a_mailed_letter_cannot_come_back_the_same_day(card, clerk, desk, counter_case):
    case = _first_visit(counter_case)
    letter = letter_mailed(InquiryLetter.objects.get(case=case).pk)
    with pytest.raises(ApplicationError) as exc:
        case_second_visit(reference=letter.reference, actor=clerk, desk=desk)
    assert exc.value.code == "second-visit-same-day"
    case.refresh_from_db()
    assert case.state == CaseState.AWAITING_SECOND_VISIT
    assert "case_second_visit_refused" in audit_actions()


def test_a_mailed_letter_brought_back_another_day_opens_visit_two(
    card, clerk, desk, open_counter, counter_case
):
    case = _first_visit(counter_case)
    letter = letter_mailed(InquiryLetter.objects.get(case=case).pk)
    open_counter.move_to(dt.datetime(2026, 11, 27, 1, 30, tzinfo=dt.UTC))  # next day
    case = case_second_visit(reference=letter.reference, actor=clerk, desk=desk)
    assert case.state == CaseState.RECEIVED and case.visit == 2
