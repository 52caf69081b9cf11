"""Is the card in the reader the case's card? The server decides, before any PIN.

The agent reads what the card gives without a PIN (the user-authentication
certificate's key fingerprint and serial, and the identifier the card was
manufactured with) and asks here. Only a positive answer lets it go on:

1. the case's card has a recorded key fingerprint → it must be equal;
2. otherwise the card has a user-authentication certificate → the issuer says which
   card it was issued to, and that must be the card recorded for the case;
3. otherwise (no certificate at all) → the manufacture identifier must be the one
   recorded for the case's card.

"Unknown" is a refusal with its own message, never a pass
(docs/adr/0006-card-identity-before-any-pin.md).
The first positive match records the fingerprint. The certificate serial is only
used for the lookup: it is neither stored nor audited (§16).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from counter.audit import audit_record
from counter.errors import ApplicationError, Conflict, NotFound
from counter.models import Card, Desk
from jpki_ops.issuer.gateway import get_issuer
from jpki_ops.models import CardManufactureRecord, CardOperation

from .agent import finish_failed
from .failures import REFUSALS
from .records import announce_finished, audit_operation, locked_claimed
from .rules import EXPECTED_CARD, is_fingerprint

#: The match results the agent may pass on to the clerk's screen.
MATCHED_BY_FINGERPRINT = "recorded-fingerprint"
MATCHED_BY_ISSUER = "issuer-record"
MATCHED_BY_MANUFACTURE_ID = "manufacture-id"
NO_CASE = "no-case"


@dataclass(frozen=True)
class CardReading:
    """What the card gave without a PIN."""

    card_id: str
    fingerprint: str | None
    certificate_serial: str | None

    @classmethod
    def from_agent(cls, data: dict[str, Any]) -> CardReading:
        card_id = str(data.get("card_id") or "")
        fingerprint = data.get("card_fingerprint") or None
        serial = data.get("certificate_serial") or None
        if (
            not card_id
            or len(card_id) > 32
            or (fingerprint is not None and not is_fingerprint(fingerprint))
            or (serial is not None and not _is_hex(serial))
        ):
            raise ApplicationError(
                "card-identity-unreadable", REFUSALS["card-identity-unreadable"]
            )
        if (fingerprint is None) != (serial is None):
            # Well-formed, but a card whose key and certificate do not read
            # together: the card's state, not the request, is at fault (409).
            raise ApplicationError(
                "card-identity-unreadable",
                REFUSALS["card-identity-unreadable"],
                status=409,
            )
        return cls(card_id, fingerprint, serial)


def _is_hex(value: Any) -> bool:
    return (
        isinstance(value, str)
        and 0 < len(value) <= 40
        and all(c in "0123456789abcdefABCDEF" for c in value)
    )


def card_operation_identify(
    *, operation_id: int, desk: Desk, agent_session: str, reading: dict[str, Any]
) -> dict[str, str]:
    """Decide whether the card read by the agent is the operation's card.

    Returns ``{"match": …}``; a refusal fails the operation (audited, the case told)
    and raises :class:`~counter.errors.Conflict` with the refusal's code.
    """
    card_reading = CardReading.from_agent(reading)
    refusal: str | None = None
    with transaction.atomic():
        op = locked_claimed(operation_id, desk, agent_session)
        card = op.case.card if op.case is not None else None
        if op.case is None:
            refusal, match = _without_case(op, card_reading)
        elif card is None:
            refusal, match = "card-identity-unrecorded", ""
        else:
            card = Card.objects.select_for_update().get(pk=card.pk)
            refusal, match = card_match(card, card_evidence(card_reading))
        if refusal is None:
            op.progress = {**op.progress, "card_match": match}
            op.save(update_fields=["progress", "updated_at"])
            audit_operation("card_operation_card_identified", op, data={"match": match})
            if card is not None and not card.auth_key_fingerprint:
                _record_fingerprint(op, card, card_reading)
        else:
            finish_failed(
                op,
                refusal,
                str(REFUSALS[refusal]),
                data={"refused_before_any_pin": True},
            )
    if refusal is not None:
        announce_finished(op)
        raise Conflict(refusal, REFUSALS[refusal], extra={"operation": op.pk})
    return {"match": match}


def _without_case(op: CardOperation, reading: CardReading) -> tuple[str | None, str]:
    """The desk's own operations (no case): only a named fingerprint is checked."""
    expected = (op.parameters or {}).get(EXPECTED_CARD)
    if expected and reading.fingerprint != expected:
        return "card-not-holders", ""
    return None, MATCHED_BY_FINGERPRINT if expected else NO_CASE


@dataclass(frozen=True)
class CardEvidence:
    """What decides whether a card is a case's card, the issuer already asked.

    ``issued_to`` is the card the issuer says the user-authentication certificate
    was issued to: ``None`` when the card holds no certificate, ``""`` when the
    issuer does not know it. The certificate's serial is not kept (§16).
    """

    card_id: str
    fingerprint: str | None
    issued_to: str | None


def card_evidence(reading: CardReading) -> CardEvidence:
    """Ask the issuer gateway which card the certificate read was issued to."""
    if reading.certificate_serial is None:
        return CardEvidence(reading.card_id, reading.fingerprint, None)
    try:
        issued_to = (
            get_issuer().status(serial=int(reading.certificate_serial, 16)).card_id
        )
    except NotFound:
        issued_to = ""
    return CardEvidence(reading.card_id, reading.fingerprint, issued_to)


def card_match(card: Card, evidence: CardEvidence) -> tuple[str | None, str]:
    """``(refusal code, None)`` or ``(None, how it matched)`` for the case's card.

    The one decision of the identify step and of the clerk's panel showing the
    card in the reader (:mod:`.reader`)."""
    recorded_id = (
        CardManufactureRecord.objects.filter(card=card)
        .values_list("manufacture_id", flat=True)
        .first()
    )
    if card.auth_key_fingerprint and evidence.fingerprint is not None:
        if evidence.fingerprint == card.auth_key_fingerprint:
            return None, MATCHED_BY_FINGERPRINT
        return "card-not-holders", ""
    if evidence.issued_to is not None:
        if evidence.issued_to != evidence.card_id:
            # Unknown to the issuer, or a certificate the issuer gave another card:
            # not this chip's own.
            return "card-unknown-to-issuer", ""
        if recorded_id is None:
            return "card-identity-unrecorded", ""
        if evidence.issued_to == recorded_id:
            return None, MATCHED_BY_ISSUER
        return "card-not-holders", ""
    if recorded_id is None:
        return "card-identity-unrecorded", ""
    if evidence.card_id == recorded_id:
        return None, MATCHED_BY_MANUFACTURE_ID
    return "card-without-certificates-unknown", ""


def _record_fingerprint(op: CardOperation, card: Card, reading: CardReading) -> None:
    """The first positive match: the card is recognised by its key from now on."""
    if reading.fingerprint is None:
        return
    card.auth_key_fingerprint = reading.fingerprint
    card.save(update_fields=["auth_key_fingerprint"])
    audit_record(
        action="card_fingerprint_recorded",
        actor_label="",
        desk=op.desk,
        case=op.case,
        obj=card,
        data={"operation": op.pk},
    )
