"""A search too short for the trigram indexes (佐藤, 鈴木, 田中: the commonest at
a counter) is read by a statement of its own, ``STRPOS(column, query) > 0``
(issue 14, ADR 0039): the same residents in the same order as the ORM's
``LIKE`` search, and a statement PostgreSQL plans once and keeps, where the
``LIKE`` form was planned again on every call."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from counter.selectors import residents as selector
from counter.selectors.residents import (
    resident_search_rows,
    residents_search,
    too_short_for_trigrams,
)
from tests import factories as f

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only"),
]

SHORT = ["佐藤", "鈴木", "藤", "さと", "ｻﾄ", "ß", "st", "R1"]


@pytest.fixture(autouse=True)
def nothing_kept() -> Iterator[None]:
    selector._compiled_searches.clear()
    yield
    selector._compiled_searches.clear()


@pytest.fixture
def residents(city: Any) -> list[Any]:
    names = [
        ("佐藤 花子", "サトウ ハナコ"),
        ("佐藤 一郎", "サトウ イチロウ"),
        ("鈴木 次郎", "スズキ ジロウ"),
        ("伊藤 藤子", "イトウ フジコ"),
        ("Strauß Ben", "シュトラウス ベン"),
        ("STRAUSS Anna", "シュトラウス アンナ"),
        ("佐々木 聡", "ササキ サトシ"),
    ]
    return [
        f.ResidentFactory(
            municipality=city,
            name=name,
            name_kana=kana,
            register_id=f"R{i}",
            birth_date=dt.date(1960 + i, 1, 1),
        )
        for i, (name, kana) in enumerate(names)
    ]


def test_which_queries_are_too_short_for_trigrams():
    assert all(too_short_for_trigrams(q) for q in SHORT)
    for longer in ("佐藤花子", "さとう", "佐藤 花", "STR"):
        assert not too_short_for_trigrams(longer)


@pytest.mark.parametrize("query", SHORT)
def test_a_short_search_finds_what_the_orms_search_finds(clerk, residents, query):
    rows = resident_search_rows(user=clerk, query=query, limit=50)
    orms = list(residents_search(user=clerk, query=query, limit=50))
    assert [r.id for r in rows] == [r.pk for r in orms]


def test_a_short_search_upper_cases_the_query_once_by_the_database(clerk, residents):
    # PostgreSQL keeps ß as ß where Python's str.upper makes it SS.
    assert [r.name for r in resident_search_rows(user=clerk, query="ß", limit=50)] == [
        "Strauß Ben"
    ]
    resident_search_rows(user=clerk, query="佐藤", limit=50)
    (sql,) = [s for k, s in selector._compiled_searches.items() if k[-1]]
    assert "(SELECT UPPER(%s))" in sql
    assert " LIKE " not in sql


def _plans(pattern: str) -> tuple[int, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements "
            "WHERE statement LIKE %s",
            [pattern],
        )
        (found,) = cursor.fetchall()
    return found


def test_a_short_search_is_planned_once_and_kept(clerk, residents):
    for query in SHORT * 2:
        resident_search_rows(user=clerk, query=query, limit=20)
    generic, custom = _plans("%STRPOS(%")
    # psycopg prepares on the first call; PostgreSQL plans five times afresh,
    # then keeps the plan it found as good as a fresh one.
    assert custom <= 5
    assert generic >= len(SHORT) * 2 - 5
