"""Times read from PostgreSQL (issue 14, ADR 0039): the connection's
``timestamptz`` loader reads the ISO text with ``datetime.fromisoformat``
instead of Django's loader's Python parser, and gives exactly what Django's
gives — the same instant, the same ``timezone.utc`` object — or, for what it
cannot read, Django's own answer or refusal."""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest
from django.db import DataError, connection
from django.db.backends.postgresql.psycopg_any import register_tzloader
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config.database.base import UtcTimestamptzLoader

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only"),
]

TIMESTAMPTZ = psycopg.adapters.types["timestamptz"].oid
UTC = dt.UTC
EDGES = [
    dt.datetime(1, 1, 1, tzinfo=UTC),
    dt.datetime(1970, 1, 1, tzinfo=UTC),
    dt.datetime(2026, 12, 6, 13, 27, 30, tzinfo=UTC),
    dt.datetime(2026, 12, 6, 13, 27, 30, 100000, tzinfo=UTC),
    dt.datetime(2026, 12, 6, 13, 27, 30, 1, tzinfo=UTC),
    dt.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
]


def _read(value: dt.datetime, *, djangos: bool) -> dt.datetime:
    with connection.cursor() as cursor:
        if djangos:
            register_tzloader(UTC, cursor.cursor)
        cursor.execute("SELECT %s::timestamptz", [value])
        return cursor.fetchone()[0]


def test_the_connection_reads_times_with_the_iso_loader():
    connection.ensure_connection()
    loader = connection.connection.adapters.get_loader(
        TIMESTAMPTZ, psycopg.pq.Format.TEXT
    )
    assert loader is UtcTimestamptzLoader


@pytest.mark.parametrize("value", EDGES, ids=str)
def test_an_edge_time_is_read_as_django_reads_it(value):
    ours, djangos = _read(value, djangos=False), _read(value, djangos=True)
    assert ours == djangos == value
    assert ours.tzinfo is djangos.tzinfo is UTC


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.datetimes(timezones=st.just(UTC)))
def test_any_time_is_read_as_django_reads_it(value):
    ours = _read(value, djangos=False)
    assert ours == _read(value, djangos=True) == value
    assert ours.tzinfo is UTC


def test_what_iso_cannot_read_is_refused_as_django_refuses_it():
    with pytest.raises(DataError) as ours, connection.cursor() as cursor:
        cursor.execute("SELECT 'infinity'::timestamptz")
        cursor.fetchone()
    with pytest.raises(DataError) as djangos, connection.cursor() as cursor:
        register_tzloader(UTC, cursor.cursor)
        cursor.execute("SELECT 'infinity'::timestamptz")
        cursor.fetchone()
    assert type(ours.value) is type(djangos.value)
    assert str(ours.value) == str(djangos.value)


def test_a_time_in_another_zone_goes_to_djangos_loader():
    """Text with an offset other than zero (a connection not in UTC) is never
    read by the fast path: Django's loader decides, as it did before."""
    connection.ensure_connection()
    ours = UtcTimestamptzLoader(TIMESTAMPTZ, connection.connection)
    with connection.cursor() as cursor:
        register_tzloader(UTC, cursor.cursor)
        djangos = cursor.cursor.adapters.get_loader(
            TIMESTAMPTZ, psycopg.pq.Format.TEXT
        )(TIMESTAMPTZ, cursor.cursor)
    for text in (b"2026-12-06 22:27:30.5+09", b"2026-12-06 13:27:30 BC+00"):
        try:
            expected = djangos.load(text)
        except psycopg.DataError:
            with pytest.raises(psycopg.DataError):
                ours.load(text)
        else:
            assert ours.load(text) == expected
            assert ours.load(text).tzinfo is expected.tzinfo
