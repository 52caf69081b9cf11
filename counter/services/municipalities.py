"""Creating a municipality with the seed city's profile as its starting rules."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from counter.audit import audit_record
from counter.models import (
    Municipality,
    MunicipalProfile,
    Office,
    OpeningHours,
    ProcedureDuration,
)
from counter.models.profile import SEED_EXPECTED_MINUTES
from counter.models.tenancy import (
    SEED_SATURDAY_HOURS,
    SEED_SATURDAY_PROCEDURES,
    SEED_WEEKDAY_HOURS,
)
from identity_docs.services import (
    document_choices_install,
    requirement_rules_install_defaults,
)


def profile_install_seed_hours(
    *, profile: MunicipalProfile, main_office: Office
) -> None:
    """Seed city hours: weekdays 8:30–17:15 at every office; Saturday mornings
    (not holidays) 8:30–12:00 for PIN change and reset at the main office only,
    as the seed's PIN page says (the certificate page lists no Saturday)."""
    opens, closes = SEED_WEEKDAY_HOURS
    for weekday in range(5):
        OpeningHours.objects.create(
            profile=profile, weekday=weekday, opens=opens, closes=closes
        )
    opens, closes = SEED_SATURDAY_HOURS
    OpeningHours.objects.create(
        profile=profile,
        office=main_office,
        weekday=5,
        opens=opens,
        closes=closes,
        procedures=list(SEED_SATURDAY_PROCEDURES),
    )


def municipality_create(
    *,
    code: str,
    name: str,
    main_office: dict[str, Any],
    actor: Any = None,
    **profile_fields: Any,
) -> Municipality:
    """A municipality, its profile (seed-city defaults overridable by keyword),
    its main office and the seed hours; other apps install their defaults too."""
    with transaction.atomic():
        municipality = Municipality(code=code, name=name)
        municipality.full_clean()
        municipality.save()
        profile = MunicipalProfile(municipality=municipality, **profile_fields)
        profile.full_clean()
        profile.save()
        office = Office(municipality=municipality, kind="main", **main_office)
        office.full_clean()
        office.save()
        profile_install_seed_hours(profile=profile, main_office=office)
        ProcedureDuration.objects.bulk_create(
            ProcedureDuration(profile=profile, procedure=procedure, minutes=minutes)
            for procedure, minutes in SEED_EXPECTED_MINUTES.items()
        )
        _install_app_defaults(profile)
        audit_record(
            action="municipality_created",
            actor=actor,
            municipality=municipality,
            obj=municipality,
            data={"code": code, "name": name},
        )
    return municipality


def _install_app_defaults(profile: MunicipalProfile) -> None:
    """Let the document rules install the seed city's requirement table and the
    city's own copy of the catalogue choices."""
    requirement_rules_install_defaults(profile)
    document_choices_install(municipality=profile.municipality)
