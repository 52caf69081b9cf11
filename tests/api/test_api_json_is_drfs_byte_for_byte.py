"""The API's JSON (issue 14, ADR 0039) is written by orjson and is byte for
byte what DRF's renderer writes: the same keys in the same order, the same
texts (every character, U+2028 and U+2029 escaped), times and dates and lazy
texts through DRF's own ``default``. What orjson cannot write is left to DRF's
renderer, which answers or refuses as it always did."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import uuid

import pytest
from django.utils.translation import gettext_lazy
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework import renderers
from rest_framework.test import APIClient

from counter.api.renderers import JSONRenderer

OURS, DRFS = JSONRenderer(), renderers.JSONRenderer()
UTC, TOKYO = dt.UTC, dt.timezone(dt.timedelta(hours=9))

texts = st.text(st.characters(exclude_categories=("Cs",)))
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | texts
    | st.datetimes(timezones=st.sampled_from([UTC, TOKYO]))
    | st.datetimes()
    | st.dates()
    | st.times()
    | st.uuids()
    | st.decimals(
        allow_nan=False,
        allow_infinity=False,
        places=2,
        max_value=10**9,
        min_value=-(10**9),
    )
)
documents = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.dictionaries(texts, inner, max_size=5)
        | st.tuples(inner, inner)
    ),
    max_leaves=30,
)


@settings(max_examples=300)
@given(documents)
def test_any_answer_is_drfs_bytes(document):
    assert OURS.render(document) == DRFS.render(document)


@pytest.mark.parametrize(
    "document",
    [
        {"名前": "佐藤\u3000花子", "kana": "サトウ ハナコ"},
        {"line": "a\u2028b\u2029c", "controls": '\x00\x1f\x7f\t\n\r"\\/'},
        {"emoji": "😀", "old kanji": "𠮷野家"},
        {
            "lazy": gettext_lazy("No such case."),
            "at": dt.datetime(2026, 12, 6, 13, 27, 30, 123456, tzinfo=UTC),
        },
        {
            "id": uuid.UUID(int=7),
            "fee": decimal.Decimal("300.00"),
            "day": dt.date(2027, 1, 4),
        },
        [],
        {},
        "",
    ],
    ids=[
        "japanese",
        "separators",
        "outside-the-bmp",
        "lazy-and-time",
        "uuid-decimal-date",
        "[]",
        "{}",
        "empty",
    ],
)
def test_an_edge_answer_is_drfs_bytes(document):
    assert OURS.render(document) == DRFS.render(document)


def test_line_and_paragraph_separators_stay_escaped():
    assert OURS.render({"x": "\u2028\u2029"}) == b'{"x":"\\u2028\\u2029"}'


def test_no_answer_is_an_empty_body():
    assert OURS.render(None) == DRFS.render(None) == b""


def test_what_orjson_refuses_is_drfs_to_write():
    for document in ({1: "a", None: "b"}, {"n": 2**70}, {"n": -(2**64)}):
        assert OURS.render(document) == DRFS.render(document)


def test_what_drf_refuses_is_refused_alike():
    with pytest.raises(TypeError) as ours:
        OURS.render({"x": object()})
    with pytest.raises(TypeError) as drfs:
        DRFS.render({"x": object()})
    assert str(ours.value) == str(drfs.value)


def test_an_indented_answer_is_drfs_own():
    document = {"a": [1, {"b": "佐藤"}]}
    accepted = "application/json; indent=4"
    assert OURS.render(document, accepted) == DRFS.render(document, accepted)
    assert b"\n    " in OURS.render(document, accepted)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_a_float_is_the_same_number(number):
    """A float in exponent form is spelt ``1e-7`` for DRF's ``1e-07``: the
    same number. The API declares no float field (ADR 0039)."""
    assert json.loads(OURS.render({"n": number})) == json.loads(
        DRFS.render({"n": number})
    )


@pytest.mark.django_db
def test_the_api_answers_through_this_renderer(clerk):
    client = APIClient()
    client.force_authenticate(clerk)
    response = client.get("/api/v1/identity-documents/")
    assert response.status_code == 200
    assert type(response.accepted_renderer) is JSONRenderer
    assert response.content == DRFS.render(response.data)


def test_the_two_differences_in_numbers_are_the_documented_ones():
    assert OURS.render({"n": 1e-7}) == b'{"n":1e-7}'
    assert DRFS.render({"n": 1e-7}) == b'{"n":1e-07}'
    assert OURS.render({"n": float("nan")}) == b'{"n":null}'
    with pytest.raises(ValueError):
        DRFS.render({"n": float("nan")})
