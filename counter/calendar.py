"""Is the counter open? Weekly hours, national holidays, year-end closure (§16).

National holidays come from ``jpholiday`` (maintained, includes 国民の休日); the
year-end closure (行政機関の休日, 12/29–1/3) and city-specific closed days come
from the municipal profile, because jpholiday does not know them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import jpholiday
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from counter.models import ClosedDay, Office, OpeningHours, SpecialOpening


@dataclass(frozen=True)
class CounterStatus:
    open: bool
    code: str  # "open", "national-holiday", "year-end-closure", "closed-day", ...
    message: str | Promise
    hours: list[tuple[dt.time, dt.time]] = field(default_factory=list)


def in_year_end_closure(
    day: dt.date, start: tuple[int, int], end: tuple[int, int]
) -> bool:
    key = (day.month, day.day)
    if start <= end:
        return start <= key <= end
    return key >= start or key <= end  # spans the new year


def _fmt(hours: list[tuple[dt.time, dt.time]]) -> str:
    return "、".join(f"{o:%H:%M}–{c:%H:%M}" for o, c in hours)


def _day_status(
    *, office: Office, day: dt.date, procedure: str | None
) -> CounterStatus:
    """The day-level answer: closed (with the reason) or the day's opening slots."""
    profile = office.municipality.profile
    closed = (
        ClosedDay.objects.filter(profile=profile, date=day)
        .filter(Q(office__isnull=True) | Q(office=office))
        .first()
    )
    if closed is not None:
        return CounterStatus(
            False,
            "closed-day",
            _("The counter is closed today: %(reason)s") % {"reason": closed.reason},
        )
    if not office.handles_jpki:
        return CounterStatus(
            False,
            "office-does-not-handle-jpki",
            _("%(office)s does not handle certificate procedures.")
            % {"office": office.name},
        )
    start, end = profile.year_end_closure()
    if in_year_end_closure(day, start, end):
        return CounterStatus(
            False,
            "year-end-closure",
            _("The counter is closed for the year-end holidays (29 Dec – 3 Jan)."),
        )
    holiday = jpholiday.is_holiday_name(day)

    slots: list[tuple[dt.time, dt.time]] = [
        (special.opens, special.closes)
        for special in SpecialOpening.objects.filter(profile=profile, date=day)
        if special.office_id in (None, office.pk) and special.serves(procedure)
    ]
    for hours in OpeningHours.objects.filter(profile=profile, weekday=day.weekday()):
        if hours.office_id not in (None, office.pk) or not hours.serves(procedure):
            continue
        if holiday and not hours.open_on_holidays:
            continue
        slots.append((hours.opens, hours.closes))
    slots.sort()

    if not slots:
        if holiday:
            return CounterStatus(
                False,
                "national-holiday",
                _("The counter is closed on national holidays (%(name)s).")
                % {"name": holiday},
            )
        return CounterStatus(
            False,
            "closed-weekday",
            _("The counter does not accept this procedure on this day of the week."),
        )
    return CounterStatus(True, "open-day", _("Open"), slots)


def counter_status(
    *, office: Office, at: dt.datetime | None = None, procedure: str | None = None
) -> CounterStatus:
    """Whether ``office`` accepts ``procedure`` (or any procedure) at ``at``."""
    local = timezone.localtime(at or timezone.now())
    now = local.time()
    day_status = _day_status(office=office, day=local.date(), procedure=procedure)
    if not day_status.open:
        return day_status
    slots = day_status.hours
    for opens, closes in slots:
        if opens <= now < closes:
            return CounterStatus(True, "open", _("Open"), slots)
    if now < slots[0][0]:
        code, message = (
            "before-hours",
            _("The counter has not opened yet. Hours: %(h)s"),
        )
    elif now >= slots[-1][1]:
        code, message = "after-hours", _("Reception has closed for today. Hours: %(h)s")
    else:
        code, message = "between-hours", _("The counter is closed now. Hours: %(h)s")
    return CounterStatus(False, code, message % {"h": _fmt(slots)}, slots)


def next_open_day(
    *, office: Office, day: dt.date, procedure: str | None = None, horizon: int = 31
) -> dt.date:
    """``day`` if the office accepts ``procedure`` that day, else the next day it
    does — so a deadline never falls on a day the counter is closed. Gives up
    after ``horizon`` days (a profile with no hours at all) and returns ``day``."""
    for offset in range(horizon):
        candidate = day + dt.timedelta(days=offset)
        if _day_status(office=office, day=candidate, procedure=procedure).open:
            return candidate
    return day
