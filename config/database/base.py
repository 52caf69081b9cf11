"""Django's PostgreSQL backend with a health check that costs no round trip
(issue 14; docs/adr/0033-database-health-check-without-a-round-trip.md).

A kept connection (``CONN_MAX_AGE``) is checked once per request or task before
its first query (``CONN_HEALTH_CHECKS``), so the first request after a database
restart reconnects instead of failing (issue 12's fault harness). Django checks
by sending ``SELECT 1``: one more round trip on every request, the API's floor
included. A connection the server ended has a socket that is *readable* while
nothing was asked: the server's last message (``57P01`` and the like) and the
end of the stream arrive unasked. So an idle connection whose socket has
nothing to read is usable without asking; anything unasked on it, or any state
other than idle, falls back to Django's ``SELECT 1``.

Times are read by :class:`UtcTimestamptzLoader` (issue 14): Django's own
``timestamptz`` loader parses each value in Python (about 3 µs), and a page of
cases carries dozens.

It also gives the reads compiled once per process (``counter/selectors/
compiled.py``) a cursor whose statements PostgreSQL parses and plans once per
connection (:meth:`DatabaseWrapper.prepared_cursor`; ADR 0035), and plans once
for every value: a kept statement's values are ids, a day's bounds, a cursor,
whose best plan does not depend on them, and PostgreSQL's own choice kept
re-planning the case list's page on every call (0.4 ms of the server's CPU)
because its estimate of a plan for any day was dearer than for today's
(docs/adr/0040-kept-statements-planned-once.md). A statement whose best plan
depends on its values (a name searched by trigrams) is not kept this way.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import select
from collections.abc import Iterator
from typing import Any

import psycopg
from django.conf import settings
from django.db.backends.postgresql import base, operations
from django.db.backends.postgresql.psycopg_any import BaseTzLoader
from psycopg import pq
from psycopg._queries import PostgresQuery, _query2pg_nocache


def _readable(fileno: int) -> bool:
    """Whether anything waits on the socket, without waiting."""
    poller = select.poll()
    poller.register(fileno, select.POLLIN | select.POLLPRI)
    return bool(poller.poll(0))


#: psycopg's automatic preparing after this many runs of one statement: never.
EXPLICIT_ONLY = 2**62


#: Kept statements converted per process at most; past it the cache starts
#: again (the compiled shapes are a bounded set, ``MAX_SHAPES`` of them).
MAX_CONVERTED = 1024
_converted: dict[tuple[str | bytes, str], Any] = {}


class UtcTimestamptzLoader(BaseTzLoader):
    """Django's ``timestamptz`` loader for a connection in UTC, with the ISO text
    PostgreSQL writes (``2026-12-06 13:27:30.143125+00``) read by
    ``datetime.fromisoformat`` (about 0.1 µs) instead of psycopg's Python
    parser (about 3 µs). The same value and the same ``timezone.utc``: anything
    else (another DateStyle, an offset other than zero, a year past 9999, BC,
    infinity) goes to Django's loader, which answers or refuses it as before.
    ``tests/foundation/test_times_are_read_as_django_reads_them.py``."""

    timezone = dt.UTC

    def load(self, data: Any) -> dt.datetime:
        try:
            value = dt.datetime.fromisoformat(bytes(data).decode())
        except ValueError:
            return super().load(data)  # type: ignore[no-any-return]
        if value.tzinfo is not dt.UTC:
            return super().load(data)  # type: ignore[no-any-return]
        return value


class KeptQuery(PostgresQuery):
    """psycopg's query conversion (``%s`` to ``$1`` …), kept per process for
    every kept statement. psycopg keeps it only for statements up to 4 KB and
    50 parameters; the case list's page (with its access log, ADR 0038) is
    longer, and was split with a regular expression on every call (issue 14).
    The kept SQL is a bounded set of texts, so the cache cannot grow with the
    data; the values are still dumped on every call."""

    __slots__ = ()

    def convert(self, query: Any, vars: Any) -> None:
        if vars is None or not isinstance(query, str | bytes):
            super().convert(query, vars)
            return
        key = (query, self._tx.encoding)
        found = _converted.get(key)
        if found is None:
            found = _query2pg_nocache(self._ensure_bytes(query), self._tx.encoding)
            if len(_converted) >= MAX_CONVERTED:
                _converted.clear()
            _converted[key] = found
        self.query, self._want_formats, self._order, self._parts = found
        self.dump(vars)


class PreparedCursor(base.ServerBindingCursor):  # type: ignore[misc,name-defined]
    """Parameters bound on the server and the statement prepared on first use:
    the SQL text of a compiled read never changes, so PostgreSQL keeps its parse
    and, once it finds a generic plan as good as a fresh one, its plan; and
    psycopg keeps its conversion of the text (:class:`KeptQuery`)."""

    _query_cls = KeptQuery

    def execute(self, query: Any, params: Any = None, **options: Any) -> Any:
        options["prepare"] = True
        try:
            return super().execute(query, params, **options)
        except psycopg.errors.FeatureNotSupported as error:
            # A migration changed the type of a column a kept statement returns
            # while this connection was open ("cached plan must not change
            # result type"). Outside a transaction: forget this connection's
            # statements and run it afresh. Inside one, the transaction has
            # failed anyway, and its rollback makes psycopg forget them.
            if (
                "cached plan" not in str(error)
                or self.connection.info.transaction_status != pq.TransactionStatus.IDLE
            ):
                raise
            super().execute("DEALLOCATE ALL", prepare=False)
            return super().execute(query, params, **options)


class DatabaseOperations(operations.DatabaseOperations):
    def last_executed_query(self, cursor: Any, sql: Any, params: Any) -> Any:
        """A prepared statement's SQL with its values, for Django's query log
        and the tests' query captures (psycopg keeps no text for it)."""
        if isinstance(cursor, PreparedCursor):
            try:
                return self.compose_sql(sql, params)
            except psycopg.errors.DataError:
                return None
        return super().last_executed_query(cursor, sql, params)


#: Kept statements are planned once, for any value (ADR 0040). Only statements
#: whose values are bound on the server are planned this way: Django's own
#: cursors bind on the client and send no parameters, so the setting does not
#: reach them.
PLAN_ONCE_SQL = "SET plan_cache_mode = force_generic_plan"


def _kept_statements_prepared() -> bool:
    """``DB_PREPARED_STATEMENTS``: off behind a pooler that cannot keep them."""
    return bool(getattr(settings, "DB_PREPARED_STATEMENTS", True))


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    def _configure_connection(self, connection: Any) -> bool:
        """Django's setup of a new connection (time zone, role), and kept
        statements planned once when they are prepared (ADR 0040)."""
        commit = bool(super()._configure_connection(connection))  # type: ignore[misc]
        if _kept_statements_prepared():
            with connection.cursor() as cursor:
                cursor.execute(PLAN_ONCE_SQL)
            commit = True
        return commit

    def get_new_connection(self, conn_params: Any) -> Any:
        connection = super().get_new_connection(conn_params)
        if self.timezone is dt.UTC:
            # USE_TZ with the connection in UTC (Django's default): the
            # loader Django would use, reading ISO text faster. A connection
            # in another zone keeps Django's.
            connection.adapters.register_loader("timestamptz", UtcTimestamptzLoader)
        return connection

    def prepared_cursor(self) -> Any:
        """A cursor for SQL compiled once per process, prepared on the server
        (Django's own cursors bind on the client and never prepare). Through
        Django's cursor wrapper, so the query is counted and logged as any
        other. ``DB_PREPARED_STATEMENTS`` off (a pooler that cannot keep
        prepared statements) gives Django's own cursor."""
        if not _kept_statements_prepared():
            return self.cursor()
        self.close_if_health_check_failed()
        self.ensure_connection()
        if self.connection.prepare_threshold is None:
            # Django turns psycopg's preparing off (None), and psycopg then
            # ignores ``prepare=True``. A threshold no count reaches turns it
            # back on for this cursor's explicit requests only: Django's own
            # cursors bind on the client and are never prepared.
            self.connection.prepare_threshold = EXPLICIT_ONLY
        with self.wrap_database_errors:
            return self._prepare_cursor(  # type: ignore[attr-defined]
                PreparedCursor(self.connection)
            )

    @contextlib.contextmanager
    def bytes_bound_on_server(self) -> Iterator[None]:
        """Django's cursors opened inside bind their values on the server: a
        ``bytes`` value (a letter's PDF) travels as a binary parameter instead
        of a hex literal twice its size in the SQL text, which the client
        escapes and the server parses (ADR 0041). Everything else is sent as
        Django sends it with ``server_side_binding``; the connection's cursors
        bind on the client again on the way out."""
        self.ensure_connection()
        connection = self.connection
        before = connection.cursor_factory
        connection.cursor_factory = base.ServerBindingCursor  # type: ignore[attr-defined]
        try:
            yield
        finally:
            connection.cursor_factory = before

    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        pgconn = connection.pgconn
        if (
            pgconn.status != pq.ConnStatus.OK
            or pgconn.transaction_status != pq.TransactionStatus.IDLE
            or not hasattr(select, "poll")
        ):
            return bool(super().is_usable())
        try:
            unasked = _readable(pgconn.socket)
        except (OSError, ValueError, psycopg.Error):
            return False
        if unasked:
            # The server's goodbye, or a notice: let a real query tell which.
            return bool(super().is_usable())
        return True
