"""Password rules beyond Django's: a staff password is not a date."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_DIGITS = re.compile(r"\d")
_DATE_FORMATS = ("%Y%m%d", "%d%m%Y", "%m%d%Y", "%y%m%d", "%Y%m", "%Y")


def _looks_like_a_date(password: str) -> bool:
    """True when the password, once separators are dropped, is a calendar date
    (20261205, 2026-12-05, 05/12/2026, R8.12.5 style digits)."""
    stripped = re.sub(r"[\s\-/._年月日]", "", password)
    if not stripped.isdigit():
        return False
    for fmt in _DATE_FORMATS:
        try:
            dt.datetime.strptime(stripped, fmt)
        except ValueError:
            continue
        return True
    return False


class NotADateValidator:
    """Refuse a date: birthdays and today's date are what a guesser tries first."""

    def validate(self, password: str, user: Any = None) -> None:
        if _looks_like_a_date(password):
            raise ValidationError(
                _("This password is a date. Choose one that is not."),
                code="password_is_a_date",
            )

    def get_help_text(self) -> str:
        return _("Your password can't be a date.")
