"""Japanese era dates (和暦) for letters and clerk screens.

Django's ``ja`` formats are Gregorian only, and the libraries that know eras either
need ICU, a process-wide locale, or print 令和1年05月01日
(docs/reference/letters-design.md §6). This is
the small in-house formatter and parser the design recommends; the era table is the
one place eras are listed.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from counter.errors import ApplicationError


@dataclass(frozen=True)
class Era:
    name: str
    letter: str
    start: dt.date


# Start date of each era; Japan adopted the Gregorian calendar on 1873-01-01
# (明治6年), so earlier dates are refused.
ERAS: tuple[Era, ...] = (
    Era("明治", "M", dt.date(1868, 1, 25)),
    Era("大正", "T", dt.date(1912, 7, 30)),
    Era("昭和", "S", dt.date(1926, 12, 25)),
    Era("平成", "H", dt.date(1989, 1, 8)),
    Era("令和", "R", dt.date(2019, 5, 1)),
)
EARLIEST_DATE = dt.date(1873, 1, 1)

_BY_NAME = {era.name: era for era in ERAS} | {era.letter: era for era in ERAS}


def era_of(date: dt.date) -> Era:
    if date < EARLIEST_DATE:
        raise ApplicationError(
            "era-date-before-gregorian",
            _("Dates before 1873-01-01 cannot be written in the Japanese era form."),
            extra={"date": date.isoformat()},
        )
    for era in reversed(ERAS):
        if date >= era.start:
            return era
    raise AssertionError("unreachable: EARLIEST_DATE lies inside 明治")


def era_year(date: dt.date) -> tuple[Era, int]:
    era = era_of(date)
    return era, date.year - era.start.year + 1


def wareki(date: dt.date, *, gannen: bool = True) -> str:
    """令和8年12月10日; the first year of an era is 元年 unless ``gannen`` is off."""
    era, year = era_year(date)
    year_text = "元" if (year == 1 and gannen) else str(year)
    return f"{era.name}{year_text}年{date.month}月{date.day}日"


def wareki_with_weekday(date: dt.date) -> str:
    """令和8年12月10日（木）: deadlines on letters carry the weekday."""
    return f"{wareki(date)}（{'月火水木金土日'[date.weekday()]}）"


_PATTERN = re.compile(
    r"^\s*(?P<era>明治|大正|昭和|平成|令和|[MTSHR])\s*"
    r"(?P<year>元|\d{1,2})\s*[年.\-/]\s*"
    r"(?P<month>\d{1,2})\s*[月.\-/]\s*"
    r"(?P<day>\d{1,2})\s*日?\s*$"
)


def wareki_parse(text: str) -> dt.date:
    """Parse a date typed by a clerk: 令和元年5月1日, R1.5.1, 平成３１年４月３０日.

    A date that does not exist in the named era (平成31年5月1日 is 令和元年5月1日)
    is refused with a specific code, never silently converted.
    """
    # Width folding only (digits and ASCII letters); no kanji are touched.
    folded = unicodedata.normalize("NFKC", text).upper()
    match = _PATTERN.match(folded)
    if not match:
        raise ApplicationError(
            "era-date-malformed",
            _("Write the date as in 令和8年12月10日 or R8.12.10."),
            extra={"text": text},
        )
    era = _BY_NAME[match["era"]]
    year = 1 if match["year"] == "元" else int(match["year"])
    if year < 1:
        raise ApplicationError(
            "era-date-malformed",
            _("Write the date as in 令和8年12月10日 or R8.12.10."),
            extra={"text": text},
        )
    try:
        date = dt.date(
            era.start.year + year - 1, int(match["month"]), int(match["day"])
        )
    except ValueError as exc:
        raise ApplicationError(
            "era-date-does-not-exist",
            _("This date does not exist in the calendar."),
            extra={"text": text},
        ) from exc
    if era_of(date) != era:
        raise ApplicationError(
            "era-date-outside-era",
            _("This date does not fall within the era %(era)s.") % {"era": era.name},
            extra={"text": text, "era": era.name},
        )
    return date
