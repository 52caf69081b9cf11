"""Certificate validity and the renewal window (docs/rules/03-validity.md §3).

Pure date arithmetic; the numbers (5th / 6th birthday, 3-month window) come from
the municipal profile so that the next-generation card's rules (§14) are a data
change. Birthdays on 29 February fall on 28 February in common years, as periods
ending on a day that does not exist end on the last day of that month (民法143条).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from counter.constants import CertificateKind


def anniversary(birth_date: dt.date, year: int) -> dt.date:
    """The birthday in ``year``; 29 February becomes 28 February in common years."""
    if birth_date.month == 2 and birth_date.day == 29 and not calendar.isleap(year):
        return dt.date(year, 2, 28)
    return birth_date.replace(year=year)


def nth_birthday_after(birth_date: dt.date, day: dt.date, n: int) -> dt.date:
    """The ``n``-th birthday strictly after ``day`` (発行の日後n回目の誕生日)."""
    first_year = day.year if anniversary(birth_date, day.year) > day else day.year + 1
    return anniversary(birth_date, first_year + n - 1)


def months_before(day: dt.date, months: int) -> dt.date:
    """The same date ``months`` earlier, clamped to the end of a shorter month."""
    total = day.year * 12 + (day.month - 1) - months
    year, month = divmod(total, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


def renewal_window_opens(expires_on: dt.date, months: int = 3) -> dt.date:
    """First day a renewal may be applied for: the day after the same date
    ``months`` before expiry (expiry 25 April → from 26 January, §3)."""
    return months_before(expires_on, months) + dt.timedelta(days=1)


def in_renewal_window(expires_on: dt.date, on: dt.date, months: int = 3) -> bool:
    return renewal_window_opens(expires_on, months) <= on <= expires_on


@dataclass(frozen=True)
class Validity:
    expires_on: dt.date
    limited_by: (
        str  # "birthday", "authentication_certificate", "card", "residence_period"
    )
    birthdays: int


def certificate_expiry(
    *,
    kind: str,
    issued_on: dt.date,
    birth_date: dt.date,
    card_expires_on: dt.date,
    previous_expires_on: dt.date | None = None,
    authentication_expires_on: dt.date | None = None,
    residence_period_end: dt.date | None = None,
    validity_birthdays: int = 5,
    early_renewal_validity_birthdays: int = 6,
    renewal_window_months: int = 3,
    applied_on: dt.date | None = None,
) -> Validity:
    """When a certificate issued on ``issued_on`` expires, and what limited it.

    (a) the 5th birthday after issuance, or the 6th when it replaces a certificate
    with less than ``renewal_window_months`` left; (b) a signing certificate never
    outlives the holder's user-authentication certificate; (c) nothing outlives
    the card, nor a foreign resident's period of stay.
    """
    birthdays = validity_birthdays
    if previous_expires_on is not None and in_renewal_window(
        previous_expires_on, applied_on or issued_on, renewal_window_months
    ):
        birthdays = early_renewal_validity_birthdays
    candidates: list[tuple[dt.date, str]] = [
        (nth_birthday_after(birth_date, issued_on, birthdays), "birthday")
    ]
    if kind == CertificateKind.SIGNING and authentication_expires_on is not None:
        candidates.append((authentication_expires_on, "authentication_certificate"))
    candidates.append((card_expires_on, "card"))
    if residence_period_end is not None:
        candidates.append((residence_period_end, "residence_period"))
    expires_on, limited_by = min(candidates, key=lambda c: c[0])
    return Validity(expires_on=expires_on, limited_by=limited_by, birthdays=birthdays)


#: §3: the age from which a card runs to the 10th birthday after issuance. The
#: age of majority fell from 20 to 18 on 2022-04-01 (民法4条, 2018 amendment); a
#: card applied for before that day keeps the old threshold, even when it is
#: issued later.
ADULT_CARD_AGE = 18
ADULT_CARD_AGE_BEFORE_2022_04 = 20
ADULT_CARD_AGE_CHANGED_ON = dt.date(2022, 4, 1)


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Completed years on ``day``."""
    age = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        age -= 1
    return age


def adult_card_age(applied_on: dt.date) -> int:
    """The age from which a card applied for on ``applied_on`` runs 10 birthdays."""
    if applied_on < ADULT_CARD_AGE_CHANGED_ON:
        return ADULT_CARD_AGE_BEFORE_2022_04
    return ADULT_CARD_AGE


def card_expiry(
    *,
    issued_on: dt.date,
    birth_date: dt.date,
    residence_period_end: dt.date | None,
    applied_on: dt.date | None = None,
) -> dt.date:
    """Card validity (§3): to the 10th birthday after issuance for a holder of the
    adult age on the day of issuance, else to the 5th. The adult age is 18 for
    applications from 2022-04-01 and 20 before (``applied_on``; the issuance day
    when it is not known)."""
    threshold = adult_card_age(applied_on or issued_on)
    adult = age_on(birth_date, issued_on) >= threshold
    expiry = nth_birthday_after(birth_date, issued_on, 10 if adult else 5)
    if residence_period_end is not None:
        expiry = min(expiry, residence_period_end)
    return expiry


def authentication_end_for_signing(
    *,
    held: list[tuple[str, dt.date]],
    reissued_authentication_ends: dt.date | None,
) -> dt.date | None:
    """The user-authentication end a new signing certificate may not outlive (§3 (b)).

    ``held`` is (status, expires_on) of the card's user-authentication
    certificates that were not revoked (active or lapsed by date): a lapsed one
    still caps, so a signing certificate is never issued past it. A new one
    issued in the same case replaces them.
    """
    if reissued_authentication_ends is not None:
        return reissued_authentication_ends
    ends = [expires_on for _status, expires_on in held]
    return max(ends) if ends else None


@dataclass(frozen=True)
class SigningCap:
    """A signing certificate issued alone, cut short by the user-authentication one."""

    capped_on: dt.date
    together_on: dt.date


def signing_alone_cap(
    *,
    on: dt.date,
    birth_date: dt.date,
    card_expires_on: dt.date,
    authentication_expires_on: dt.date | None,
    previous_signing_expires_on: dt.date | None,
    residence_period_end: dt.date | None = None,
    validity_birthdays: int = 5,
    early_renewal_validity_birthdays: int = 6,
    renewal_window_months: int = 3,
) -> SigningCap | None:
    """§3 (b): when a signing certificate issued (or renewed) alone on ``on`` would
    end with the user-authentication certificate it may not outlive, the day it
    ends and the day it would end were both renewed together; ``None`` when the
    user-authentication certificate does not cut it short (or has already ended:
    reception refuses that plan, ADR 0012)."""
    if authentication_expires_on is None or authentication_expires_on < on:
        return None
    numbers = {
        "birth_date": birth_date,
        "card_expires_on": card_expires_on,
        "residence_period_end": residence_period_end,
        "validity_birthdays": validity_birthdays,
        "early_renewal_validity_birthdays": early_renewal_validity_birthdays,
        "renewal_window_months": renewal_window_months,
        "issued_on": on,
    }
    alone = certificate_expiry(
        kind=CertificateKind.SIGNING,
        previous_expires_on=previous_signing_expires_on,
        authentication_expires_on=authentication_expires_on,
        **numbers,  # type: ignore[arg-type]
    )
    if alone.limited_by != "authentication_certificate":
        return None
    new_authentication = certificate_expiry(
        kind=CertificateKind.AUTHENTICATION,
        previous_expires_on=authentication_expires_on,
        **numbers,  # type: ignore[arg-type]
    )
    together = certificate_expiry(
        kind=CertificateKind.SIGNING,
        previous_expires_on=previous_signing_expires_on,
        authentication_expires_on=new_authentication.expires_on,
        **numbers,  # type: ignore[arg-type]
    )
    if together.expires_on <= alone.expires_on:
        return None
    return SigningCap(capped_on=alone.expires_on, together_on=together.expires_on)
