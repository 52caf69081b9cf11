"""A query set's SQL compiled once per process and shape, its changing values
bound per call (issue 14; ADR 0030, "Addendum 2 (case endpoints)").

Django compiles a query set's SQL on every evaluation: ≈ 0.5–1 ms of CPU a
query for the API's case reads, more than the query itself. Here a *shape* is a
function that builds the query set from named *slot* values (the scope's
municipality and office, the day's bounds, a cursor, a reference). It is built
once with sentinel values no real row or constant has, compiled by Django, and
the position of each sentinel in the parameters recorded; a call puts the real
values at those positions and runs the same SQL text. The query set is the
ORM's own, scope included (``within(scope)``), so the SQL is what Django would
send; ``tests/api/test_case_endpoints_compiled_reads.py`` holds the bound
SQL and parameters equal to a fresh compile for each shape.

Everything else in the parameters is a constant of the shape (the open
states of the queue, a ``LIMIT``) and is written into the SQL text as a
literal: the statement is planned once for any value of its slots
(docs/adr/0040-kept-statements-planned-once.md), and a plan made without the
values can still use an index whose condition names the constants (the queue's
``case_open_municipality_updated``).

PostgreSQL only (:func:`available`); elsewhere (the demo's SQLite) callers use
the query sets as they are.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import threading
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import JSONField, Model, QuerySet
from django.db.models.expressions import Col
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]
from psycopg import sql as pg_sql

from config.database.kept import prepared_cursor

#: Shapes kept per process at most; past it the cache starts again (a shape is
#: a few KB; the API's case reads have a few dozen in use).
MAX_SHAPES = 512

_sentinel_ints = itertools.count(-7_300_000_001, -1)
_SENTINEL_DAY = dt.datetime(1901, 2, 3, 4, 5, 6, tzinfo=dt.UTC)


def sentinel_int() -> int:
    """An integer no row id and no constant of the API's queries is."""
    return next(_sentinel_ints)


def sentinel_datetime() -> dt.datetime:
    """An instant no row and no constant of the API's queries has."""
    return _SENTINEL_DAY + dt.timedelta(microseconds=-sentinel_int())


def sentinel_text() -> str:
    return f"\x00slot{-sentinel_int()}\x00"


@dataclass(frozen=True)
class Compiled:
    """One shape's SQL, its parameters with the slots' positions, and the
    column converters Django applies to its rows (e.g. JSON decoding)."""

    alias: str
    sql: str
    constants: tuple[Any, ...]
    slots: tuple[tuple[int, str], ...]
    converters: tuple[tuple[int, tuple[Any, ...], Any], ...]
    #: The positions of the slots among Django's own parameters, before the
    #: constants were written in (what the tests compare with a fresh compile).
    slot_sources: tuple[int, ...] = ()

    def params(self, values: Mapping[str, Any]) -> list[Any]:
        params = list(self.constants)
        for position, name in self.slots:
            params[position] = values[name]
        return params

    def rows(
        self,
        values: Mapping[str, Any],
        *,
        around: Callable[[str, list[Any]], tuple[str, list[Any]]] | None = None,
    ) -> list[Any]:
        """The rows, as ``values_list`` gives them (tuples), for ``values``;
        ``around`` puts the SQL inside a larger statement that answers the same
        rows in the same order (the access log's, ``ReadLog.around``)."""
        connection = connections[self.alias]
        sql, params = self.sql, self.params(values)
        if around is not None:
            sql, params = around(sql, params)
        with prepared_cursor(connection) as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if not self.converters:
            return rows
        converted = []
        for row in rows:
            row = list(row)
            for position, functions, expression in self.converters:
                value = row[position]
                for function in functions:
                    value = function(value, expression, connection)
                row[position] = value
            converted.append(tuple(row))
        return converted


_shapes: dict[Hashable, Compiled | CompiledModels] = {}
_lock = threading.Lock()


def available(alias: str = "default") -> bool:
    return connections[alias].vendor == "postgresql"


def compiled(
    key: Hashable,
    build: Callable[[Mapping[str, Any]], QuerySet[Any]],
    sentinels: Callable[[], Mapping[str, Any]],
) -> Compiled:
    """The shape ``key``, compiled on first use from ``build(sentinels())``.

    ``key`` must name everything that changes the SQL text (which filters
    apply, a list's length, a LIMIT); the sentinels stand for everything that
    changes only its parameters."""
    found = _shapes.get(key)
    if isinstance(found, Compiled):
        return found
    shape = compile_shape(build, sentinels())
    _keep(key, shape)
    return shape


def _keep(key: Hashable, shape: Compiled | CompiledModels) -> None:
    with _lock:
        if len(_shapes) >= MAX_SHAPES:
            _shapes.clear()
        _shapes[key] = shape


def compile_shape(
    build: Callable[[Mapping[str, Any]], QuerySet[Any]], sentinels: Mapping[str, Any]
) -> Compiled:
    """Compile ``build(sentinels)`` and find each sentinel among its parameters:
    every sentinel must be there, and nothing else may look like one."""
    return _compile(build, sentinels)[0]


@dataclass(frozen=True)
class CompiledModels:
    """A shape whose rows become model instances (``select_related`` included)
    exactly as Django's own iterator makes them: the same columns, converters
    and related populators."""

    compiled: Compiled
    model: type[Model]
    init_list: tuple[str, ...]
    fields: tuple[int, int]
    populators: tuple[Any, ...]

    def objects(self, values: Mapping[str, Any]) -> list[Any]:
        first, last = self.fields
        alias = self.compiled.alias
        found = []
        for row in self.compiled.rows(values):
            obj = self.model.from_db(alias, list(self.init_list), row[first:last])
            for populator in self.populators:
                populator.populate(row, obj)
            found.append(obj)
        return found


def compiled_models(
    key: Hashable,
    build: Callable[[Mapping[str, Any]], QuerySet[Any]],
    sentinels: Callable[[], Mapping[str, Any]],
) -> CompiledModels:
    """As :func:`compiled`, for a query set of model instances."""
    found = _shapes.get(key)
    if isinstance(found, CompiledModels):
        return found
    shape, compiler = _compile(build, sentinels())
    klass_info, select = compiler.klass_info, compiler.select
    first = klass_info["select_fields"][0]
    last = klass_info["select_fields"][-1] + 1
    models = CompiledModels(
        compiled=shape,
        model=klass_info["model"],
        init_list=tuple(f[0].target.attname for f in select[first:last]),
        fields=(first, last),
        populators=tuple(get_related_populators(klass_info, select, shape.alias)),
    )
    _keep(key, models)
    return models


def _compile(
    build: Callable[[Mapping[str, Any]], QuerySet[Any]], sentinels: Mapping[str, Any]
) -> tuple[Compiled, Any]:
    queryset = build(sentinels)
    compiler = queryset.query.get_compiler(using=queryset.db)
    sql, params = compiler.as_sql()
    slots: list[tuple[int, str]] = []
    for position, value in enumerate(params):
        names = [
            name
            for name, sentinel in sentinels.items()
            if type(value) is type(sentinel) and value == sentinel
        ]
        if len(names) > 1:
            raise ValueError(f"sentinels {names} share a value")
        if names:
            slots.append((position, names[0]))
    missing = set(sentinels) - {name for _position, name in slots}
    if missing:
        raise ValueError(f"the query does not use the slots {sorted(missing)}")
    fields = [selected[0] for selected in compiler.select[: compiler.col_count]]
    converters = tuple(
        (position, _plain(tuple(functions), expression), expression)
        for position, (functions, expression) in compiler.get_converters(fields).items()
    )
    sources = tuple(position for position, _name in slots)
    written, left = write_in_constants(queryset.db, sql, params, sources)
    shape = Compiled(
        alias=queryset.db,
        sql=written,
        constants=tuple(left),
        # The slots are the parameters left, in the order they were found.
        slots=tuple((index, name) for index, (_p, name) in enumerate(slots)),
        converters=converters,
        slot_sources=sources,
    )
    return shape, compiler


_PLACEHOLDER = re.compile(r"%%|%s")


def write_in_constants(
    alias: str, sql: str, params: Sequence[Any], keep: Sequence[int]
) -> tuple[str, list[Any]]:
    """``sql`` with every parameter but those at the positions ``keep`` written
    in as a literal, quoted by psycopg as it would send the value; and the
    parameters left, in order. The same statement, whose constants the planner
    sees even in a plan made for any value of the others."""
    connection = connections[alias]
    connection.ensure_connection()
    kept = set(keep)
    left: list[Any] = []
    position = 0

    def one(match: re.Match[str]) -> str:
        nonlocal position
        if match.group() == "%%":
            return "%%"
        index, position = position, position + 1
        if index in kept:
            left.append(params[index])
            return "%s"
        literal = pg_sql.Literal(params[index]).as_string(connection.connection)
        return literal.replace("%", "%%")

    written = _PLACEHOLDER.sub(one, sql)
    if position != len(params):
        raise ValueError(f"{position} placeholders for {len(params)} parameters")
    return written, left


def _plain(functions: tuple[Any, ...], expression: Any) -> tuple[Any, ...]:
    """A JSON column's converter as Django's (``JSONField.from_db_value`` of a
    plain column without a decoder), with the empty list and object — most
    of a case's JSON columns — answered without the decoder."""
    if (
        len(functions) == 1
        and getattr(functions[0], "__func__", None) is JSONField.from_db_value
        and isinstance(expression, Col)
        and isinstance(expression.target, JSONField)
        and expression.target.decoder is None
    ):
        return (_json,)
    return functions


def _json(value: Any, expression: Any, connection: Any) -> Any:
    """``JSONField.from_db_value`` for a plain column without a decoder."""
    if value is None:
        return None
    if value == "[]":
        return []
    if value == "{}":
        return {}
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        return value


def list_slots(prefix: str, values: Sequence[Any]) -> dict[str, Any]:
    """A list's elements as slots ``prefix.0``, ``prefix.1``, … (an ``IN``
    list's length is part of the shape's key, its elements are slots)."""
    return {f"{prefix}.{i}": value for i, value in enumerate(values)}
