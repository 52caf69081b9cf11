"""The API's resident search keeps its compiled SQL per process and re-binds the
parameters (counter/selectors/residents.py ``resident_search_rows``; issue 14,
ADR 0030): the answer stays DRF's own byte for byte, the scope stays
``visible_to(user)``'s, and another city's residents never appear, whichever city
compiled the kept SQL first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.db.models.sql.compiler import SQLCompiler
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from counter.api.registry import CardBriefSerializer
from counter.api.serializers import ResidentBriefSerializer
from counter.models import AccessPath, AccessRecord, Resident
from counter.selectors import residents as selector
from counter.selectors.residents import (
    matching_condition,
    matching_params,
    resident_search_rows,
    residents_search,
)
from tests import factories as f

pytestmark = pytest.mark.django_db

SEARCH = "/api/v1/residents/"

QUERIES = [
    "佐藤",
    "さとう",
    "ｻﾄｳ",
    "サトウ　ハナコ1",
    "佐藤 花子1",
    "佐藤花子12",
    "R-SATO-3",
    "50%",
    "a_b",
    "back\\slash",
    "該当なし",
]


class GenericOutput(ResidentBriefSerializer):
    """What DRF's generic path answers for the same fields."""

    cards = CardBriefSerializer(many=True, source="cards.all")


@pytest.fixture(autouse=True)
def nothing_kept() -> Iterator[None]:
    selector._compiled_searches.clear()
    selector._unkept_searches.clear()
    yield
    selector._compiled_searches.clear()
    selector._unkept_searches.clear()


@pytest.fixture
def satos(city: Any) -> list[Any]:
    found = [
        f.ResidentFactory(
            municipality=city,
            name=f"佐藤 花子{i}",
            name_kana=f"サトウ ハナコ{i}",
            register_id=f"R-SATO-{i}",
            birth_date=dt.date(1950 + i % 3, 1, 1 + i),
        )
        for i in range(24)
    ]
    found.append(
        f.ResidentFactory(
            municipality=city,
            name="髙橋 50%_a_b\\",
            name_substitute="高橋 50%a_back\\slash",
            name_kana="タカハシ",
        )
    )
    for resident in found[:6]:
        f.CardFactory(resident=resident)
    # Several cards of one resident: the answer lists them newest first.
    f.CardFactory(resident=found[0], abolished=True, issued_on=dt.date(2015, 1, 5))
    f.CardFactory(resident=found[0], suspended=True, issued_on=dt.date(2019, 6, 1))
    return found


@pytest.fixture
def elsewhere(db: Any) -> list[Any]:
    """The same names in another city."""
    other = f.MunicipalityFactory(code="141003", name="横浜市")
    found = [
        f.ResidentFactory(
            municipality=other,
            name=f"佐藤 花子{i}",
            name_kana=f"サトウ ハナコ{i}",
            register_id=f"R-SATO-{i}",
            birth_date=dt.date(1950 + i % 3, 1, 1 + i),
        )
        for i in range(5)
    ]
    f.CardFactory(resident=found[0])
    return found


def _client(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _drfs_bytes(user: User, **search: Any) -> bytes:
    """The answer as DRF's generic serializer writes the ORM's search."""
    residents = list(residents_search(user=user, **search))
    return JSONRenderer().render(GenericOutput(residents, many=True).data)


@pytest.mark.parametrize("query", QUERIES)
def test_the_kept_sql_answers_drfs_bytes(clerk, satos, elsewhere, query):
    api = _client(clerk)
    first = api.get(SEARCH, {"q": query})
    again = api.get(SEARCH, {"q": query})  # from the kept SQL
    expected = _drfs_bytes(clerk, query=query, limit=20)
    assert first.status_code == again.status_code == 200
    assert first.content == again.content == expected


@pytest.mark.parametrize(
    "params",
    [
        {"q": "佐藤", "limit": 50},
        {"q": "佐藤", "limit": 1},
        {"birth_date": "1951-01-02"},
        {"q": "さとう", "birth_date": "1950-01-01"},
        {"q": "佐藤", "birth_date": "1999-12-31"},
    ],
)
def test_every_shape_answers_drfs_bytes(clerk, satos, elsewhere, params):
    search = {
        "query": params.get("q", ""),
        "birth_date": dt.date.fromisoformat(params["birth_date"])
        if "birth_date" in params
        else None,
        "limit": params.get("limit", 20),
    }
    api = _client(clerk)
    for _ in range(2):
        assert api.get(SEARCH, params).content == _drfs_bytes(clerk, **search)


def test_a_kept_shape_is_not_compiled_again(clerk, satos):
    # A query too short for the trigram indexes is a shape of its own (ADR 0039).
    first = resident_search_rows(user=clerk, query="佐藤花子2", limit=20)
    short = resident_search_rows(user=clerk, query="佐藤", limit=20)
    assert len(selector._compiled_searches) == 2
    with mock.patch.object(SQLCompiler, "as_sql", side_effect=AssertionError):
        again = resident_search_rows(user=clerk, query="佐藤花子1", limit=20)
        short_again = resident_search_rows(user=clerk, query="花子", limit=20)
    assert {r.name for r in first} == {"佐藤 花子2"} | {
        f"佐藤 花子{i}" for i in range(20, 24)
    }
    assert len(short) == len(short_again) == 20
    assert {r.name for r in again} == {"佐藤 花子1"} | {
        f"佐藤 花子{i}" for i in range(10, 20)
    }


def test_another_citys_residents_never_appear_from_sql_kept_for_it(
    clerk, satos, elsewhere
):
    other_clerk = f.clerk(elsewhere[0].municipality)
    # The other city's clerk compiles the shape first; ours re-binds it.
    theirs = resident_search_rows(user=other_clerk, query="佐藤", limit=50)
    ours = resident_search_rows(user=clerk, query="佐藤", limit=50)
    assert len(selector._compiled_searches) == 1
    assert {r.id for r in theirs} == {r.pk for r in elsewhere}
    assert {r.id for r in ours} == {r.pk for r in satos[:24]}
    assert not {r.id for r in ours} & {r.pk for r in elsewhere}
    response = _client(clerk).get(SEARCH, {"q": "佐藤", "limit": "50"})
    assert not {r["id"] for r in response.json()} & {r.pk for r in elsewhere}


def test_the_installation_sees_every_city_and_no_profile_sees_nobody(
    clerk, satos, elsewhere
):
    root = User.objects.create_superuser("root", password="x")
    nobody = User.objects.create_user("nobody", password="x")
    resident_search_rows(user=clerk, query="佐藤", limit=50)  # a city's shape kept
    everyone = resident_search_rows(user=root, query="佐藤", limit=50)
    orms = list(residents_search(user=root, query="佐藤", limit=50))
    # The same residents in the same order; the order of namesakes born the
    # same day (here in two cities) is the database's in both.
    assert {r.id for r in everyone} == {r.pk for r in orms}
    assert [(r.name_kana, r.birth_date) for r in everyone] == [
        (r.name_kana, r.birth_date) for r in orms
    ]
    assert {r.municipality_id for r in everyone} == {
        satos[0].municipality_id,
        elsewhere[0].municipality_id,
    }
    assert resident_search_rows(user=nobody, query="佐藤", limit=50) == []
    assert resident_search_rows(user=clerk, query="", limit=50) == []


@pytest.mark.parametrize(
    "query", [*QUERIES, "ｱﾂｷﾞ ﾀﾛｳ", "あつぎ　たろう", "%%", "\\%", "_ _"]
)
def test_the_rebound_parameters_are_the_compilers(query):
    for by_position in (False, True):
        condition = matching_condition(query, by_position=by_position)
        compiled = Resident.objects.filter(condition).query
        _sql, params = compiled.get_compiler("default").as_sql()
        assert matching_params(query, by_position=by_position) == list(params)


def test_a_shape_whose_parameters_differ_is_compiled_every_time(clerk, satos, caplog):
    expected = [r.pk for r in residents_search(user=clerk, query="佐藤花子1", limit=20)]
    with mock.patch.object(selector, "_search_params", return_value=["wrong"]):
        for _ in range(2):
            found = resident_search_rows(user=clerk, query="佐藤花子1", limit=20)
            assert [r.id for r in found] == expected
    assert selector._compiled_searches == {}
    assert caplog.text.count("not kept") == 1


def test_the_demos_database_is_answered_by_the_orm(
    clerk, satos, elsewhere, monkeypatch
):
    kept = _client(clerk).get(SEARCH, {"q": "佐藤", "limit": "30"}).content
    monkeypatch.setattr(connection, "vendor", "sqlite")
    with mock.patch.object(selector, "_search_params", side_effect=AssertionError):
        assert _client(clerk).get(SEARCH, {"q": "佐藤", "limit": "30"}).content == kept
    assert kept == _drfs_bytes(clerk, query="佐藤", limit=30)


def test_every_resident_shown_is_logged_as_before(clerk, satos):
    shown = _client(clerk).get(SEARCH, {"q": "佐藤", "limit": "7"}).json()
    rows = AccessRecord.objects.filter(path=AccessPath.API_SEARCH)
    assert sorted(
        rows.values_list("resident_id", "municipality_id", "object_id", "case_id")
    ) == sorted((r["id"], satos[0].municipality_id, str(r["id"]), None) for r in shown)
    assert set(rows.values_list("object_type", "actor_id")) == {
        ("counter.resident", clerk.pk)
    }
