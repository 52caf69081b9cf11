"""Keyset paging of ordered querysets, for the API and the console (issue 14;
docs/adr/0022-api-pages-cached-permissions-and-sessions.md).

A page ends with a *cursor*: the sort key of its last row, encoded opaquely. The
next page is ``WHERE (key) > (cursor) ORDER BY key LIMIT n`` — an index range,
as fast on page 1,000 as on page 1, and stable while rows are added (nothing
shown twice or skipped, unlike ``OFFSET``).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from django.db.models import Model, Q, QuerySet
from django.utils.dateparse import parse_date, parse_datetime


class BadCursor(ValueError):
    """A cursor this list did not give out."""


def _encode(values: Sequence[Any]) -> str:
    plain = [v.isoformat() if isinstance(v, dt.date) else v for v in values]
    raw = json.dumps(plain, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, model: type[Model], keys: Sequence[str]) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        plain = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise BadCursor(cursor) from exc
    if not isinstance(plain, list) or len(plain) != len(keys):
        raise BadCursor(cursor)
    values: list[Any] = []
    for key, value in zip(keys, plain, strict=True):
        field: Any = model._meta.pk if key == "pk" else model._meta.get_field(key)
        kind = field.get_internal_type()
        parsed: Any = None
        try:
            if kind == "DateTimeField" and isinstance(value, str):
                parsed = parse_datetime(value)
            elif kind == "DateField" and isinstance(value, str):
                parsed = parse_date(value)
            elif isinstance(value, int) and not isinstance(value, bool):
                parsed = value
        except ValueError as exc:  # well formed, but no such day or time
            raise BadCursor(cursor) from exc
        if parsed is None:
            raise BadCursor(cursor)
        values.append(parsed)
    return values


def _after(keys: Sequence[str], values: Sequence[Any]) -> Q:
    """``(k1, k2, …) > (v1, v2, …)`` written as ORs the planner turns into an
    index range: k1 > v1, or k1 = v1 and k2 > v2, …"""
    condition = Q()
    for i, key in enumerate(keys):
        step = Q(**{f"{key}__gt": values[i]})
        for earlier, value in zip(keys[:i], values[:i], strict=True):
            step &= Q(**{earlier: value})
        condition |= step
    return condition


def keyset(
    queryset: QuerySet[Any], keys: Sequence[str], *, cursor: str | None, limit: int
) -> tuple[list[Any], str | None]:
    """The ``limit`` rows of ``queryset`` after ``cursor`` in ``keys`` order
    (ascending, the last key unique, e.g. ``("created_at", "pk")``), and the
    cursor of the next page (None on the last one). Raises :class:`BadCursor`."""
    queryset = queryset.order_by(*keys)
    if cursor:
        queryset = queryset.filter(_after(keys, _decode(cursor, queryset.model, keys)))
    rows = list(queryset[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, _encode([getattr(rows[-1], key) for key in keys])
