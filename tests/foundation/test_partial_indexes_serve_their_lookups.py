"""Indexes that hold only the rows with something to index (migration 0026):
the access log's desk and case where one is named, the open cases by their last
change. Each still serves the lookups it exists for (the planner must prove the
lookup implies the index's condition, or it silently reads the table)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from counter.models import AccessRecord, Case
from counter.selectors.cases import carried_over_cases, local_day_bounds

pytestmark = pytest.mark.django_db


@pytest.fixture
def index_only() -> Any:
    """The planner told to prefer any index to reading the table: which index it
    takes shows which ones can answer the lookup at all."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
    yield
    with connection.cursor() as cursor:
        cursor.execute("RESET enable_seqscan")
        cursor.execute("RESET enable_bitmapscan")


def _definition(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [name])
        return str(cursor.fetchone()[0])


def test_the_access_logs_desk_and_case_indexes_hold_only_named_rows():
    assert "WHERE (desk_id IS NOT NULL)" in _definition("access_desk_given")
    assert "WHERE (case_id IS NOT NULL)" in _definition("access_case_given")


def test_a_lookup_by_desk_or_case_is_answered_by_the_partial_index(index_only):
    by_desk = AccessRecord.objects.filter(desk_id=7).explain()
    assert "access_desk_given" in by_desk
    # Django's PROTECT check on deleting cases asks with IN (…).
    by_cases = AccessRecord.objects.filter(case_id__in=[1, 2, 3]).explain()
    assert "access_case_given" in by_cases


def test_the_carried_over_cases_are_found_among_the_open_ones(index_only, city):
    # The whole-table indexes that could serve it too are dropped in the test's
    # transaction (rolled back after it): is the partial one usable at all?
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX case_municipality_updated_at")
        cursor.execute("DROP INDEX case_municipality_created_at")
    start, end = local_day_bounds(timezone.localdate())
    plan = (
        carried_over_cases(Case.objects.filter(municipality=city), start, end)
        .order_by()
        .explain()
    )
    assert "case_open_municipality_updated" in plan
