"""The reads compiled once per process are prepared on the PostgreSQL server,
once per connection (config/database/base.py ``prepared_cursor``; ADR 0035):
parsed and planned once instead of on every request, still counted and logged
as Django's own queries, and still answered after a migration changed a column
under a prepared statement."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from counter.audit import access_record, access_record_many, audit_record
from counter.models import AccessPath, AccessRecord
from counter.selectors.compiled import compiled, sentinel_int
from counter.services.case_counts import count_case_opened
from tests import factories as f
from tests.factories import MunicipalityFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _other_connection() -> psycopg.Connection[Any]:
    params = connection.get_connection_params()
    for name in ("cursor_factory", "context", "prepare_threshold"):
        params.pop(name, None)
    return psycopg.connect(**params, autocommit=True)


def _prepared_here() -> list[str]:
    """The statements this connection has prepared on the server."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def _city_code_shape(key: str) -> Any:
    return compiled(
        ("test-prepared", key),
        lambda slots: MunicipalityFactory._meta.model.objects.filter(
            pk=slots["pk"]
        ).values_list("code"),
        lambda: {"pk": sentinel_int()},
    )


def test_a_kept_read_is_prepared_once_and_answers_every_time():
    first, second = MunicipalityFactory(code="131001"), MunicipalityFactory()
    shape = _city_code_shape("answers")
    assert shape.rows({"pk": first.pk}) == [("131001",)]
    assert shape.rows({"pk": second.pk}) == [(second.code,)]
    assert shape.rows({"pk": -1}) == []
    prepared = [s for s in _prepared_here() if '"counter_municipality"' in s]
    assert len(prepared) == 1  # one statement for three calls
    assert "$1" in prepared[0]  # the value bound on the server, not in the text


def test_a_kept_read_is_counted_and_logged_like_any_query():
    city = MunicipalityFactory()
    shape = _city_code_shape("counted")
    with CaptureQueriesContext(connection) as queries:
        shape.rows({"pk": city.pk})
    assert len(queries.captured_queries) == 1
    assert '"counter_municipality"' in queries.captured_queries[0]["sql"]


def test_with_prepared_statements_off_nothing_is_prepared(settings):
    settings.DB_PREPARED_STATEMENTS = False
    city = MunicipalityFactory()
    assert _city_code_shape("off").rows({"pk": city.pk}) == [(city.code,)]
    assert _prepared_here() == []


def test_a_column_changed_by_a_migration_under_a_prepared_statement_is_read_afresh():
    with _other_connection() as other:
        other.execute("CREATE TABLE prepared_probe (a integer)")
        other.execute("INSERT INTO prepared_probe VALUES (7)")
        try:
            read = "SELECT a FROM prepared_probe WHERE a = %s"
            with connection.prepared_cursor() as cursor:
                cursor.execute(read, [7])
                assert cursor.fetchall() == [(7,)]
            # Another process migrates: the column's type, and so the result's.
            other.execute("ALTER TABLE prepared_probe ALTER COLUMN a TYPE bigint")
            with connection.prepared_cursor() as cursor:
                cursor.execute(read, [7])
                assert cursor.fetchall() == [(7,)]
        finally:
            connection.close()
            other.execute("DROP TABLE prepared_probe")


def test_the_access_log_inserts_of_every_read_are_prepared_too():
    """The access log's two inserts (one row; a list's rows from arrays) run on
    every API read: each is prepared once per connection, its values bound."""
    city = MunicipalityFactory()
    user = get_user_model().objects.create(username="reader")
    residents = [f.ResidentFactory(municipality=city) for _ in range(3)]
    request = RequestFactory().get("/api/v1/residents/?q=x")
    request.user = user
    for _ in range(2):
        access_record_many(request, AccessPath.API_SEARCH, residents)
        access_record(request, AccessPath.API_SEARCH, resident=residents[0])
    inserts = [s for s in _prepared_here() if '"counter_accessrecord"' in s]
    assert len(inserts) == 2, inserts
    assert all("$1" in s for s in inserts)
    assert AccessRecord.objects.filter(actor=user).count() == 8


def test_the_audit_trails_append_and_the_day_counts_are_prepared_too():
    """Every state change appends to its city's chain and moves the day's
    counts: kept statements, each prepared once per connection."""
    city = MunicipalityFactory()
    for n in range(3):
        audit_record(action="prepared_probe", municipality=city, data={"n": n})
    appends = [s for s in _prepared_here() if "INSERT INTO counter_auditevent" in s]
    assert len(appends) == 1, appends
    assert "$1" in appends[0]
    case = f.CaseFactory(resident=f.ResidentFactory(municipality=city))
    count_case_opened(case)
    count_case_opened(case)
    counts = [s for s in _prepared_here() if "counter_casedaycount" in s]
    assert len(counts) == 1, counts


def test_a_long_kept_statement_is_converted_once_per_process(monkeypatch):
    """psycopg converts ``%s`` to ``$n`` afresh for a statement over 4 KB (the
    case list's page is longer); a kept statement is converted once."""
    from config.database import base

    city = MunicipalityFactory(code="131002")
    calls: list[bytes] = []
    convert = base._query2pg_nocache

    def counting(query: bytes, encoding: str) -> Any:
        calls.append(query)
        return convert(query, encoding)

    monkeypatch.setattr(base, "_query2pg_nocache", counting)
    monkeypatch.setattr(base, "_converted", {})
    # Over psycopg's 4 KB: a comment no row or plan depends on.
    shape = compiled(
        ("test-prepared", "long"),
        lambda slots: MunicipalityFactory._meta.model.objects.filter(
            pk=slots["pk"]
        ).values_list("code"),
        lambda: {"pk": sentinel_int()},
    )
    long_sql = shape.sql + " -- " + "x" * 5000
    with connection.prepared_cursor() as cursor:
        for _ in range(3):
            cursor.execute(long_sql, shape.params({"pk": city.pk}))
            assert cursor.fetchall() == [("131002",)]
    assert len(calls) == 1
