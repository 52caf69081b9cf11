"""At a prefecture's scale the day's queue must not scan every case
(docs/adr/0014-search-and-queue-indexes.md): its filter is a range of instants
the (municipality, created_at) index serves, and the day is the city's."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from counter import selectors
from counter.audit import audit_record
from tests import factories as f

pytestmark = pytest.mark.django_db


def plan(queryset) -> str:  # type: ignore[no-untyped-def]
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_queue_filters_a_range_of_the_city_day_on_created_at(city, clerk):
    queue = selectors.cases_today_queue(user=clerk, day=dt.date(2026, 12, 7))
    sql = str(queue.query)
    assert "::date" not in sql and "AT TIME ZONE" not in sql
    # A half-open range on the bare column: what an index on it can serve. Which
    # index the planner picks on a near-empty table is arbitrary; bench/scale.py
    # measures the queue at size.
    assert '"counter_case"."created_at" >=' in sql
    assert '"counter_case"."created_at" <' in sql
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, "counter_case")
    assert indexes["case_municipality_created_at"]["columns"] == [
        "municipality_id",
        "created_at",
    ]


def test_the_city_day_runs_from_local_midnight_to_local_midnight():
    start, end = selectors.cases.local_day_bounds(dt.date(2026, 12, 7))
    assert timezone.localtime(start).isoformat() == "2026-12-07T00:00:00+09:00"
    assert end - start == dt.timedelta(days=1)


def test_a_case_opened_just_before_local_midnight_is_in_that_day_only(
    city, office, clerk
):
    case = f.CaseFactory(resident=f.ResidentFactory(municipality=city), office=office)
    late = timezone.make_aware(dt.datetime(2026, 12, 7, 23, 59))
    type(case).objects.filter(pk=case.pk).update(created_at=late, updated_at=late)
    day = selectors.cases_today_queue(user=clerk, day=dt.date(2026, 12, 7))
    next_day = selectors.cases_today_queue(user=clerk, day=dt.date(2026, 12, 8))
    assert case in day and case not in next_day


def test_the_case_page_shows_the_newest_audit_entries_and_every_status_change(
    city, office, clerk
):
    case = f.CaseFactory(resident=f.ResidentFactory(municipality=city), office=office)
    for n in range(5):
        audit_record(action=f"bench_note_{n}", case=case, actor_label="test")
    rows = selectors.case_history(user=clerk, case=case, audit_limit=3)
    audits = [r["item"].action for r in rows if r["kind"] == "audit"]
    assert audits == ["bench_note_2", "bench_note_3", "bench_note_4"]
    assert [r["kind"] for r in rows].count("status") == case.history.count()
