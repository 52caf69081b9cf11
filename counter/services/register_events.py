"""Events from the resident register and what they do to cards and certificates.

- §8.1: a change of name (incl. 旧氏, 通称), address (incl. a move within the city
  or a renumbering), gender or birth date revokes the **signing** certificate;
  the user-authentication certificate survives; a minor correction does not
  revoke.
- §8.2: moving out — the signing certificate has lapsed with the address; the card
  and its user-authentication certificate go with the person (continuation).
- §8.4: death — the signing certificate is revoked, the card becomes invalid and
  the user-authentication certificate with it.
- §8.5: the card is returned or abolished — both certificates end.

Open cases of a person who moved out or died cannot go on (§1: only residents
registered here are served) and are cancelled with the reason. An event sent
twice (same ``event_id``) is applied once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from counter.audit import audit_record
from counter.constants import (
    CardStatus,
    CertificateKind,
    CertificateStatus,
    CertificateStatusReason,
    RegistrationStatus,
)
from counter.errors import ApplicationError, NotFound
from counter.models import Card, Case, Municipality, Resident
from counter.models.cases import FINAL_STATES, RegisterEvent

from .case_flow import case_lock, case_transition, refusals_audited
from .certificates import certificate_revoke
from .moves import continuation_lapse, emigration_lapse
from .residents import resident_update

BASIC_ITEMS_CHANGED = "basic_items_changed"
MOVED_OUT = "moved_out"
DECEASED = "deceased"
CARD_RETURNED = "card_returned"
#: §8.2: a move-in with the card of the previous municipality (継続利用).
MOVED_IN = "moved_in"
#: §8.3: emigration (国外転出); not an ordinary move-out.
EMIGRATED = "emigrated"
EVENT_KINDS = (
    BASIC_ITEMS_CHANGED,
    MOVED_OUT,
    DECEASED,
    CARD_RETURNED,
    MOVED_IN,
    EMIGRATED,
)

#: §8.1: the four basic items; a change of any of them revokes the signing cert.
FOUR_ITEM_FIELDS = frozenset(
    {"name", "address", "gender", "birth_date", "name_substitute", "address_substitute"}
)
#: Register fields an event may carry.
CHANGEABLE_FIELDS = FOUR_ITEM_FIELDS | {"name_kana", "postal_code", "household_code"}


def register_event_apply(
    *,
    municipality: Municipality,
    event_id: str,
    kind: str,
    register_id: str,
    occurred_on: dt.date,
    changes: Mapping[str, Any] | None = None,
    minor_correction: bool = False,
    actor: Any = None,
    details: Mapping[str, Any] | None = None,
) -> RegisterEvent:
    """Apply one register event (idempotent by ``event_id``).

    ``details`` carries the dates of a move (§8.2: ``moved_in_on``,
    ``planned_move_out_on``, ``continuation_registered_on``; §8.3:
    ``continuation_registered_on``)."""
    changes = dict(changes or {})
    details = dict(details or {})
    existing = RegisterEvent.objects.filter(
        municipality=municipality, event_id=event_id
    ).first()
    if existing is not None:
        return existing
    with refusals_audited(
        "register_event_apply",
        actor=actor,
        municipality=municipality,
        data={"event_id": event_id, "kind": kind},
    ):
        if kind not in EVENT_KINDS:
            raise ApplicationError(
                "register-event-unknown-kind",
                _("Unknown register event kind."),
                extra={"kind": kind, "known": list(EVENT_KINDS)},
            )
        unknown = sorted(set(changes) - CHANGEABLE_FIELDS)
        if unknown:
            raise ApplicationError(
                "register-event-unknown-fields",
                _("The event changes fields the counter does not keep."),
                extra={"fields": unknown},
            )
        resident = Resident.objects.filter(
            municipality=municipality, register_id=register_id
        ).first()
        if resident is None:
            raise NotFound(
                "resident-unknown",
                _("No resident with this register id."),
                extra={"register_id": register_id},
            )
        try:
            with transaction.atomic():
                event = RegisterEvent.objects.create(
                    municipality=municipality,
                    event_id=event_id,
                    kind=kind,
                    resident=resident,
                    occurred_on=occurred_on,
                    changes=_jsonable(changes),
                    minor_correction=minor_correction,
                )
                outcome = _apply(event, resident, changes, actor, details)
                event.outcome = outcome
                event.save(update_fields=["outcome"])
                audit_record(
                    action="register_event_applied",
                    actor=actor,
                    municipality=municipality,
                    obj=event,
                    data={"event_id": event_id, "kind": kind, **outcome},
                )
        except IntegrityError:
            return RegisterEvent.objects.get(
                municipality=municipality, event_id=event_id
            )
    return event


def _jsonable(changes: Mapping[str, Any]) -> dict[str, Any]:
    return {
        k: v.isoformat() if isinstance(v, dt.date) else v for k, v in changes.items()
    }


def _apply(
    event: RegisterEvent,
    resident: Resident,
    changes: dict[str, Any],
    actor: Any,
    details: dict[str, Any],
) -> dict[str, Any]:
    label = "resident-register"
    outcome: dict[str, Any] = {"revoked": [], "cancelled_cases": []}
    if "birth_date" in changes and isinstance(changes["birth_date"], str):
        changes["birth_date"] = dt.date.fromisoformat(changes["birth_date"])
    if event.kind == BASIC_ITEMS_CHANGED:
        if changes:
            resident_update(resident=resident, actor=actor, **changes)
        if not event.minor_correction and FOUR_ITEM_FIELDS & set(changes):
            outcome["revoked"] = _revoke(
                resident,
                [CertificateKind.SIGNING],
                CertificateStatusReason.BASIC_ITEMS_CHANGED,
                actor,
                label,
            )
    elif event.kind == MOVED_OUT:
        resident_update(
            resident=resident,
            actor=actor,
            registration_status=RegistrationStatus.MOVED_OUT,
            **changes,
        )
        outcome["revoked"] = _revoke(
            resident,
            [CertificateKind.SIGNING],
            CertificateStatusReason.BASIC_ITEMS_CHANGED,
            actor,
            label,
        )
        outcome["cancelled_cases"] = _cancel_open_cases(resident, actor, "moved out")
    elif event.kind in (MOVED_IN, EMIGRATED):
        outcome.update(_apply_move(event, resident, changes, actor, details))
    elif event.kind == DECEASED:
        resident_update(
            resident=resident,
            actor=actor,
            registration_status=RegistrationStatus.DECEASED,
        )
        outcome["revoked"] = _revoke(
            resident,
            list(CertificateKind.values),
            CertificateStatusReason.CESSATION,
            actor,
            label,
        )
        outcome["cards"] = _set_cards(resident, CardStatus.LAPSED, actor)
        outcome["cancelled_cases"] = _cancel_open_cases(resident, actor, "deceased")
    elif event.kind == CARD_RETURNED:
        outcome["revoked"] = _revoke(
            resident,
            list(CertificateKind.values),
            CertificateStatusReason.CESSATION,
            actor,
            label,
        )
        outcome["cards"] = _set_cards(resident, CardStatus.RETURNED, actor)
        outcome["cancelled_cases"] = _cancel_open_cases(
            resident, actor, "card returned"
        )
    return outcome


def _apply_move(
    event: RegisterEvent,
    resident: Resident,
    changes: dict[str, Any],
    actor: Any,
    details: dict[str, Any],
) -> dict[str, Any]:
    """§8.2 / §8.3: the signing certificate ends with the address; the card (and
    its user-authentication certificate) goes on or lapses by the move's dates."""
    label = "resident-register"
    outcome: dict[str, Any] = {"details": _jsonable(details)}
    if event.kind == MOVED_IN:
        card = resident.cards.exclude(
            status__in=[CardStatus.LAPSED, CardStatus.RETURNED]
        ).first()
        lapse = continuation_lapse(
            notified_on=event.occurred_on,
            details=details,
            card_status=card.status if card else CardStatus.LAPSED,
            on=timezone.localdate(),
        )
        resident_update(
            resident=resident,
            actor=actor,
            registration_status=RegistrationStatus.REGISTERED,
            **changes,
        )
    else:
        lapse = emigration_lapse(
            resident=resident, departure_on=event.occurred_on, details=details
        )
        resident_update(
            resident=resident,
            actor=actor,
            registration_status=RegistrationStatus.MOVED_OUT,
            **changes,
        )
        outcome["cancelled_cases"] = _cancel_open_cases(resident, actor, "emigrated")
    outcome["revoked"] = _revoke(
        resident,
        [CertificateKind.SIGNING],
        CertificateStatusReason.BASIC_ITEMS_CHANGED,
        actor,
        label,
    )
    outcome["card_continues"] = lapse is None
    if lapse is not None:
        outcome["lapse"] = lapse
        outcome["revoked"] += _revoke(
            resident,
            [CertificateKind.AUTHENTICATION],
            CertificateStatusReason.CESSATION,
            actor,
            label,
        )
        outcome["cards"] = _set_cards(resident, CardStatus.LAPSED, actor)
    return outcome


def _revoke(
    resident: Resident, kinds: list[str], reason: str, actor: Any, label: str
) -> list[int]:
    revoked = []
    for card in resident.cards.all():
        for certificate in card.certificates.filter(
            kind__in=kinds,
            status__in=[CertificateStatus.ACTIVE, CertificateStatus.SUSPENDED],
        ):
            certificate_revoke(
                certificate=certificate, reason=reason, actor=actor, actor_label=label
            )
            revoked.append(certificate.pk)
    return revoked


def _set_cards(resident: Resident, status: str, actor: Any) -> list[int]:
    changed = []
    for card in Card.objects.filter(resident=resident).exclude(
        status__in=[CardStatus.ABOLISHED, CardStatus.LAPSED, CardStatus.RETURNED]
    ):
        card.status = status
        card.status_changed_at = timezone.now()
        card.save(update_fields=["status", "status_changed_at"])
        audit_record(
            action="card_status_changed",
            actor=actor,
            actor_label="resident-register",
            municipality=card.municipality,
            obj=card,
            data={"status": status},
        )
        changed.append(card.pk)
    return changed


def _cancel_open_cases(resident: Resident, actor: Any, why: str) -> list[str]:
    cancelled = []
    for case_id in (
        Case.objects.filter(resident=resident)
        .exclude(state__in=list(FINAL_STATES))
        .values_list("pk", flat=True)
    ):
        case = case_lock(case_id)
        case_transition(
            case,
            "cancel",
            actor=None,
            actor_label="resident-register",
            reason=f"register event: {why}",
            why=f"register event: {why}",
        )
        cancelled.append(case.reference)
    return cancelled
