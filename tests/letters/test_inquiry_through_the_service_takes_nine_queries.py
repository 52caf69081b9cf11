"""One inquiry letter through the service, as a city runs it, takes at most nine
queries (issue 14 §1; ADR 0028 and its addendum): five at the end of visit 1 (the
case's lock, the letter with its history row in one statement, the case and its
history row, both audit entries in one statement) and four in the render task
(the letter's lock, the PDF, its history row, its audit entry). Each query more
is paid a million times a year.

The city's calendar is read once per process and is current again as soon as a
supervisor's change commits; a transaction that changed it reads its own rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from counter.calendar import calendar_of, next_open_day
from counter.letters import services
from counter.letters.models import InquiryLetter, LetterState
from counter.models import AuditEvent, ClosedDay
from counter.services.visits import case_send_inquiry
from tests import factories as f

pytestmark = pytest.mark.django_db

VISIT_ONE_QUERIES = 5
RENDER_QUERIES = 4


def _statements(queries: CaptureQueriesContext) -> list[str]:
    """The queries a city's server runs: inside the test's own transaction every
    ``atomic()`` is a savepoint, which at the top level is a BEGIN/COMMIT that
    the database wrapper does not count."""
    return [
        q["sql"]
        for q in queries.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]


@pytest.fixture
def committed_city(django_capture_on_commit_callbacks: Any) -> Any:
    """A city whose calendar was committed (as every city's is, in production)."""
    with django_capture_on_commit_callbacks(execute=True):
        return f.MunicipalityFactory()


def test_one_inquiry_letter_through_the_service_takes_at_most_nine_queries(
    committed_city, django_capture_on_commit_callbacks
):
    user = f.clerk(committed_city)
    first = f.agent_pin_change_case(committed_city, user)
    case = f.agent_pin_change_case(committed_city, user)
    with django_capture_on_commit_callbacks(execute=True):
        case_send_inquiry(case=first, actor=user)  # the process has its calendar

    with (
        CaptureQueriesContext(connection) as visit,
        django_capture_on_commit_callbacks(execute=False) as callbacks,
    ):
        case_send_inquiry(case=case, actor=user)
    assert len(callbacks) == 1  # the render task, published at COMMIT
    letter = InquiryLetter.objects.get(case=case)
    with CaptureQueriesContext(connection) as render:
        services.letter_render(letter_id=letter.pk)

    assert len(_statements(visit)) <= VISIT_ONE_QUERIES, _statements(visit)
    assert len(_statements(render)) <= RENDER_QUERIES, _statements(render)
    letter.refresh_from_db()
    assert letter.state == LetterState.RENDERED and letter.pdf_sha256
    # Every row the path wrote before is still written, in its chain, in order.
    actions = list(
        AuditEvent.objects.filter(case=case)
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions[-3:] == ["letter_queued", "case_send_inquiry", "letter_rendered"]
    assert list(letter.history.order_by("pk").values_list("to_state", flat=True)) == [
        LetterState.QUEUED,
        LetterState.RENDERED,
    ]


def _open_weekday_a_month_ahead() -> dt.date:
    """A Tuesday–Thursday about a month ahead: an open day unless closed."""
    day = timezone.localdate() + dt.timedelta(days=30)
    while day.weekday() not in (1, 2, 3):
        day += dt.timedelta(days=1)
    return day


def test_a_closed_day_a_supervisor_adds_moves_the_deadline_at_once(
    committed_city, django_capture_on_commit_callbacks
):
    office = f.main_office(committed_city)
    profile = committed_city.profile
    day = _open_weekday_a_month_ahead()
    assert next_open_day(office=office, day=day) == day
    assert calendar_of(profile) is calendar_of(profile)  # kept by the process

    with django_capture_on_commit_callbacks(execute=True):
        ClosedDay.objects.create(profile=profile, date=day, reason="システム停止")
    assert next_open_day(office=office, day=day) > day


def test_an_uncommitted_calendar_change_is_read_from_the_database(committed_city):
    office = f.main_office(committed_city)
    profile = committed_city.profile
    day = _open_weekday_a_month_ahead()
    assert next_open_day(office=office, day=day) == day
    ClosedDay.objects.create(profile=profile, date=day, reason="臨時休業")
    # Not committed: this transaction sees its row, no process keeps it.
    assert next_open_day(office=office, day=day) > day
    assert calendar_of(profile) is not calendar_of(profile)
