"""The sender block holds with long opening hours (issue 15, receipt and letter):
every line stays above the title rule, each day's hours are printed once, and the
block stays inside the printable width. Positions are read back with pdfplumber.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import replace
from typing import Any

import pdfplumber
import pytest
from django.utils import translation

from counter.errors import ApplicationError
from counter.letters import layout
from counter.letters.content import SEED_OFFICE
from counter.letters.render import letter_pdf
from counter.letters.services.rendering import office_info
from counter.models import OpeningHours

from .conftest import make_letter

TO_MM = 25.4 / 72
LONG_ADDRESS = (
    "厚木市中町三丁目十七番十七号 厚木市役所本庁舎一階 市民課 マイナンバーカード窓口"
)


def t(hhmm: str) -> dt.time:
    return dt.time(*map(int, hhmm.split(":")))


def add_slot(office: Any, weekday: int, opens: str, closes: str, **kw: Any) -> None:
    OpeningHours.objects.create(
        profile=office.municipality.profile,
        office=office,
        weekday=weekday,
        opens=t(opens),
        closes=t(closes),
        **kw,
    )


@pytest.fixture
def long_hours_office(office: Any) -> Any:
    """The seed's hours (weekdays 8:30–17:15 city-wide, Saturday 8:30–12 here)
    plus this office's own slots that overlap or repeat them, a Thursday evening
    and a Sunday morning made of two overlapping slots."""
    add_slot(office, 0, "08:30", "17:15")  # the city-wide Monday again
    add_slot(office, 2, "12:00", "16:00")  # inside Wednesday's hours
    add_slot(office, 3, "17:00", "19:00")  # Thursday evening, overlapping
    add_slot(office, 5, "09:00", "11:00")  # inside Saturday morning
    add_slot(office, 6, "09:00", "11:30")
    add_slot(office, 6, "11:00", "13:00")  # Sunday: one range 9時～13時
    office.address = LONG_ADDRESS
    office.save(update_fields=["address"])
    return office


def chars_of(pdf: bytes) -> list[dict[str, Any]]:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return list(doc.pages[0].chars)


def text_lines(chars: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Characters grouped into printed lines by their baseline."""
    lines: dict[float, list[dict[str, Any]]] = {}
    for c in chars:
        lines.setdefault(round(c["bottom"], 1), []).append(c)
    return list(lines.values())


def sender_block_chars(chars: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What is printed right of the window and above the title rule."""
    return [
        c
        for c in chars
        if c["x1"] * TO_MM > layout.WINDOW.right
        and c["top"] * TO_MM < layout.TITLE_RULE_MM
    ]


def test_overlapping_and_repeated_slots_give_each_day_its_hours_once(
    long_hours_office,
):
    hours = office_info(long_hours_office).hours
    assert hours == (
        "月～水・金曜日 8時30分～17時15分",
        "木曜日 8時30分～19時",
        "土曜日 8時30分～12時",
        "日曜日 9時～13時",
    )


def test_identical_weekdays_read_as_one_weekday_line(office):
    add_slot(office, 4, "08:30", "17:15")  # Friday again, same hours
    assert office_info(office).hours[0] == "平日 8時30分～17時15分"


def test_no_line_crosses_the_title_rule_and_each_day_is_printed_once(
    long_hours_office,
):
    info = office_info(long_hours_office)
    assert len(info.hours) >= 3
    chars = chars_of(letter_pdf(make_letter(office=info)))
    rule = layout.TITLE_RULE_MM
    for line in text_lines(chars):
        top = min(c["top"] for c in line) * TO_MM
        bottom = max(c["bottom"] for c in line) * TO_MM
        text = "".join(c["text"] for c in line)
        assert not top < rule < bottom, (text, top, bottom)
    block = "".join(c["text"] for c in sender_block_chars(chars))
    for day in ("月～水・金曜日", "木曜日", "土曜日", "日曜日"):
        assert block.count(day) == 1, (day, block)
    assert block.count("8時30分～17時15分") == 1
    assert "9時～13時" in block
    assert "電話" in block and "厚木市長" in block


@pytest.mark.parametrize("hours_lines", [1, 2, 3])
def test_every_sender_block_character_lies_inside_the_printable_width(hours_lines):
    hours = tuple(
        f"{day}曜日 8時30分～12時, 13時～17時15分, 18時～20時" for day in "月火水木金"
    )[:hours_lines]
    office = replace(
        SEED_OFFICE,
        sender="厚木市長 " + "小林" * 3,
        office="厚木市役所 市民課 マイナンバーカード交付窓口（本庁舎一階）",
        address=LONG_ADDRESS,
        hours=hours,
    )
    chars = chars_of(letter_pdf(make_letter(office=office)))
    block = sender_block_chars(chars)
    left = layout.MARGIN_LEFT_MM
    right = layout.PAGE_WIDTH_MM - layout.MARGIN_RIGHT_MM
    assert block
    for c in block:
        assert left <= c["x0"] * TO_MM and c["x1"] * TO_MM <= right + 1e-6, c["text"]
        assert c["bottom"] * TO_MM <= layout.TITLE_RULE_MM, c["text"]
    printed = "".join(c["text"] for c in block)
    assert printed.count("18時～20時") == hours_lines


def test_hours_that_cannot_fit_even_set_small_are_refused_with_a_code():
    office = replace(
        SEED_OFFICE, hours=tuple(f"{d}曜日 9時～17時" for d in "月火水木金土日")
    )
    with pytest.raises(ApplicationError) as refused:
        letter_pdf(make_letter(office=office))
    assert refused.value.code == "letter-sender-block-too-long"
    with translation.override("ja"):
        assert "受付時間が照会書に収まりません" in str(refused.value.message)
