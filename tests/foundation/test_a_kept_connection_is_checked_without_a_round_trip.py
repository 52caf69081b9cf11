"""A kept database connection is checked before each request's first query
without a round trip, and one the server ended is still replaced
(config/database/base.py; ADR 0033)."""

from __future__ import annotations

import select
from typing import Any

import psycopg
import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db(transaction=True)


def _other_connection() -> psycopg.Connection[Any]:
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("prepare_threshold", None)
    return psycopg.connect(**params, autocommit=True)


def _until_readable(raw: Any, seconds: float = 5.0) -> None:
    poller = select.poll()
    poller.register(raw.pgconn.socket, select.POLLIN)
    if not poller.poll(int(seconds * 1000)):
        raise AssertionError("the server's message never arrived")


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def _statements_sent(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every statement the raw psycopg connection is asked to run (the health
    check bypasses Django's cursor and its query log)."""
    sent: list[str] = []
    real = psycopg.Cursor.execute

    def execute(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append(str(query))
        return real(self, query, *args, **kwargs)

    monkeypatch.setattr(psycopg.Cursor, "execute", execute)
    monkeypatch.setattr(psycopg.ClientCursor, "execute", execute)
    return sent


def test_the_projects_backend_is_the_one_in_use() -> None:
    assert type(connections["default"]).__module__ == "config.database.base"
    assert connections["default"].settings_dict["CONN_HEALTH_CHECKS"]


def test_a_healthy_idle_connection_is_checked_without_sending_anything(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _backend_pid()
    raw = connection.connection
    sent = _statements_sent(monkeypatch)
    connection.health_check_done = False

    connection.close_if_health_check_failed()

    assert sent == []
    assert connection.connection is raw  # kept, not reconnected


def test_a_connection_the_server_ended_is_replaced_before_it_is_used() -> None:
    old_pid = _backend_pid()
    raw = connection.connection
    with _other_connection() as other:
        other.execute("SELECT pg_terminate_backend(%s)", [old_pid])
    _until_readable(raw)
    connection.health_check_done = False

    connection.close_if_health_check_failed()

    assert connection.connection is None
    with CaptureQueriesContext(connection):
        assert _backend_pid() != old_pid  # a new connection, and no error


def test_something_arriving_unasked_is_checked_with_a_real_query(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with connection.cursor() as cursor:
        cursor.execute("LISTEN madoguchi_health_check_test")
    raw = connection.connection
    with _other_connection() as other:
        other.execute("NOTIFY madoguchi_health_check_test")
    _until_readable(raw)
    sent = _statements_sent(monkeypatch)
    connection.health_check_done = False

    connection.close_if_health_check_failed()

    assert sent == ["SELECT 1"]
    assert connection.connection is raw  # the notice was harmless: kept
    with connection.cursor() as cursor:
        cursor.execute("UNLISTEN *")


def test_a_connection_inside_a_transaction_is_checked_with_a_real_query(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _backend_pid()
    raw = connection.connection
    raw.execute("BEGIN")
    try:
        sent = _statements_sent(monkeypatch)
        assert connection.is_usable()
        assert sent == ["SELECT 1"]
    finally:
        monkeypatch.undo()
        raw.execute("ROLLBACK")


def test_a_closed_connection_is_not_usable() -> None:
    _backend_pid()
    raw = connection.connection
    raw.close()
    assert not connection.is_usable()
    connection.close()
