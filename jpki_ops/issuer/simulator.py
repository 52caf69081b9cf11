"""SIMULATION of the issuer (J-LIS): a test CA behind the issuer gateway.

Keys live in ``settings.JPKI_ISSUER_STATE_DIR`` (default ``var/issuer/``) and are
created on first use: one RSA-2048 CA per certificate kind and a 32-byte master key
from which each card's authorisation key is diversified
(:mod:`jpki_ops.protocol.authorisation`). The register of issued certificates and
the published CRLs are Django models (:mod:`jpki_ops.models`). Every state change
is written to the audit trail as the actor "simulated J-LIS".
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import logging
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from counter.audit import audit_record
from counter.errors import Conflict, NotFound
from jpki_ops.models import (
    IssuedCertificateRecord,
    IssuedCertificateState,
    PublishedCrl,
)
from jpki_ops.protocol.authorisation import (
    CardCommand,
    diversify_card_key,
    external_authenticate_data,
)

from . import profile
from .holder_events import SimulatedHolderEvents, follow_card_certificate, record_info
from .types import (
    CardCommandAuthorisation,
    CertificateStatusInfo,
    Holder,
    IssuedCertificate,
    RevocationReason,
)

logger = logging.getLogger("jpki_ops.issuer")

ACTOR_LABEL = "simulated J-LIS"
KINDS = (profile.SIGNING, profile.AUTHENTICATION)
CRL_VALIDITY = dt.timedelta(days=1)


def _audit(action: str, data: dict[str, object]) -> None:
    audit_record(action=action, actor_label=ACTOR_LABEL, data=data)


class SimulatedIssuer(SimulatedHolderEvents):
    """The issuer gateway's simulator. Not J-LIS: its CA is a labelled TEST CA.

    The holder's own doings at J-LIS (kiosk PIN reset, smartphone certificates)
    are :class:`~.holder_events.SimulatedHolderEvents`' hooks."""

    simulated = True

    def __init__(
        self, state_dir: str | os.PathLike[str], *, crl_base_url: str = ""
    ) -> None:
        self.state_dir = Path(state_dir)
        self.crl_base_url = crl_base_url.rstrip("/")
        self._ca_keys: dict[str, rsa.RSAPrivateKey] = {}
        self._ca_certs: dict[str, x509.Certificate] = {}
        self._master_key: bytes | None = None

    @classmethod
    def from_settings(cls) -> SimulatedIssuer:
        return cls(
            settings.JPKI_ISSUER_STATE_DIR,
            crl_base_url=getattr(settings, "JPKI_CRL_BASE_URL", ""),
        )

    # --- key material (files) --------------------------------------------------

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Serialise first-use key generation between web, worker and tests."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        with (self.state_dir / ".lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _write_private(self, path: Path, data: bytes) -> None:
        tmp = path.with_suffix(path.suffix + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)

    def crl_url(self, kind: str) -> str | None:
        return f"{self.crl_base_url}/{kind}.crl" if self.crl_base_url else None

    def _load_ca(self, kind: str) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
        if kind not in KINDS:
            raise ValueError(f"unknown certificate kind {kind!r}")
        if kind not in self._ca_keys:
            key_path = self.state_dir / f"{kind}-ca.key.pem"
            cert_path = self.state_dir / f"{kind}-ca.crt.der"
            with self._locked():
                if not key_path.exists():
                    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
                    cert = profile.build_ca_certificate(
                        kind=kind,
                        key=key,
                        now=dt.datetime.now(dt.UTC).replace(microsecond=0),
                        crl_url=self.crl_url(kind),
                    )
                    self._write_private(
                        key_path,
                        key.private_bytes(
                            serialization.Encoding.PEM,
                            serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption(),
                        ),
                    )
                    self._write_private(
                        cert_path, cert.public_bytes(serialization.Encoding.DER)
                    )
                    logger.info("SIMULATION: created the test CA for %s", kind)
            loaded = serialization.load_pem_private_key(key_path.read_bytes(), None)
            assert isinstance(loaded, rsa.RSAPrivateKey)
            self._ca_keys[kind] = loaded
            self._ca_certs[kind] = x509.load_der_x509_certificate(
                cert_path.read_bytes()
            )
        return self._ca_keys[kind], self._ca_certs[kind]

    def _card_master_key(self) -> bytes:
        if self._master_key is None:
            path = self.state_dir / "card-master.key"
            with self._locked():
                if not path.exists():
                    self._write_private(path, secrets.token_bytes(32))
            self._master_key = path.read_bytes()
        return self._master_key

    def ca_certificate(self, *, kind: str) -> bytes:
        return self._load_ca(kind)[1].public_bytes(serialization.Encoding.DER)

    def personalise_card(self, *, card_id: str) -> bytes:
        """The card's diversified authorisation key, written at card manufacture."""
        return diversify_card_key(self._card_master_key(), card_id)

    # --- certificates ------------------------------------------------------------

    def issue_certificate(
        self,
        *,
        kind: str,
        public_key_der: bytes,
        card_id: str,
        not_after: dt.datetime,
        holder: Holder | None = None,
    ) -> IssuedCertificate:
        ca_key, ca_cert = self._load_ca(kind)
        public_key = serialization.load_der_public_key(public_key_der)
        if not isinstance(public_key, rsa.RSAPublicKey) or public_key.key_size != 2048:
            raise ValueError("JPKI keys are RSA-2048")
        # No personal data in the user-authentication certificate
        # (docs/reference/card-protocol.md §10.2).
        holder_for_cert = None if kind == profile.AUTHENTICATION else holder
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        if not_after.tzinfo is None:
            raise ValueError("not_after must be timezone-aware")
        if not_after <= now:
            raise ValueError("not_after lies in the past")
        serial = x509.random_serial_number()
        cert = profile.build_end_entity_certificate(
            kind=kind,
            ca_key=ca_key,
            ca_cert=ca_cert,
            public_key=public_key,
            serial=serial,
            not_before=now,
            not_after=not_after,
            holder=holder_for_cert,
            municipality_code=getattr(holder, "municipality_code", "00000"),
            crl_url=self.crl_url(kind),
        )
        der = cert.public_bytes(serialization.Encoding.DER)
        with transaction.atomic():
            IssuedCertificateRecord.objects.create(
                serial=f"{serial:x}",
                kind=kind,
                card_id=card_id,
                fingerprint_sha256=hashlib.sha256(der).hexdigest(),
                not_before=now,
                not_after=not_after,
            )
            _audit(
                "issuer_sim_certificate_issued",
                {"serial": f"{serial:x}", "kind": kind, "card_id": card_id},
            )
        return IssuedCertificate(serial, kind, der, now, not_after)

    def _record(
        self, serial: int, *, for_update: bool = False
    ) -> IssuedCertificateRecord:
        qs = IssuedCertificateRecord.objects.all()
        if for_update:
            qs = qs.select_for_update()
        try:
            return qs.get(serial=f"{serial:x}")
        except IssuedCertificateRecord.DoesNotExist:
            raise NotFound(
                "certificate-unknown",
                _("The issuer does not know this certificate."),
                extra={"serial": f"{serial:x}"},
            ) from None

    @staticmethod
    def _info(record: IssuedCertificateRecord) -> CertificateStatusInfo:
        return record_info(record)

    def _change_state(
        self,
        serial: int,
        *,
        allowed_from: tuple[str, ...],
        to: str,
        reason: RevocationReason | None,
        action: str,
    ) -> CertificateStatusInfo:
        with transaction.atomic():
            record = self._record(serial, for_update=True)
            if record.state not in allowed_from:
                raise Conflict(
                    "certificate-state-conflict",
                    _("The certificate is %(state)s; this change is not possible.")
                    % {"state": record.get_state_display()},
                    extra={"serial": record.serial, "state": record.state},
                )
            record.state = to
            record.revocation_reason = int(reason) if reason is not None else None
            record.state_changed_at = dt.datetime.now(dt.UTC)
            record.save(
                update_fields=["state", "revocation_reason", "state_changed_at"]
            )
            follow_card_certificate(record, to=to, reason=reason)  # §12.1
            _audit(
                action,
                {
                    "serial": record.serial,
                    "kind": record.kind,
                    "card_id": record.card_id,
                    "reason": int(reason) if reason is not None else None,
                },
            )
            return self._info(record)

    def revoke(self, *, serial: int, reason: RevocationReason) -> CertificateStatusInfo:
        if reason in (RevocationReason.CERTIFICATE_HOLD,):
            raise ValueError("use suspend() for certificateHold")
        return self._change_state(
            serial,
            allowed_from=(
                IssuedCertificateState.ACTIVE,
                IssuedCertificateState.SUSPENDED,
            ),
            to=IssuedCertificateState.REVOKED,
            reason=reason,
            action="issuer_sim_certificate_revoked",
        )

    def suspend(self, *, serial: int) -> CertificateStatusInfo:
        return self._change_state(
            serial,
            allowed_from=(IssuedCertificateState.ACTIVE,),
            to=IssuedCertificateState.SUSPENDED,
            reason=RevocationReason.CERTIFICATE_HOLD,
            action="issuer_sim_certificate_suspended",
        )

    def lift_suspension(self, *, serial: int) -> CertificateStatusInfo:
        return self._change_state(
            serial,
            allowed_from=(IssuedCertificateState.SUSPENDED,),
            to=IssuedCertificateState.ACTIVE,
            reason=None,
            action="issuer_sim_suspension_lifted",
        )

    def status(self, *, serial: int) -> CertificateStatusInfo:
        return self._info(self._record(serial))

    def status_by_card(self, *, card_id: str) -> list[CertificateStatusInfo]:
        """The simulated J-LIS answers from its own records, newest first."""
        records = IssuedCertificateRecord.objects.filter(card_id=card_id).order_by(
            "-issued_at", "-pk"
        )
        return [self._info(record) for record in records]

    def simulate_revoked_at_home(self, *, serial: int) -> CertificateStatusInfo:
        """SIMULATION hook: the holder revoked this certificate at home with the
        利用者クライアントソフト, so J-LIS knows and the counter does not (§9.1)."""
        return self._change_state(
            serial,
            allowed_from=(
                IssuedCertificateState.ACTIVE,
                IssuedCertificateState.SUSPENDED,
            ),
            to=IssuedCertificateState.REVOKED,
            reason=RevocationReason.CESSATION_OF_OPERATION,
            action="issuer_sim_revoked_at_home",
        )

    # --- card command authorisation ------------------------------------------------

    def authorise_card_command(
        self, *, card_id: str, challenge: bytes, command: CardCommand
    ) -> CardCommandAuthorisation:
        """SIMULATION of J-LIS unlocking one issuer-only command on one card."""
        if not 8 <= len(challenge) <= 256:
            raise ValueError("card challenge must be 8 to 256 bytes")
        key = diversify_card_key(self._card_master_key(), card_id)
        data = external_authenticate_data(key, card_id, challenge, command)
        _audit(
            "issuer_sim_card_command_authorised",
            {
                "card_id": card_id,
                "ins": f"{command.ins:02X}",
                "p1": f"{command.p1:02X}",
                "p2": f"{command.p2:02X}",
            },
        )
        return CardCommandAuthorisation(card_id, command, data)

    # --- CRL -------------------------------------------------------------------------

    def build_crl(self, *, kind: str) -> PublishedCrl:
        """Sign and store a new CRL listing every revoked or suspended certificate."""
        ca_key, ca_cert = self._load_ca(kind)
        # The row keeps the exact time (staleness check below); the CRL has seconds.
        built_at = dt.datetime.now(dt.UTC)
        now = built_at.replace(microsecond=0)
        with transaction.atomic():
            last = (
                PublishedCrl.objects.select_for_update()
                .filter(kind=kind)
                .order_by("-number")
                .first()
            )
            number = (last.number + 1) if last else 1
            builder = (
                x509.CertificateRevocationListBuilder()
                .issuer_name(ca_cert.subject)
                .last_update(now)
                .next_update(now + CRL_VALIDITY)
                .add_extension(x509.CRLNumber(number), critical=False)
                .add_extension(
                    x509.AuthorityKeyIdentifier.from_issuer_public_key(
                        ca_key.public_key()
                    ),
                    critical=False,
                )
            )
            listed = IssuedCertificateRecord.objects.filter(
                kind=kind,
                state__in=[
                    IssuedCertificateState.REVOKED,
                    IssuedCertificateState.SUSPENDED,
                ],
            ).order_by("state_changed_at", "serial")
            for record in listed:
                reason = RevocationReason(record.revocation_reason or 0)
                entry = (
                    x509.RevokedCertificateBuilder()
                    .serial_number(record.serial_int)
                    .revocation_date(record.state_changed_at or now)
                )
                if reason != RevocationReason.UNSPECIFIED:
                    entry = entry.add_extension(
                        x509.CRLReason(_CRL_REASON[reason]), critical=False
                    )
                builder = builder.add_revoked_certificate(entry.build())
            crl = builder.sign(ca_key, hashes.SHA256())
            return PublishedCrl.objects.create(
                kind=kind,
                number=number,
                this_update=built_at,
                next_update=now + CRL_VALIDITY,
                der=crl.public_bytes(serialization.Encoding.DER),
            )

    def crl(self, *, kind: str) -> bytes:
        """The newest published CRL; a fresh one when none is current."""
        latest = PublishedCrl.objects.filter(kind=kind).order_by("-number").first()
        stale = latest is None or latest.next_update <= dt.datetime.now(dt.UTC)
        if not stale and latest is not None:
            # A revocation, suspension or lift since the last CRL: publish at once,
            # so a verifier never trusts a certificate the register has revoked.
            stale = IssuedCertificateRecord.objects.filter(
                kind=kind, state_changed_at__gt=latest.this_update
            ).exists()
        if stale:
            latest = self.build_crl(kind=kind)
        assert latest is not None
        return bytes(latest.der)


_CRL_REASON = {
    RevocationReason.KEY_COMPROMISE: x509.ReasonFlags.key_compromise,
    RevocationReason.CA_COMPROMISE: x509.ReasonFlags.ca_compromise,
    RevocationReason.AFFILIATION_CHANGED: x509.ReasonFlags.affiliation_changed,
    RevocationReason.SUPERSEDED: x509.ReasonFlags.superseded,
    RevocationReason.CESSATION_OF_OPERATION: x509.ReasonFlags.cessation_of_operation,
    RevocationReason.CERTIFICATE_HOLD: x509.ReasonFlags.certificate_hold,
    RevocationReason.PRIVILEGE_WITHDRAWN: x509.ReasonFlags.privilege_withdrawn,
}
