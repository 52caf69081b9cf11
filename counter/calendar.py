"""Is the counter open? Weekly hours, national holidays, year-end closure (§16).

National holidays come from ``jpholiday`` (maintained, includes 国民の休日); the
year-end closure (行政機関の休日, 12/29–1/3) and city-specific closed days come
from the municipal profile, because jpholiday does not know them.

A municipality's calendar rows (weekly hours, special openings, closed days) are
read once per process and kept while the shared cache's version of that
calendar stays the same: every save or delete of one bumps it, at once and again
at COMMIT, so a supervisor's change reaches every web and worker process with
its next lookup (docs/adr/0028-letters-on-the-real-path.md). A transaction that
changed a calendar reads it from the database until it commits.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import jpholiday
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from counter.models import (
    ClosedDay,
    MunicipalProfile,
    Office,
    OpeningHours,
    SpecialOpening,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CounterStatus:
    open: bool
    code: str  # "open", "national-holiday", "year-end-closure", "closed-day", ...
    message: str | Promise
    hours: list[tuple[dt.time, dt.time]] = field(default_factory=list)


#: A process keeps a calendar at most this long even if no change was signalled
#: (a row changed by raw SQL or a bulk update, which send no signal).
CALENDAR_MAX_AGE_S = 60.0


@dataclass(frozen=True)
class Calendar:
    """One municipal profile's calendar rows, by the day or weekday they apply to."""

    closed: dict[dt.date, list[ClosedDay]]
    special: dict[dt.date, list[SpecialOpening]]
    weekly: dict[int, list[OpeningHours]]
    version: str | None = None
    loaded_at: float = 0.0


_calendars: dict[int, Calendar] = {}


class _Changed(threading.local):
    """Profiles whose calendar this thread's open transaction has changed."""

    def __init__(self) -> None:
        self.profiles: set[int] = set()


_changed = _Changed()


def _version_key(profile_id: int) -> str:
    return f"counter:calendar-version:{profile_id}"


def _shared_version(profile_id: int) -> str | None:
    """The calendar's version in the shared cache; ``None``: do not keep it."""
    key = _version_key(profile_id)
    try:
        version = cache.get(key)
        if version is None:
            cache.add(key, secrets.token_hex(8), timeout=None)
            version = cache.get(key)
    except Exception:  # noqa: BLE001 - no shared cache: read the database each time
        logger.warning("calendar version unavailable; calendar read uncached")
        return None
    return version


def _bump(profile_id: int) -> None:
    _calendars.pop(profile_id, None)
    try:
        cache.set(_version_key(profile_id), secrets.token_hex(8), timeout=None)
    except Exception:  # noqa: BLE001 - other processes fall back on the maximum age
        logger.warning("calendar version of profile %s not bumped", profile_id)


def _load(profile_id: int, version: str | None) -> Calendar:
    """The profile's calendar rows, three queries."""
    closed: dict[dt.date, list[ClosedDay]] = {}
    for day in ClosedDay.objects.filter(profile_id=profile_id).order_by("date", "pk"):
        closed.setdefault(day.date, []).append(day)
    special: dict[dt.date, list[SpecialOpening]] = {}
    for opening in SpecialOpening.objects.filter(profile_id=profile_id):
        special.setdefault(opening.date, []).append(opening)
    weekly: dict[int, list[OpeningHours]] = {}
    for slot in OpeningHours.objects.filter(profile_id=profile_id).order_by(
        "weekday", "opens", "pk"
    ):
        weekly.setdefault(slot.weekday, []).append(slot)
    return Calendar(closed, special, weekly, version, time.monotonic())


def calendar_of(profile: MunicipalProfile) -> Calendar:
    """The profile's calendar, from this process's copy while it is current."""
    profile_id = profile.pk
    if profile_id in _changed.profiles:
        return _load(profile_id, None)  # this transaction's own, uncommitted rows
    version = _shared_version(profile_id)  # read before the rows: a later bump wins
    kept = _calendars.get(profile_id)
    if (
        kept is not None
        and version is not None
        and kept.version == version
        and time.monotonic() - kept.loaded_at < CALENDAR_MAX_AGE_S
    ):
        return kept
    loaded = _load(profile_id, version)
    if version is not None:
        _calendars[profile_id] = loaded
    return loaded


def weekly_hours(office: Office) -> list[OpeningHours]:
    """The weekly slots that apply at ``office`` (the city's and its own)."""
    try:
        profile = office.municipality.profile
    except ObjectDoesNotExist:
        return []
    return [
        slot
        for slots in calendar_of(profile).weekly.values()
        for slot in slots
        if slot.office_id in (None, office.pk)
    ]


def _calendar_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A calendar row or profile was saved or deleted: every copy is stale."""
    profile_id = instance.pk if sender is MunicipalProfile else instance.profile_id
    if profile_id is None:
        return
    _changed.profiles.add(profile_id)
    _bump(profile_id)

    def committed() -> None:
        _changed.profiles.discard(profile_id)
        _bump(profile_id)  # a process that read the old rows meanwhile reloads

    transaction.on_commit(committed, robust=True)


for _model in (OpeningHours, SpecialOpening, ClosedDay, MunicipalProfile):
    for _signal in (post_save, post_delete):
        _signal.connect(
            _calendar_changed,
            sender=_model,
            dispatch_uid=f"counter.calendar.{_model.__name__}.{_signal is post_save}",
        )


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
    *,
    office: Office,
    day: dt.date,
    procedure: str | None,
    calendar: Calendar | None = None,
) -> CounterStatus:
    """The day-level answer: closed (with the reason) or the day's opening slots."""
    profile = office.municipality.profile
    calendar = calendar or calendar_of(profile)
    closed = next(
        (c for c in calendar.closed.get(day, ()) if c.office_id in (None, office.pk)),
        None,
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
        for special in calendar.special.get(day, ())
        if special.office_id in (None, office.pk) and special.serves(procedure)
    ]
    for hours in calendar.weekly.get(day.weekday(), ()):
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
    calendar = calendar_of(office.municipality.profile)  # one look-up for every day
    for offset in range(horizon):
        candidate = day + dt.timedelta(days=offset)
        status = _day_status(
            office=office, day=candidate, procedure=procedure, calendar=calendar
        )
        if status.open:
            return candidate
    return day
