"""SIMULATION: what a holder does at J-LIS without the counter (§11, §12).

A kiosk PIN reset (コンビニ等のキオスク端末での暗証番号初期化) and a smartphone
certificate registration (スマホ用電子証明書) change J-LIS's records of a card and
leave no counter record. The simulated issuer keeps them on its register rows so
that its status query by card reports them, and links a smartphone certificate to
its card counterpart: revoking, holding or lifting the card certificate does the
same to the smartphone certificate of that kind (§12.1).
"""

from __future__ import annotations

import datetime as dt
import hashlib

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from counter.audit import audit_record
from counter.constants import (
    KIOSK_RESET_FROM,
    SMARTPHONE_CERTIFICATES_FROM,
    CertificateKind,
    PinKind,
)
from counter.errors import ApplicationError, Conflict
from jpki_ops.models import IssuedCertificateRecord, IssuedCertificateState

from . import profile
from .types import (
    CertificateMedium,
    CertificateState,
    CertificateStatusInfo,
    Holder,
    RevocationReason,
)

ACTOR_LABEL = "simulated J-LIS"
LIVE = (IssuedCertificateState.ACTIVE, IssuedCertificateState.SUSPENDED)


def record_info(record: IssuedCertificateRecord) -> CertificateStatusInfo:
    """One register row as the status query reports it."""
    reason = (
        RevocationReason(record.revocation_reason)
        if record.revocation_reason is not None
        else None
    )
    return CertificateStatusInfo(
        serial=record.serial_int,
        kind=record.kind,
        card_id=record.card_id,
        state=CertificateState(record.state),
        reason=reason,
        changed_at=record.state_changed_at,
        not_after=record.not_after,
        medium=CertificateMedium(record.medium),
        platform=record.platform,
        not_before=record.not_before,
        kiosk_pin_reset_at=record.kiosk_pin_reset_at,
    )


def _newest_card_certificates(
    card_id: str, *, for_update: bool = False
) -> dict[str, IssuedCertificateRecord]:
    rows = IssuedCertificateRecord.objects.filter(
        card_id=card_id, medium=CertificateMedium.CARD
    ).order_by("-issued_at", "-pk")
    if for_update:
        rows = rows.select_for_update()
    newest: dict[str, IssuedCertificateRecord] = {}
    for row in rows:
        newest.setdefault(row.kind, row)
    return newest


def _valid(record: IssuedCertificateRecord | None, now: dt.datetime) -> bool:
    return (
        record is not None
        and record.state == IssuedCertificateState.ACTIVE
        and record.not_after > now
    )


def follow_card_certificate(
    record: IssuedCertificateRecord, *, to: str, reason: RevocationReason | None
) -> list[IssuedCertificateRecord]:
    """§12.1: a card certificate's revocation, hold or lift reaches the smartphone
    certificate of the same kind registered from that card."""
    if record.medium != CertificateMedium.CARD:
        return []
    allowed = {
        IssuedCertificateState.REVOKED: LIVE,
        IssuedCertificateState.SUSPENDED: (IssuedCertificateState.ACTIVE,),
        IssuedCertificateState.ACTIVE: (IssuedCertificateState.SUSPENDED,),
    }[IssuedCertificateState(to)]
    changed = list(
        IssuedCertificateRecord.objects.select_for_update().filter(
            card_id=record.card_id,
            kind=record.kind,
            medium=CertificateMedium.SMARTPHONE,
            state__in=allowed,
        )
    )
    for phone in changed:
        phone.state = to
        phone.revocation_reason = int(reason) if reason is not None else None
        phone.state_changed_at = record.state_changed_at
        phone.save(update_fields=["state", "revocation_reason", "state_changed_at"])
        audit_record(
            action="issuer_sim_smartphone_certificate_followed_card",
            actor_label=ACTOR_LABEL,
            data={"serial": phone.serial, "kind": phone.kind, "state": to},
        )
    return changed


class SimulatedHolderEvents:
    """The simulator's hooks for what the holder does at J-LIS on their own."""

    def _load_ca(self, kind: str) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
        raise NotImplementedError  # SimulatedIssuer's

    def crl_url(self, kind: str) -> str | None:
        raise NotImplementedError  # SimulatedIssuer's

    def simulate_kiosk_pin_reset(
        self, *, card_id: str, pin_kind: str, at: dt.datetime | None = None
    ) -> CertificateStatusInfo:
        """The holder reset the signing password or the user-authentication PIN at
        a convenience-store kiosk (§11): J-LIS's conditions are checked, the reset
        is kept on the certificate of that PIN's key."""
        now = at or dt.datetime.now(dt.UTC)
        start = KIOSK_RESET_FROM.get(pin_kind)
        if start is None:
            raise ApplicationError(
                "kiosk-pin-not-resettable",
                _(
                    "Only the signing password and the user-authentication PIN can be "
                    "reset at a kiosk (§11.1)."
                ),
            )
        if now.date() < start:
            raise ApplicationError(
                "kiosk-reset-not-yet-offered",
                _("Kiosks did not reset this PIN yet on that day (§11.1)."),
            )
        with transaction.atomic():
            newest = _newest_card_certificates(card_id, for_update=True)
            if not all(_valid(newest.get(k), now) for k in CertificateKind.values):
                raise Conflict(
                    "kiosk-reset-needs-valid-certificates",
                    _(
                        "A kiosk reset needs both certificates valid and the other PIN "
                        "known (§11.1)."
                    ),
                )
            record = newest[
                CertificateKind.SIGNING
                if pin_kind == PinKind.SIGNING
                else CertificateKind.AUTHENTICATION
            ]
            record.kiosk_pin_reset_at = now
            record.save(update_fields=["kiosk_pin_reset_at"])
            audit_record(
                action="issuer_sim_kiosk_pin_reset",
                actor_label=ACTOR_LABEL,
                data={"card_id": card_id, "pin_kind": pin_kind},
            )
            return record_info(record)

    def simulate_smartphone_registered(
        self,
        *,
        card_id: str,
        platform: str,
        holder: Holder,
        at: dt.datetime | None = None,
    ) -> list[CertificateStatusInfo]:
        """The holder registered a phone in the マイナポータル app (§12): one
        smartphone certificate per valid card certificate, ending when it ends;
        the phone registered before is revoked (one phone per person)."""
        now = (at or dt.datetime.now(dt.UTC)).replace(microsecond=0)
        start = SMARTPHONE_CERTIFICATES_FROM.get(platform)
        if start is None or now.date() < start:
            raise ApplicationError(
                "smartphone-platform-not-offered",
                _(
                    "Smartphone certificates were not offered on this phone on "
                    "that day (§12)."
                ),
            )
        with transaction.atomic():
            newest = _newest_card_certificates(card_id, for_update=True)
            if not _valid(newest.get(CertificateKind.SIGNING), now):
                raise Conflict(
                    "smartphone-needs-signing-certificate",
                    _(
                        "A smartphone certificate needs a valid signing certificate "
                        "on the card (§12)."
                    ),
                )
            for old in IssuedCertificateRecord.objects.select_for_update().filter(
                card_id=card_id, medium=CertificateMedium.SMARTPHONE, state__in=LIVE
            ):
                old.state = IssuedCertificateState.REVOKED
                old.revocation_reason = int(RevocationReason.SUPERSEDED)
                old.state_changed_at = now
                old.save(
                    update_fields=["state", "revocation_reason", "state_changed_at"]
                )
            issued = [
                self._issue_to_phone(card, platform, holder, now)
                for card in newest.values()
                if _valid(card, now)
            ]
            audit_record(
                action="issuer_sim_smartphone_registered",
                actor_label=ACTOR_LABEL,
                data={"card_id": card_id, "platform": platform},
            )
            return [record_info(record) for record in issued]

    def _issue_to_phone(
        self,
        card: IssuedCertificateRecord,
        platform: str,
        holder: Holder,
        now: dt.datetime,
    ) -> IssuedCertificateRecord:
        """A real test-CA certificate for a key the phone's secure element made
        (here: made by the simulator), valid as long as the card's one."""
        ca_key, ca_cert = self._load_ca(card.kind)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        serial = x509.random_serial_number()
        cert = profile.build_end_entity_certificate(
            kind=card.kind,
            ca_key=ca_key,
            ca_cert=ca_cert,
            public_key=key.public_key(),
            serial=serial,
            not_before=now,
            not_after=card.not_after,
            holder=holder if card.kind == CertificateKind.SIGNING else None,
            municipality_code=getattr(holder, "municipality_code", "00000"),
            crl_url=self.crl_url(card.kind),
        )
        der = cert.public_bytes(serialization.Encoding.DER)
        return IssuedCertificateRecord.objects.create(
            serial=f"{serial:x}",
            kind=card.kind,
            card_id=card.card_id,
            fingerprint_sha256=hashlib.sha256(der).hexdigest(),
            not_before=now,
            not_after=card.not_after,
            medium=CertificateMedium.SMARTPHONE,
            platform=platform,
        )
