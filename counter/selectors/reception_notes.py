"""What the clerk tells the resident before a case is opened (受付の前に).

- §16.1: about how long each procedure takes at this city's counter (profile data).
- §3.1: renewing or issuing the signing certificate alone ends it with the
  user-authentication certificate; the clerk sees that day (和暦) and the day both
  would run to if renewed together, before choosing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from counter.constants import CertificateKind, CertificateStatus, Procedure
from counter.letters.era import wareki
from counter.models import Card, ProcedureDuration, Resident
from counter.validity import (
    authentication_end_for_signing,
    signing_alone_cap,
)


@dataclass(frozen=True)
class Duration:
    procedure: str
    label: str
    minutes: int


@dataclass
class ReceptionNotes:
    durations: list[Duration] = field(default_factory=list)
    #: Sentences for the clerk, one per card whose signing certificate would be
    #: cut short if renewed or issued alone.
    signing_warnings: list[str] = field(default_factory=list)


def expected_durations(*, profile: Any) -> list[Duration]:
    """§16.1: the city's figures, in the order of the procedure list."""
    minutes = dict(
        ProcedureDuration.objects.filter(profile=profile).values_list(
            "procedure", "minutes"
        )
    )
    return [
        Duration(procedure=value, label=str(label), minutes=minutes[value])
        for value, label in Procedure.choices
        if value in minutes
    ]


def _signing_warning(card: Card, resident: Resident, profile: Any, on: dt.date) -> str:
    held = list(
        card.certificates.filter(
            kind=CertificateKind.AUTHENTICATION,
            status__in=[CertificateStatus.ACTIVE, CertificateStatus.EXPIRED],
        ).values_list("status", "expires_on")
    )
    signing = (
        card.certificates.filter(
            kind=CertificateKind.SIGNING,
            status=CertificateStatus.ACTIVE,
            expires_on__gte=on,
        )
        .order_by("-expires_on")
        .first()
    )
    cap = signing_alone_cap(
        on=on,
        birth_date=resident.birth_date,
        card_expires_on=card.expires_on,
        authentication_expires_on=authentication_end_for_signing(
            held=held, reissued_authentication_ends=None
        ),
        previous_signing_expires_on=signing.expires_on if signing else None,
        residence_period_end=resident.residence_period_end,
        validity_birthdays=profile.validity_birthdays,
        early_renewal_validity_birthdays=profile.early_renewal_validity_birthdays,
        renewal_window_months=profile.renewal_window_months,
    )
    if cap is None:
        return ""
    return _(
        "If only the signing certificate is renewed or issued now, it ends on "
        "%(capped)s, with the user-authentication certificate (§3 (b)). Renewed "
        "together, both run until %(together)s."
    ) % {"capped": wareki(cap.capped_on), "together": wareki(cap.together_on)}


def reception_notes(
    *, resident: Resident, profile: Any, on: dt.date | None = None
) -> ReceptionNotes:
    """The notes for the new-case screen of this resident."""
    on = on or timezone.localdate()
    notes = ReceptionNotes(durations=expected_durations(profile=profile))
    signing_possible = (
        not resident.is_adult_ward
        and resident.age_on(on) >= profile.signing_certificate_minimum_age
    )
    if not signing_possible:
        return notes
    for card in resident.cards.all():
        if not card.is_usable_on(on):
            continue
        warning = _signing_warning(card, resident, profile, on)
        if warning:
            notes.signing_warnings.append(warning)
    return notes
