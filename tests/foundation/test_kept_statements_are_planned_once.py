"""A kept statement is planned once for any value of its slots, with its
constants written into its text; a name searched by trigrams is planned for its
pattern on every call (config/database/base.py, counter/selectors/compiled.py;
docs/adr/0040-kept-statements-planned-once.md).

The case list's page was planned afresh on every call (PostgreSQL found a plan
for any day dearer than one for today): 0.4 ms of the server's CPU per page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection, connections
from django.utils import timezone
from rest_framework.test import APIClient

from counter.models import Case
from counter.models.cases import OPEN_STATES
from counter.selectors import compiled
from counter.selectors import residents as search_selector
from tests import factories as f

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only"),
]


def _plans(like: str) -> list[tuple[int, int]]:
    """(generic plans, custom plans) of this connection's prepared statements
    whose text is ``like``."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements "
            "WHERE statement LIKE %s",
            [like],
        )
        return [tuple(row) for row in cursor.fetchall()]


def _client(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize(
    ("prepared", "mode"),
    # Behind a pooler without prepared statements, nothing is set.
    [(True, "force_generic_plan"), (False, "auto")],
)
def test_a_connection_plans_its_prepared_statements_once(settings, prepared, mode):
    settings.DB_PREPARED_STATEMENTS = prepared
    fresh = connections.create_connection("default")
    try:
        with fresh.cursor() as cursor:
            cursor.execute("SHOW plan_cache_mode")
            assert cursor.fetchone()[0] == mode
    finally:
        fresh.close()


def test_the_case_list_page_is_planned_once(city, office, clerk):
    for _ in range(3):
        f.CaseFactory(resident=f.ResidentFactory(municipality=city), office=office)
    client = _client(clerk)
    for _ in range(8):
        assert client.get("/api/v1/cases/").status_code == 200
    plans = _plans("WITH shown %counter_case%")
    assert plans, "the page is a prepared statement"
    assert sum(custom for _generic, custom in plans) == 0
    assert sum(generic for generic, _custom in plans) >= 8


def test_the_queue_names_the_open_states_in_its_text(city, office, clerk):
    """A plan made for any day can use the open cases' partial index only if
    the states it is restricted to are in the statement, not parameters."""
    f.CaseFactory(resident=f.ResidentFactory(municipality=city), office=office)
    shapes = []
    real = compiled.compiled

    def spy(key, build, sentinels):  # type: ignore[no-untyped-def]
        shape = real(key, build, sentinels)
        shapes.append(shape)
        return shape

    compiled.compiled = spy
    try:
        assert _client(clerk).get("/api/v1/cases/").status_code == 200
    finally:
        compiled.compiled = real
    [page] = shapes
    for state in OPEN_STATES:
        assert f"'{state}'" in page.sql
    assert len(page.constants) == len(page.slots)


@pytest.mark.parametrize(
    "name",
    ["O'Brien 100% \\ %s", "50%% off", "今日は'晴れ'", "x%sy"],
)
def test_constants_written_in_read_the_rows_django_reads(city, office, name):
    """Quotes, percent signs, backslashes and a ``%s`` in a constant stay the
    constant's, and the slots are still bound."""
    ours = f.CaseFactory(
        resident=f.ResidentFactory(municipality=city),
        office=office,
        applicant_name=name,
    )
    f.CaseFactory(
        resident=f.ResidentFactory(municipality=city),
        office=office,
        applicant_name="someone else",
    )

    def build(s: Any) -> Any:
        return (
            Case.objects.filter(
                municipality_id=s["city"],
                applicant_name__in=[name, "nobody's"],
                created_at__gte=s["since"],
                created_at__lt=timezone.now() + dt.timedelta(days=1),
            )
            .order_by("pk")
            .values_list("reference", "applicant_name")
        )

    shape = compiled.compile_shape(
        build,
        {"city": compiled.sentinel_int(), "since": compiled.sentinel_datetime()},
    )
    assert name not in shape.constants and len(shape.constants) == 2
    values = {"city": city.pk, "since": timezone.now() - dt.timedelta(days=1)}
    assert shape.rows(values) == list(build(values))
    assert shape.rows(values) == [(ours.reference, name)]


def test_a_name_searched_by_trigrams_is_planned_for_its_pattern(city, clerk):
    """How many residents a pattern matches decides its best plan, so that
    statement is sent with its values and never prepared; a short name's is."""
    search_selector._compiled_searches.clear()
    f.ResidentFactory(municipality=city, name="佐藤 花子", name_kana="サトウ ハナコ")
    client = _client(clerk)
    for query in ("佐藤 花子", "サトウ", "佐藤"):
        answer = client.get("/api/v1/residents/", {"q": query})
        assert answer.status_code == 200
        assert len(answer.json()) == 1
    assert _plans("%LIKE%ranked%") == _plans("%ranked%LIKE%") == []
    short = _plans("%STRPOS(%")
    assert short and all(custom == 0 for _generic, custom in short)
