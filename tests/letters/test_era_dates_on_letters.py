"""和暦 on letters: era boundaries and 元年 (docs/reference/letters-design.md §6,
docs/rules/06-agents.md §6.2)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from counter.errors import ApplicationError
from counter.letters.era import EARLIEST_DATE, wareki, wareki_parse, wareki_with_weekday

BOUNDARIES = [
    (dt.date(1912, 7, 29), "明治45年7月29日"),
    (dt.date(1912, 7, 30), "大正元年7月30日"),
    (dt.date(1926, 12, 24), "大正15年12月24日"),
    (dt.date(1926, 12, 25), "昭和元年12月25日"),
    (dt.date(1989, 1, 7), "昭和64年1月7日"),
    (dt.date(1989, 1, 8), "平成元年1月8日"),
    (dt.date(2019, 4, 30), "平成31年4月30日"),
    (dt.date(2019, 5, 1), "令和元年5月1日"),
    (dt.date(2026, 11, 26), "令和8年11月26日"),
    (dt.date(2026, 12, 10), "令和8年12月10日"),
]


@pytest.mark.parametrize(("date", "expected"), BOUNDARIES)
def test_era_boundaries(date, expected):
    assert wareki(date) == expected


def test_first_year_can_be_written_as_one():
    assert wareki(dt.date(2019, 5, 1), gannen=False) == "令和1年5月1日"


def test_deadline_carries_the_weekday():
    assert wareki_with_weekday(dt.date(2026, 12, 10)) == "令和8年12月10日（木）"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("令和元年5月1日", dt.date(2019, 5, 1)),
        ("令和1年5月1日", dt.date(2019, 5, 1)),
        ("R1.5.1", dt.date(2019, 5, 1)),
        ("平成３１年４月３０日", dt.date(2019, 4, 30)),
        ("h31/4/30", dt.date(2019, 4, 30)),
        ("昭和64年1月7日", dt.date(1989, 1, 7)),
    ],
)
def test_clerk_typed_dates_are_parsed(text, expected):
    assert wareki_parse(text) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("平成31年5月1日", "era-date-outside-era"),  # that is 令和元年5月1日
        ("令和元年4月30日", "era-date-outside-era"),
        ("昭和64年1月8日", "era-date-outside-era"),
        ("令和8年2月30日", "era-date-does-not-exist"),
        ("2026年11月26日", "era-date-malformed"),
        ("令和0年1月1日", "era-date-malformed"),
    ],
)
def test_dates_outside_their_era_are_refused_not_converted(text, code):
    with pytest.raises(ApplicationError) as exc:
        wareki_parse(text)
    assert exc.value.code == code


def test_dates_before_the_gregorian_calendar_are_refused():
    with pytest.raises(ApplicationError) as exc:
        wareki(dt.date(1872, 12, 31))
    assert exc.value.code == "era-date-before-gregorian"


@given(st.dates(min_value=EARLIEST_DATE, max_value=dt.date(2099, 12, 31)))
def test_formatter_and_parser_round_trip(date):
    assert wareki_parse(wareki(date)) == date
    assert wareki_parse(wareki(date, gannen=False)) == date
