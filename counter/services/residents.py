"""Keeping the resident snapshot in step with the resident register."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from counter.audit import audit_record
from counter.errors import ApplicationError
from counter.models import Municipality, Resident

AUDITED_FIELDS = (
    "name",
    "name_kana",
    "name_substitute",
    "postal_code",
    "address",
    "address_substitute",
    "birth_date",
    "gender",
    "registration_status",
    "is_adult_ward",
    "nationality",
    "residence_period_end",
    "household_code",
)


def _validated(resident: Resident) -> None:
    try:
        resident.full_clean()
    except ValidationError as exc:
        raise ApplicationError(
            "resident-invalid",
            _("The resident record is not valid."),
            extra={
                "fields": {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
            },
        ) from exc


def resident_create(
    *, municipality: Municipality, actor: Any = None, **fields: Any
) -> Resident:
    """Create a resident; invalid dates or a future birth date save nothing."""
    resident = Resident(municipality=municipality, **fields)
    _validated(resident)
    with transaction.atomic():
        resident.save()
        audit_record(
            action="resident_created",
            actor=actor,
            municipality=municipality,
            obj=resident,
            data={"register_id": resident.register_id},
        )
    return resident


def resident_update(
    *, resident: Resident, actor: Any = None, **changes: Any
) -> Resident:
    """Apply register changes to the snapshot, auditing before and after."""
    with transaction.atomic():
        locked = Resident.objects.select_for_update().get(pk=resident.pk)
        before = {f: getattr(locked, f) for f in AUDITED_FIELDS if f in changes}
        for name, value in changes.items():
            setattr(locked, name, value)
        _validated(locked)
        locked.save()
        audit_record(
            action="resident_updated",
            actor=actor,
            municipality=locked.municipality,
            obj=locked,
            data={"before": before, "after": {f: changes[f] for f in before}},
        )
    return locked
