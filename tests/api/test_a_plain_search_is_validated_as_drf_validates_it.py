"""A search given as ``q`` alone is taken without building the parameters'
serializer (counter/api/registry.py ``plain_search``; issue 14,
docs/adr/0040-kept-statements-planned-once.md): exactly the text DRF's
``ResidentSearchParams`` validates, and nothing it would refuse."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.http import QueryDict
from hypothesis import given, settings
from hypothesis import strategies as st

from counter.api.registry import (
    SEARCH_DEFAULT_LIMIT,
    ResidentSearchApi,
    plain_search,
)


def _drf(params: QueryDict) -> dict | None:
    serializer = ResidentSearchApi.ResidentSearchParams(data=params)
    if not serializer.is_valid():
        return None
    return dict(serializer.validated_data)


def _ours(params: QueryDict) -> dict | None:
    query = plain_search(params)
    return None if query is None else {"q": query, "limit": SEARCH_DEFAULT_LIMIT}


EDGES = [
    "佐藤",
    "  佐藤 花子\u3000",
    "",
    "   ",
    "\t\n",
    "a" * 100,
    " " + "a" * 100 + " ",
    "a" * 101,
    "佐\x00藤",
    "\ud800",
    "R1",
    "%_\\",
]


@pytest.mark.parametrize("text", EDGES)
def test_a_plain_search_is_what_drf_takes(text):
    params = QueryDict(mutable=True)
    params["q"] = text
    ours, drfs = _ours(params), _drf(params)
    assert ours is None or ours == drfs


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_any_text_is_taken_as_drf_takes_it_or_left_to_drf(text):
    params = QueryDict(mutable=True)
    params["q"] = text
    ours, drfs = _ours(params), _drf(params)
    assert ours is None or ours == drfs
    if drfs is not None and "birth_date" not in drfs:
        assert ours == drfs  # every plain search DRF takes is taken here too


@pytest.mark.parametrize(
    "query",
    [
        {"q": "佐藤", "limit": "5"},
        {"q": "佐藤", "birth_date": "1970-01-01"},
        {"birth_date": "1970-01-01"},
        {"limit": "5"},
        {"Q": "佐藤"},
        {},
    ],
)
def test_anything_but_q_alone_goes_to_the_serializer(query):
    assert plain_search(QueryDict(urlencode(query))) is None


def test_a_repeated_q_is_its_last_value_as_drf_reads_it():
    params = QueryDict("q=first&q=%E4%BD%90%E8%97%A4")
    assert _ours(params) == _drf(params) == {"q": "佐藤", "limit": 20}
