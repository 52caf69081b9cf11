"""The issuer's side of a card operation (SIMULATION of J-LIS,
docs/reference/card-protocol.md §14.1).

The agent asks the issuer to unlock one issuer-only card command, or to certify
the key the card just generated; only what the operation's kind needs, once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from counter.constants import CardStatus, CertificateKind
from counter.errors import ApplicationError, Conflict, PermissionDenied
from counter.models import Desk
from counter.validity import card_expiry, certificate_expiry
from jpki_ops.issuer.gateway import HolderAttributes, get_issuer
from jpki_ops.models import CardOperation
from jpki_ops.models import CardOperationKind as Kind
from jpki_ops.pcsc import apdu
from jpki_ops.protocol import constants as card
from jpki_ops.protocol.authorisation import CardCommand

from .records import audit_operation, locked_claimed


def _allowed_commands(op: CardOperation) -> list[tuple[int, int | None, int]]:
    """(INS, P1 or None for any allowed, P2) the issuer may unlock for ``op``."""
    if op.kind == Kind.PIN_RESET:
        slot = apdu.PIN_SLOTS[op.parameters["pin_kind"]]
        p1 = 0x03 if op.parameters.get("unblock_only") else 0x02
        return [(card.INS_RESET_RETRY_COUNTER, p1, slot.p2)]
    if op.kind == Kind.CERT_ISSUE:
        kind = op.parameters["certificate_kind"]
        return [
            (card.INS_GENERATE_KEY_PAIR, 0x00, 0x80 | apdu.KEY_EF[kind]),
            (card.INS_UPDATE_BINARY, 0x80 | apdu.CERT_EF[kind], 0x00),
        ]
    return []


def card_operation_authorise(
    *,
    operation_id: int,
    desk: Desk,
    agent_session: str,
    card_id: str,
    challenge: bytes,
    command: CardCommand,
) -> bytes:
    """Ask the issuer to unlock one issuer-only command for the card at this desk.

    Only the commands the operation's kind needs, once each, and a certificate
    write only for the exact certificate the issuer made for this operation. The
    issuer sees the card id, its challenge and the command, never a PIN.
    """
    with transaction.atomic():
        op = locked_claimed(operation_id, desk, agent_session)
        allowed = [
            (ins, p1, p2)
            for ins, p1, p2 in _allowed_commands(op)
            if (ins, p1, p2) == (command.ins, command.p1, command.p2)
        ]
        used = list(op.progress.get("authorised", []))
        if not allowed or f"{command.ins:02X}" in used:
            raise PermissionDenied(
                "issuer-authorisation-not-allowed",
                _("This operation may not unlock that card command (again)."),
                extra={"ins": f"{command.ins:02X}"},
            )
        if command.ins == card.INS_UPDATE_BINARY:
            expected = op.progress.get("certificate_sha256")
            if (
                not expected
                or command.data_sha256 is None
                or (command.data_sha256.hex() != expected)
            ):
                raise PermissionDenied(
                    "issuer-authorisation-wrong-certificate",
                    _("Only the certificate issued for this operation may be written."),
                )
        elif command.data_sha256 is not None:
            raise PermissionDenied(
                "issuer-authorisation-not-allowed",
                _("This operation may not unlock that card command (again)."),
            )
        card_seen = op.progress.get("card_id")
        if card_seen and card_seen != card_id:
            raise PermissionDenied(
                "issuer-authorisation-other-card",
                _(
                    "The card in the reader is not the card this operation "
                    "started with."
                ),
            )
        try:
            authorisation = get_issuer().authorise_card_command(
                card_id=card_id, challenge=challenge, command=command
            )
        except ValueError as exc:
            raise ApplicationError(
                "issuer-authorisation-bad-request",
                _("The issuer refused the authorisation request."),
            ) from exc
        op.progress = {
            **op.progress,
            "card_id": card_id,
            "authorised": [*used, f"{command.ins:02X}"],
        }
        op.save(update_fields=["progress", "updated_at"])
        audit_operation(
            "card_command_authorised",
            op,
            data={
                "ins": f"{command.ins:02X}",
                "p1": f"{command.p1:02X}",
                "p2": f"{command.p2:02X}",
                "simulated_issuer": True,
            },
        )
    return authorisation.external_authenticate_data


def card_operation_certify(
    *,
    operation_id: int,
    desk: Desk,
    agent_session: str,
    card_id: str,
    public_key_der: bytes,
) -> dict[str, Any]:
    """cert_issue: the issuer certifies the key the card just generated."""
    with transaction.atomic():
        op = locked_claimed(operation_id, desk, agent_session)
        if op.kind != Kind.CERT_ISSUE:
            raise PermissionDenied(
                "card-operation-wrong-kind",
                _("This operation does not issue certificates."),
            )
        if op.progress.get("certificate_sha256"):
            raise Conflict(
                "certificate-already-issued",
                _("A certificate was already issued for this operation."),
            )
        if op.progress.get("card_id") and op.progress["card_id"] != card_id:
            raise PermissionDenied(
                "issuer-authorisation-other-card",
                _(
                    "The card in the reader is not the card this operation "
                    "started with."
                ),
            )
        kind = op.parameters["certificate_kind"]
        holder = None
        resident = op.case.resident if op.case is not None else None
        if kind == CertificateKind.SIGNING:
            if resident is None:
                raise ApplicationError(
                    "certificate-needs-case",
                    _("A signing certificate is issued only within a case."),
                )
            holder = HolderAttributes(
                name=resident.name,
                address=resident.address,
                birth_date=resident.birth_date,
                gender={"male": "1", "female": "2"}.get(resident.gender, "9"),
                municipality_code=op.desk.office.municipality.code[:5],
            )
        not_after = _certificate_not_after(op, resident)
        _check_card_public_key(public_key_der)
        issued = get_issuer().issue_certificate(
            kind=kind,
            public_key_der=public_key_der,
            card_id=card_id,
            not_after=not_after,
            holder=holder,
        )
        digest = hashlib.sha256(issued.der).hexdigest()
        op.progress = {
            **op.progress,
            "card_id": card_id,
            "certificate_sha256": digest,
            "certificate_serial": f"{issued.serial:X}",
        }
        op.save(update_fields=["progress", "updated_at"])
        audit_operation(
            "certificate_issued_for_card",
            op,
            data={
                "certificate_kind": kind,
                "serial": f"{issued.serial:X}",
                "not_after": issued.not_after.isoformat(),
                "simulated_issuer": True,
            },
        )
    return {
        "certificate": issued.der,
        "serial": f"{issued.serial:X}",
        "not_after": issued.not_after,
        "sha256": digest,
    }


def _certificate_not_after(op: CardOperation, resident: Any) -> dt.datetime:
    """The validity end: given by the procedure, else the foundation's rules (§3)."""
    raw = op.parameters.get("not_after")
    if raw:
        value = dt.datetime.fromisoformat(raw)
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    today = timezone.localdate()
    if resident is None:
        raise ApplicationError(
            "certificate-needs-validity",
            _("Give the certificate's validity or issue it within a case."),
        )
    card = (
        resident.cards.filter(status=CardStatus.ACTIVE).order_by("-issued_on").first()
    )
    card_expires_on = (
        card.expires_on
        if card
        else card_expiry(
            issued_on=today,
            birth_date=resident.birth_date,
            residence_period_end=resident.residence_period_end,
        )
    )
    validity = certificate_expiry(
        kind=op.parameters["certificate_kind"],
        issued_on=today,
        birth_date=resident.birth_date,
        card_expires_on=card_expires_on,
        residence_period_end=resident.residence_period_end,
    )
    # 23:59:59 JST on the last day, like J-LIS's own notAfter
    # (docs/reference/card-protocol.md §10.1).
    return dt.datetime.combine(validity.expires_on, dt.time(14, 59, 59), tzinfo=dt.UTC)


def check_certificate_written(op: CardOperation, result: dict[str, Any]) -> None:
    expected = op.progress.get("certificate_sha256")
    if not expected or result.get("certificate_fingerprint") != expected:
        raise Conflict(
            "certificate-not-on-card",
            _("The certificate read back from the card is not the one issued."),
        )


def _check_card_public_key(der: bytes) -> None:
    """The key the card generated must be an RSA-2048 public key
    (docs/reference/card-protocol.md); anything else is the card's or the
    agent's fault, refused before the issuer sees it, never a server error."""
    try:
        key = serialization.load_der_public_key(der)
    except (ValueError, TypeError):
        key = None
    if not isinstance(key, rsa.RSAPublicKey) or key.key_size != 2048:
        raise Conflict(
            "issuer-public-key-refused",
            _(
                "The key the card generated is not one the issuer certifies. "
                "Nothing was written to the card; request the issuance again."
            ),
        )
