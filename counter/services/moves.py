"""Moves that are not an ordinary move-out: a move-in with the card continued
(継続利用, §8.2) and emigration (国外転出, §8.3).

- §8.2: the card from the previous municipality goes on when the move-in
  notification came within 14 days of moving in and within 30 days of the planned
  move-out date, the continuation is registered within 90 days of the
  notification, and the card is neither suspended nor abolished. The signing
  certificate ended with the address; the user-authentication certificate goes
  on with the card. Otherwise the card lapses, and both certificates with it.
- §8.3: the signing certificate ends on the departure date. A Japanese national's
  card goes on only when "continuation for emigration" was registered by the day
  before departure; a foreign national's card always lapses. A card that goes on
  keeps its user-authentication certificate.

The rules are dates only; :func:`continuation_lapse` and :func:`emigration_lapse`
say why a card lapses (a stable code) or ``None``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from counter.constants import CardStatus
from counter.errors import ApplicationError
from counter.models import Resident

#: §8.2 deadlines, in days.
MOVE_IN_NOTICE_DAYS = 14
AFTER_PLANNED_MOVE_OUT_DAYS = 30
CONTINUATION_DAYS = 90


def _date(details: Mapping[str, Any], key: str, *, required: bool) -> dt.date | None:
    value = details.get(key)
    if value in (None, ""):
        if required:
            raise ApplicationError(
                "register-event-date-missing",
                _("The move event needs the date %(field)s.") % {"field": key},
                extra={"field": key},
            )
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise ApplicationError(
            "register-event-date-invalid",
            _("The move event's date %(field)s is not a date.") % {"field": key},
            extra={"field": key},
        ) from exc


def continuation_lapse(
    *,
    notified_on: dt.date,
    details: Mapping[str, Any],
    card_status: str,
    on: dt.date,
) -> str | None:
    """Why the card does not continue after this move-in (§8.2), or ``None``."""
    moved_in_on = _date(details, "moved_in_on", required=True)
    planned_out = _date(details, "planned_move_out_on", required=True)
    registered_on = _date(details, "continuation_registered_on", required=False)
    assert moved_in_on is not None and planned_out is not None
    if card_status in (CardStatus.SUSPENDED, CardStatus.ABOLISHED):
        return "card-not-continuable"
    if (notified_on - moved_in_on).days > MOVE_IN_NOTICE_DAYS:
        return "move-in-notified-late"
    if (notified_on - planned_out).days > AFTER_PLANNED_MOVE_OUT_DAYS:
        return "move-in-after-planned-move-out"
    deadline = notified_on + dt.timedelta(days=CONTINUATION_DAYS)
    if registered_on is None:
        return "continuation-not-registered" if on > deadline else None
    if registered_on > deadline:
        return "continuation-registered-late"
    return None


def emigration_lapse(
    *, resident: Resident, departure_on: dt.date, details: Mapping[str, Any]
) -> str | None:
    """Why the card lapses on emigration (§8.3), or ``None`` when it goes on."""
    if resident.nationality:
        return "foreign-national-emigrated"
    registered_on = _date(details, "continuation_registered_on", required=False)
    if registered_on is None:
        return "emigration-continuation-missing"
    if registered_on >= departure_on:
        return "emigration-continuation-late"
    return None
