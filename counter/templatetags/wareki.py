"""Dates as people at a Japanese counter read them: 和暦, never ISO (issue 15).

Screens, the receipt and the console show birth dates and validity ends in the
era form the resident's papers use; the Gregorian year follows in brackets on
the clerk's screens so a date typed as 1980-04-01 is easy to match.
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

from counter.errors import ApplicationError
from counter.letters.era import wareki as era_text

register = template.Library()


def _as_date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and len(value) >= 10:
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


@register.filter(name="wareki")
def wareki_filter(value: object) -> str:
    """令和13年8月4日; an empty string for no date, the value for a date before 1873."""
    date = _as_date(value)
    if date is None:
        return "" if value in (None, "") else str(value)
    try:
        return era_text(date)
    except ApplicationError:
        return f"{date.year}年{date.month}月{date.day}日"


@register.filter(name="wareki_with_year")
def wareki_with_year_filter(value: object) -> str:
    """昭和55年4月1日（1980年）: the era form with the Gregorian year beside it."""
    date = _as_date(value)
    text = wareki_filter(value)
    if date is None or not text.startswith(("明治", "大正", "昭和", "平成", "令和")):
        return text
    return f"{text}（{date.year}年）"
