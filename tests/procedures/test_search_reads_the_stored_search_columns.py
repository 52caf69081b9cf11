"""The reception search compares the query with forms of the name kept in the
row (docs/adr/0036-search-columns-stored.md): the database computes them on
every write, the search reads them instead of computing them for each row it
passes, and their trigram indexes answer a full or rare name."""

from __future__ import annotations

import pytest
from django.db import connection

from counter.models import Resident
from counter.selectors.residents import matching_condition, resident_search_rows
from tests import factories as f

pytestmark = pytest.mark.django_db


def found(clerk, query: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.register_id for r in resident_search_rows(user=clerk, query=query)]


def test_the_database_keeps_the_search_forms_of_every_name_it_stores(city):
    resident = f.ResidentFactory(
        municipality=city,
        name="厚木　太郎",
        name_substitute="Atsugi Taro",
        name_kana="アツギ タロウ",
    )
    stored = Resident.objects.values(
        "name_flat", "name_substitute_flat", "name_kana_flat"
    ).get(pk=resident.pk)
    assert stored == {
        "name_flat": "厚木太郎",
        "name_substitute_flat": "ATSUGITARO",
        "name_kana_flat": "アツギタロウ",
    }
    # A write that changes the name changes its search form in the same row.
    Resident.objects.filter(pk=resident.pk).update(name="相川 花子")
    assert Resident.objects.values_list("name_flat", flat=True).get(pk=resident.pk) == (
        "相川花子"
    )


def test_the_search_condition_reads_the_stored_columns_and_computes_nothing_per_row():
    sql, _ = Resident.objects.filter(
        matching_condition("厚木 太郎")
    ).query.sql_with_params()
    for column in ("name_flat", "name_substitute_flat", "name_kana_flat"):
        assert f'"{column}"' in sql
    assert "REPLACE" not in sql.upper()
    # Only the query is upper-cased, once, by the same function as the column.
    assert sql.upper().count("UPPER(") == 2


def test_a_name_with_spaces_full_width_letters_or_a_lowercase_query_is_found(
    city, clerk
):
    f.ResidentFactory(
        municipality=city,
        register_id="R1",
        name="ＭＵＬＬＥＲ Anna",
        name_kana="ミュラー アンナ",
    )
    f.ResidentFactory(
        municipality=city,
        register_id="R2",
        name="Strauß Ben",
        name_kana="シュトラウス ベン",
    )
    f.ResidentFactory(
        municipality=city, register_id="R3", name="厚木 太郎", name_kana="アツギ タロウ"
    )
    assert found(clerk, "ｍｕｌｌｅｒ anna") == ["R1"]
    # PostgreSQL upper-cases ß to itself; Python's str.upper would make it SS
    # and miss, which is why the query is upper-cased by the database.
    assert found(clerk, "strauß") == ["R2"]
    assert found(clerk, "厚木太郎") == ["R3"]
    assert found(clerk, "あつぎ たろう") == ["R3"]
    assert found(clerk, "ｱﾂｷﾞ") == ["R3"]


def test_a_full_name_is_answered_by_the_trigram_indexes_of_the_stored_columns(
    city, clerk
):
    f.ResidentFactory(municipality=city, name="厚木 太郎")
    queryset = Resident.objects.filter(matching_condition("厚木太郎")).order_by()
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    for index in (
        "resident_name_flat_col_trgm",
        "resident_name_substitute_flat_col_trgm",
        "resident_name_kana_flat_col_trgm",
    ):
        assert index in plan, plan
