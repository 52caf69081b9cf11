"""What the holder did at J-LIS without the counter: kiosk PIN resets (§11.2)
and smartphone certificates (§12.1).

:func:`jlis_side_record` takes J-LIS's answer to the status query by card (which
:func:`counter.services.certificates.certificates_sync_from_issuer` fetches) and
records what is new here; :func:`smartphones_follow` makes the smartphone
certificates follow a card certificate whose status the counter changed.
Everything is audited; nothing here refuses a case
(docs/adr/0026-kiosk-resets-smartphone-certificates-and-the-lifting-rule.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from counter.audit import audit_record
from counter.constants import (
    CertificateKind,
    CertificateStatus,
    CertificateStatusReason,
    SmartphoneCertificateStatus,
    SmartphonePlatform,
)
from counter.models import Card, Case, Certificate
from counter.models.residents import SmartphoneCertificate
from jpki_ops.issuer.gateway import CertificateState, CertificateStatusInfo
from jpki_ops.issuer.types import CertificateMedium

#: §12.1: a card certificate's status → its smartphone counterpart's.
_FOLLOWS: dict[str, str] = {
    CertificateStatus.REVOKED: SmartphoneCertificateStatus.REVOKED,
    CertificateStatus.SUSPENDED: SmartphoneCertificateStatus.SUSPENDED,
    CertificateStatus.ACTIVE: SmartphoneCertificateStatus.ACTIVE,
}
_FROM_ISSUER: dict[str, str] = {
    CertificateState.ACTIVE: SmartphoneCertificateStatus.ACTIVE,
    CertificateState.SUSPENDED: SmartphoneCertificateStatus.SUSPENDED,
    CertificateState.REVOKED: SmartphoneCertificateStatus.REVOKED,
}


def _set(
    phone: SmartphoneCertificate,
    status: str,
    reason: str,
    *,
    actor: Any,
    case: Case | None,
    action: str,
) -> None:
    phone.status = status
    phone.status_reason = reason
    phone.status_changed_at = timezone.now()
    phone.save(update_fields=["status", "status_reason", "status_changed_at"])
    audit_record(
        action=action,
        actor=actor,
        municipality=phone.municipality,
        case=case,
        obj=phone,
        data={
            "kind": phone.kind,
            "platform": phone.platform,
            "status": status,
            "reason": reason,
        },
    )


def smartphones_follow(
    *, certificate: Certificate, actor: Any = None, case: Case | None = None
) -> list[SmartphoneCertificate]:
    """§12.1: the card certificate's new status reaches the smartphone certificate
    of the same kind: revoked with it (for any reason: a change of the four
    items, a revocation, a renewal, a lifting), held with it, restored with it.
    A smartphone certificate already revoked never comes back."""
    target = _FOLLOWS.get(certificate.status)
    if target is None:
        return []
    live = [SmartphoneCertificateStatus.ACTIVE, SmartphoneCertificateStatus.SUSPENDED]
    if target == SmartphoneCertificateStatus.ACTIVE:
        live = [SmartphoneCertificateStatus.SUSPENDED]
    changed = list(
        certificate.card.smartphone_certificates.filter(
            kind=certificate.kind, status__in=live
        ).exclude(status=target)
    )
    for phone in changed:
        _set(
            phone,
            target,
            certificate.status_reason,
            actor=actor,
            case=case,
            action=f"smartphone_certificate_{target}",
        )
    return changed


def _local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def jlis_side_record(
    *,
    card: Card,
    records: Iterable[CertificateStatusInfo],
    actor: Any = None,
    case: Case | None = None,
) -> None:
    """Record from J-LIS's answer what the holder did there: smartphone
    certificates registered or ended (§12.1) and kiosk PIN resets (§11.2)."""
    records = list(records)
    _record_smartphones(card, records, actor=actor, case=case)
    _record_kiosk_resets(card, records, actor=actor, case=case)


def _record_smartphones(
    card: Card,
    records: list[CertificateStatusInfo],
    *,
    actor: Any,
    case: Case | None,
) -> None:
    for remote in records:
        if remote.medium != CertificateMedium.SMARTPHONE or remote.not_before is None:
            continue
        if remote.platform not in SmartphonePlatform.values:
            continue
        status = _FROM_ISSUER[remote.state]
        phone, created = SmartphoneCertificate.objects.get_or_create(
            card=card,
            kind=remote.kind,
            registered_at=remote.not_before,
            defaults={
                "municipality": card.municipality,
                "platform": remote.platform,
                "expires_on": _local_day(remote.not_after),
                "status": status,
            },
        )
        if created:
            audit_record(
                action="smartphone_certificate_recorded",
                actor=actor,
                municipality=card.municipality,
                case=case,
                obj=phone,
                data={"kind": phone.kind, "platform": phone.platform},
            )
        elif phone.status != status and phone.status != (
            SmartphoneCertificateStatus.REVOKED
        ):
            # Revoked or re-registered on another phone at J-LIS (§12).
            _set(
                phone,
                status,
                CertificateStatusReason.ISSUER_DECISION
                if status == SmartphoneCertificateStatus.REVOKED
                else CertificateStatusReason.NONE,
                actor=actor,
                case=case,
                action="smartphone_certificate_changed_at_issuer",
            )


def _record_kiosk_resets(
    card: Card,
    records: list[CertificateStatusInfo],
    *,
    actor: Any,
    case: Case | None,
) -> None:
    """§11.2: a kiosk reset newer than the counter's record is kept on the card
    certificate whose PIN it was, and the tries counter the card last reported
    (``pin_locked``) is cleared: the kiosk reset it."""
    by_serial = {
        f"{r.serial:x}": r
        for r in records
        if r.medium == CertificateMedium.CARD and r.kiosk_pin_reset_at
    }
    newest_auth = next(
        (
            r
            for r in records
            if r.medium == CertificateMedium.CARD
            and r.kind == CertificateKind.AUTHENTICATION
        ),
        None,
    )
    for certificate in card.certificates.filter(status=CertificateStatus.ACTIVE):
        remote = (
            by_serial.get(certificate.serial_number.lower())
            if certificate.serial_number
            else newest_auth
        )
        reset_at = remote.kiosk_pin_reset_at if remote is not None else None
        if reset_at is None or (
            certificate.kiosk_pin_reset_at is not None
            and certificate.kiosk_pin_reset_at >= reset_at
        ):
            continue
        was_locked = certificate.pin_locked
        certificate.kiosk_pin_reset_at = reset_at
        certificate.pin_locked = False
        certificate.save(update_fields=["kiosk_pin_reset_at", "pin_locked"])
        audit_record(
            action="certificate_pin_reset_at_kiosk",
            actor=actor,
            municipality=certificate.municipality,
            case=case,
            obj=certificate,
            data={
                "kind": certificate.kind,
                "reset_at": reset_at.isoformat(),
                "was_locked": was_locked,
            },
        )
