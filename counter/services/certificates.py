"""Certificate state changes, mirrored to the issuer (J-LIS) through its gateway.

Called by the case services after a transition, inside their transaction, so an
issuer refusal rolls the case back with a specific message. The local row keeps
the status and its reason (§8.9); the issuer is told by serial. The
user-authentication certificate's serial is not stored (§16), so for it the
issuer is reached only when jpki_ops' gateway can resolve it by card.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from counter.audit import audit_record
from counter.constants import (
    CertificateKind,
    CertificateStatus,
    CertificateStatusReason,
)
from counter.errors import ApplicationError, NotFound, ServiceUnavailable
from counter.models import Card, Case, Certificate
from jpki_ops.issuer.gateway import (
    CertificateState,
    CertificateStatusInfo,
    RevocationReason,
    get_issuer,
)
from jpki_ops.issuer.types import CertificateMedium

from .jlis_side import jlis_side_record, smartphones_follow

# §8.9: the internal reasons as the RFC 5280 CRLReason codes verifiers see.
RFC5280_REASON: dict[str, int] = {
    CertificateStatusReason.HOLDER_REQUEST: 5,  # cessationOfOperation
    CertificateStatusReason.KEY_COMPROMISE: 1,
    CertificateStatusReason.BASIC_ITEMS_CHANGED: 3,  # affiliationChanged
    CertificateStatusReason.SUPERSEDED: 4,
    CertificateStatusReason.CESSATION: 5,
    CertificateStatusReason.ISSUER_DECISION: 9,
}


def _issuer() -> Any:
    return get_issuer()


def _issuer_call(
    action: str, certificate: Certificate, **kwargs: Any
) -> dict[str, Any]:
    """Tell the issuer; returns what to put in the audit entry."""
    if not certificate.serial_number:
        return {"issuer": "not-notified-no-serial"}
    serial = int(certificate.serial_number, 16)
    try:
        getattr(_issuer(), action)(serial=serial, **kwargs)
    except ApplicationError as exc:
        if exc.code == "certificate-state-conflict":
            return {"issuer": "already-in-state"}
        raise
    except (OSError, ValueError) as exc:
        raise ServiceUnavailable(
            "issuer-unavailable",
            _("The certificate issuer (J-LIS) cannot be reached; try again later."),
        ) from exc
    return {"issuer": "notified"}


def _set_status(certificate: Certificate, status: str, reason: str) -> None:
    certificate.status = status
    certificate.status_reason = reason
    certificate.status_changed_at = timezone.now()
    certificate.save(update_fields=["status", "status_reason", "status_changed_at"])


def certificate_revoke(
    *,
    certificate: Certificate,
    reason: str,
    actor: Any = None,
    actor_label: str = "",
    case: Case | None = None,
) -> Certificate:
    """Revoke one certificate locally and at the issuer (§8, §9)."""
    if certificate.status == CertificateStatus.REVOKED:
        return certificate
    issuer = _issuer_call(
        "revoke", certificate, reason=RevocationReason(RFC5280_REASON[reason])
    )
    _set_status(certificate, CertificateStatus.REVOKED, reason)
    smartphones_follow(certificate=certificate, actor=actor, case=case)
    audit_record(
        action="certificate_revoked",
        actor=actor,
        actor_label=actor_label,
        municipality=certificate.municipality,
        case=case,
        obj=certificate,
        data={"kind": certificate.kind, "reason": reason, **issuer},
    )
    return certificate


def certificate_suspend(
    *, certificate: Certificate, actor: Any = None, case: Case | None = None
) -> Certificate:
    """§10: the call centre puts the certificate on hold (certificateHold)."""
    issuer = _issuer_call("suspend", certificate)
    _set_status(
        certificate,
        CertificateStatus.SUSPENDED,
        CertificateStatusReason.SUSPENDED_ON_LOSS,
    )
    smartphones_follow(certificate=certificate, actor=actor, case=case)
    audit_record(
        action="certificate_suspended",
        actor=actor,
        municipality=certificate.municipality,
        case=case,
        obj=certificate,
        data={"kind": certificate.kind, **issuer},
    )
    return certificate


#: §9.1: an RFC 5280 reason the issuer reports, as the local row's reason.
REASON_FROM_RFC5280: dict[int, str] = {
    code: reason for reason, code in RFC5280_REASON.items() if reason != "cessation"
}


def _issuer_view(card: Card) -> list[CertificateStatusInfo]:
    """The issuer's records of this card, found through a signing serial (the
    only serial kept, §16). Empty when no serial is known to the issuer."""
    serials = [
        c.serial_number
        for c in card.certificates.order_by("-issued_on", "-pk")
        if c.serial_number
    ]
    if not serials:
        return []
    try:
        info = _issuer().status(serial=int(serials[0], 16))
        return list(_issuer().status_by_card(card_id=info.card_id))
    except NotFound:
        return []
    except (OSError, ValueError) as exc:
        raise ServiceUnavailable(
            "issuer-unavailable",
            _("The certificate issuer (J-LIS) cannot be reached; try again later."),
        ) from exc


def certificates_sync_from_issuer(
    *, card: Card, actor: Any = None, case: Case | None = None
) -> list[Certificate]:
    """§9.1: ask J-LIS what it knows of this card's certificates before a decision.

    A certificate revoked at home with the 利用者クライアントソフト is revoked here
    too (audited as ``certificate_revoked_at_issuer``), so it is neither renewed
    nor revoked twice and never blocks a new one. Returns the rows it changed.
    """
    everything = _issuer_view(card)
    if not everything:
        return []
    # §12.1 / §11.2: smartphone certificates and kiosk resets are recorded apart.
    jlis_side_record(card=card, records=everything, actor=actor, case=case)
    records = [r for r in everything if r.medium == CertificateMedium.CARD]
    by_serial = {f"{r.serial:x}": r for r in records}
    newest_auth = next(
        (r for r in records if r.kind == CertificateKind.AUTHENTICATION), None
    )
    changed: list[Certificate] = []
    for certificate in card.certificates.filter(
        status__in=[CertificateStatus.ACTIVE, CertificateStatus.SUSPENDED]
    ):
        remote = (
            by_serial.get(certificate.serial_number.lower())
            if certificate.serial_number
            else newest_auth
        )
        if remote is None or remote.state != CertificateState.REVOKED:
            continue
        reason = REASON_FROM_RFC5280.get(
            int(remote.reason or 0), CertificateStatusReason.HOLDER_REQUEST
        )
        _set_status(certificate, CertificateStatus.REVOKED, reason)
        smartphones_follow(certificate=certificate, actor=actor, case=case)
        audit_record(
            action="certificate_revoked_at_issuer",
            actor=actor,
            municipality=certificate.municipality,
            case=case,
            obj=certificate,
            data={"kind": certificate.kind, "reason": reason},
        )
        changed.append(certificate)
    return changed


def certificate_lift_suspension(
    *, certificate: Certificate, actor: Any = None, case: Case | None = None
) -> Certificate:
    """§10: lifting at the counter restores a certificate that was only on hold."""
    issuer = _issuer_call("lift_suspension", certificate)
    _set_status(certificate, CertificateStatus.ACTIVE, CertificateStatusReason.NONE)
    smartphones_follow(certificate=certificate, actor=actor, case=case)
    audit_record(
        action="certificate_suspension_lifted",
        actor=actor,
        municipality=certificate.municipality,
        case=case,
        obj=certificate,
        data={"kind": certificate.kind, **issuer},
    )
    return certificate


def certificate_record_issued(
    *,
    case: Case,
    card: Card,
    kind: str,
    serial_hex: str,
    not_after: str,
    actor_label: str = "",
) -> Certificate:
    """The card now carries a new certificate: record it and revoke the one it
    replaces at once (§3 "Renewing revokes the old certificate at once")."""
    expires_on = timezone.localtime(dt.datetime.fromisoformat(not_after)).date()
    today = timezone.localdate()
    previous = list(
        card.certificates.filter(
            kind=kind,
            status__in=[CertificateStatus.ACTIVE, CertificateStatus.SUSPENDED],
        )
    )
    certificate = Certificate.objects.create(
        municipality=card.municipality,
        card=card,
        kind=kind,
        # §16: the user-authentication serial is regulated data, not stored.
        serial_number=serial_hex if kind == CertificateKind.SIGNING else "",
        issued_on=today,
        expires_on=expires_on,
    )
    audit_record(
        action="certificate_recorded",
        actor_label=actor_label,
        case=case,
        obj=certificate,
        data={"kind": kind, "expires_on": expires_on.isoformat()},
    )
    for old in previous:
        certificate_revoke(
            certificate=old,
            reason=CertificateStatusReason.SUPERSEDED,
            actor_label=actor_label,
            case=case,
        )
    return certificate
