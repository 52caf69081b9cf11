"""The API's case list and resident search log what they answer in the read's
own statement (ADR 0038): no answer leaves without its entries, the rows
answered are the read's own in its order, and a page's extra row (read to know
there is a next page) is not logged."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import DataError, transaction
from django.utils import timezone

from counter.access_log import ReadLog
from counter.models import AccessPath, AccessRecord
from counter.scoping import scope_for
from counter.selectors import api_cases
from counter.selectors.residents import resident_search_rows, residents_search
from tests import factories as f

pytestmark = pytest.mark.django_db


def _log(clerk: Any, *, label: str | None = None) -> ReadLog:
    return ReadLog(
        path=AccessPath.API_CASE_LIST,
        actor_id=clerk.pk,
        label=clerk.get_username() if label is None else label,
        desk_id=None,
        url="/api/v1/cases/",
        at=timezone.now(),
    )


def test_a_page_whose_entries_cannot_be_written_is_not_answered(city, office, clerk):
    for _ in range(2):
        f.CaseFactory(resident=f.ResidentFactory(municipality=city), office=office)
    # A label longer than its column: the entry cannot be written.
    unwritable = _log(clerk, label="x" * 200)
    with pytest.raises(DataError), transaction.atomic():
        api_cases.queue_page(
            scope=scope_for(clerk), office_id=None, after=None, limit=20, log=unwritable
        )
    assert not AccessRecord.objects.exists()


def test_the_rows_answered_are_the_reads_own_and_only_the_page_is_logged(
    city, office, clerk
):
    opened = [
        f.CaseFactory(resident=f.ResidentFactory(municipality=city), office=office)
        for _ in range(3)
    ]
    scope = scope_for(clerk)
    plain = api_cases.queue_page(scope=scope, office_id=None, after=None, limit=2)
    logged = api_cases.queue_page(
        scope=scope, office_id=None, after=None, limit=2, log=_log(clerk)
    )
    assert [r.case.pk for r in logged] == [r.case.pk for r in plain]
    assert [r.case.pk for r in logged] == [c.pk for c in opened]  # 2 + the next
    entries = AccessRecord.objects.order_by("id")
    assert [(e.case_id, e.resident_id) for e in entries] == [
        (c.pk, c.resident_id) for c in opened[:2]
    ]


def test_residents_of_the_same_name_and_birth_date_come_in_one_order(
    city: Any, clerk: Any
) -> None:
    """Ties are broken by the row's id, in the logged read as in the ORM's."""
    born = dt.date(1980, 4, 1)
    twins = [
        f.ResidentFactory(
            municipality=city,
            name="佐藤 一",
            name_kana="サトウ ハジメ",
            birth_date=born,
        )
        for _ in range(4)
    ]
    log = _log(clerk)
    found = resident_search_rows(user=clerk, query="佐藤", limit=3, log=log)
    assert [r.id for r in found] == sorted(t.pk for t in twins)[:3]
    assert [r.pk for r in residents_search(user=clerk, query="佐藤", limit=3)] == [
        r.id for r in found
    ]
    assert sorted(AccessRecord.objects.values_list("resident_id", flat=True)) == [
        r.id for r in found
    ]


def test_with_prepared_statements_off_the_page_is_still_logged_by_its_read(
    settings, city, office, clerk
):
    """Behind a pooler that keeps no prepared statements (ADR 0035), Django's
    own cursor runs the same statement."""
    settings.DB_PREPARED_STATEMENTS = False
    opened = [
        f.CaseFactory(resident=f.ResidentFactory(municipality=city), office=office)
        for _ in range(2)
    ]
    rows = api_cases.queue_page(
        scope=scope_for(clerk), office_id=None, after=None, limit=1, log=_log(clerk)
    )
    assert [r.case.pk for r in rows] == [c.pk for c in opened]
    assert list(AccessRecord.objects.values_list("case_id", flat=True)) == [
        opened[0].pk
    ]
