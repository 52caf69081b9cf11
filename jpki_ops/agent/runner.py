"""Runs one card operation at the desk: card I/O, PIN pad prompts, issuer round trips.

Called by :class:`~jpki_ops.agent.main.DeskAgent` for each claimed operation. Returns
the result dict the server stores, or raises a
:class:`~counter.errors.ApplicationError` (card errors, PIN pad cancellation, a
refused last try) whose code and message become the operation's failure. Results
carry what the card said (tries left, fingerprints, the signing certificate's
serial) and never a PIN or the individual number.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.utils.translation import gettext_lazy as _

from counter.errors import ApplicationError
from jpki_ops.pcsc import errors
from jpki_ops.pcsc.client import (
    CardContents,
    CardSession,
    PinStatus,
    public_key_fingerprint,
)
from jpki_ops.pcsc.pin import Pin
from jpki_ops.protocol.authorisation import CardCommand

from .pinpad import PinPad
from .server import ServerClient

logger = logging.getLogger(__name__)

ALL_PIN_KINDS = ("signing", "authentication", "resident_register", "card_info")


class LastTryNotConfirmed(errors.CardError):
    """One try left and the clerk has not confirmed: nothing is spent
    (docs/rules/02-certificates-and-pins.md §2)."""

    default_code = "pin-last-try-unconfirmed"
    default_message = _(
        "Only one try is left for this PIN; a wrong entry locks it. Warn the "
        "resident and request the operation again with the last try confirmed."
    )


class CardNotHolders(errors.CardError):
    """The card in the reader is not the one the case is for: refused untouched."""

    default_code = "card-not-holders"
    default_message = _(
        "This card belongs to someone else. Check the card in the reader."
    )


class CardSwapped(errors.CardError):
    """Another card is in the reader than the one identified: stop before the PIN
    or the command reaches it."""

    default_code = "card-swapped"
    default_message = _(
        "The card in the reader was changed during the operation. Nothing more was "
        "done; put the resident's card back and start again."
    )


def card_identity(card: CardSession, *, fresh: bool = False) -> dict[str, Any]:
    """What the card gives without a PIN: its manufacture id and, when it holds
    one, the user-authentication certificate's key fingerprint and serial."""
    reading: dict[str, Any] = {
        "card_id": card.read_card_id(fresh=fresh),
        "card_fingerprint": None,
        "certificate_serial": None,
    }
    try:
        der = card.read_certificate("authentication")
    except errors.EmptyFile:
        return reading
    reading["card_fingerprint"] = public_key_fingerprint(der)
    reading["certificate_serial"] = (
        f"{x509.load_der_x509_certificate(der).serial_number:x}"
    )
    return reading


def certificate_summary(der: bytes, *, with_serial: bool) -> dict[str, Any]:
    """Fingerprint and validity; the serial only for signing certificates (the
    user-authentication certificate's serial is regulated data,
    docs/rules/16-counter-operations.md §16)."""
    cert = x509.load_der_x509_certificate(der)
    summary: dict[str, Any] = {
        "fingerprint": hashlib.sha256(der).hexdigest(),
        "not_after": cert.not_valid_after_utc.isoformat(),
        "issuer": cert.issuer.rfc4514_string(),
    }
    if with_serial:
        summary["serial"] = f"{cert.serial_number:X}"
    return summary


class OperationRunner:
    def __init__(
        self,
        *,
        reader: str | None,
        reader_pattern: str | None,
        pinpad: PinPad,
        server: ServerClient,
        pin_timeout: float = 180.0,
        session_factory: Callable[..., CardSession] = CardSession,
    ) -> None:
        self.reader = reader
        self.reader_pattern = reader_pattern
        self.pinpad = pinpad
        self.server = server
        self.pin_timeout = pin_timeout
        self.session_factory = session_factory

    def run(self, operation: dict[str, Any]) -> dict[str, Any]:
        handler = getattr(self, f"_op_{operation['kind']}", None)
        if handler is None:
            raise ApplicationError(
                "card-operation-unsupported",
                _("This desk agent cannot run that card operation."),
                extra={"kind": operation["kind"]},
            )
        self._progress(operation, stage="card")
        self.pinpad.on_refused = lambda kind, code: self._progress(
            operation, stage="pin_refused", pin_kind=kind, refusal_code=code
        )
        params = operation.get("parameters") or {}
        with self.session_factory(
            self.reader, reader_pattern=self.reader_pattern
        ) as card:
            # Which card is in the reader, before anything changes on it; the
            # server decides (docs/adr/0006-card-identity-before-any-pin.md).
            # Reading it needs no PIN (docs/reference/card-protocol.md).
            self._identity = card_identity(card)
            self._progress(operation, stage="identifying")
            answer = self.server.identify(operation["id"], self._identity)
            self._progress(operation, stage="card", card_match=answer.get("match"))
            fingerprint = self._identity["card_fingerprint"]
            result: dict[str, Any] = handler(card, operation, params)
            if fingerprint is not None:
                result.setdefault("card_fingerprint", fingerprint)
            return result

    # -- helpers ----------------------------------------------------------------------

    def _same_card(self, card: CardSession) -> None:
        """Right before a PIN or a changing command goes to the card: is it still the
        card the server identified? A swap stops the operation."""
        now = card_identity(card, fresh=True)  # a pulled card: CardRemoved
        if now != self._identity:
            raise CardSwapped()

    def _progress(self, operation: dict[str, Any], **fields: Any) -> None:
        try:
            self.server.progress(operation["id"], **fields)
        except Exception:  # noqa: BLE001 - progress is best effort
            logger.warning("could not report progress of operation %s", operation["id"])

    def _ask_pin(
        self,
        card: CardSession,
        operation: dict[str, Any],
        kind: str,
        *,
        title: str | None = None,
    ) -> Pin:
        """Check tries left (no try spent), warn, then let the resident type the PIN."""
        status = card.pin_status(kind)
        self._progress(
            operation,
            stage="awaiting_pin",
            pin_kind=kind,
            tries_left=status.tries_left,
            max_tries=status.max_tries,
            last_try=status.last_try,
        )
        if status.blocked:
            raise errors.PinBlocked(pin_kind=kind)
        if status.last_try and not operation["parameters"].get("confirm_last_try"):
            raise LastTryNotConfirmed(extra={"pin_kind": kind, "tries_left": 1})
        pin = self.pinpad.request_pin(
            kind,
            tries_left=status.tries_left,
            max_tries=status.max_tries,
            title=title,
            timeout=self.pin_timeout,
            heading=operation.get("pad"),
        )
        self._checked_before_use(card, pin)
        self._progress(operation, stage="card_io")
        return pin

    def _checked_before_use(self, card: CardSession, pin: Pin) -> None:
        try:
            self._same_card(card)
        except errors.CardError:
            pin.wipe()
            raise

    def _ask_new_pin(
        self,
        card: CardSession,
        operation: dict[str, Any],
        kind: str,
        *,
        recheck: bool = True,
    ) -> Pin:
        """``recheck=False`` right after the current PIN was verified: reading the
        card's identity again would leave the application and void that
        verification (a card swapped since then refuses the new PIN anyway)."""
        self._progress(operation, stage="awaiting_pin", pin_kind=kind)
        pin = self.pinpad.request_pin(
            kind,
            confirm=True,
            title=str(NEW_PIN_TITLES[kind]),
            timeout=self.pin_timeout,
            heading=operation.get("pad"),
        )
        if recheck:
            self._checked_before_use(card, pin)
        self._progress(operation, stage="card_io")
        return pin

    def _authoriser(
        self, card: CardSession, operation: dict[str, Any]
    ) -> Callable[[str, bytes, CardCommand], bytes]:
        def authorise(card_id: str, challenge: bytes, command: CardCommand) -> bytes:
            if card_id != self._identity["card_id"]:
                raise CardSwapped()
            self._progress(operation, stage="issuer")
            return self.server.authorise(operation["id"], card_id, challenge, command)

        return authorise

    @staticmethod
    def _pins(statuses: dict[str, PinStatus]) -> dict[str, Any]:
        return {kind: status.as_dict() for kind, status in statuses.items()}

    # -- operations -------------------------------------------------------------------

    def _op_read_card(
        self, card: CardSession, operation: dict[str, Any], params: dict[str, Any]
    ) -> dict[str, Any]:
        password = None
        if params.get("read_signing_certificate"):
            password = self._ask_pin(card, operation, "signing")
        contents: CardContents = card.read_card(signing_password=password)
        certificates: dict[str, Any] = {}
        if contents.auth_certificate is not None:
            certificates["authentication"] = certificate_summary(
                contents.auth_certificate, with_serial=False
            )
        certificates |= {
            "authentication_ca": certificate_summary(
                contents.auth_ca_certificate, with_serial=True
            ),
            "signing_ca": certificate_summary(
                contents.sign_ca_certificate, with_serial=True
            ),
        }
        if contents.sign_certificate is not None:
            certificates["signing"] = certificate_summary(
                contents.sign_certificate, with_serial=True
            )
        return {
            "token": contents.token,
            "card_fingerprint": contents.fingerprint,
            "pins": self._pins(contents.pins),
            "certificates": certificates,
        }

    def _op_pin_status(
        self, card: CardSession, operation: dict[str, Any], params: dict[str, Any]
    ) -> dict[str, Any]:
        kinds = params.get("pin_kinds") or ALL_PIN_KINDS
        return {"pins": self._pins(card.pin_statuses(kinds))}

    def _op_pin_verify(
        self, card: CardSession, operation: dict[str, Any], params: dict[str, Any]
    ) -> dict[str, Any]:
        kind = params["pin_kind"]
        pin = self._ask_pin(card, operation, kind)
        card.pin_verify(pin)
        return {"pin_kind": kind, "tries_left": card.pin_status(kind).max_tries}

    def _op_pin_change(
        self, card: CardSession, operation: dict[str, Any], params: dict[str, Any]
    ) -> dict[str, Any]:
        kind = params["pin_kind"]
        current = self._ask_pin(
            card, operation, kind, title=str(CURRENT_PIN_TITLES[kind])
        )
        card.pin_verify(current)
        new = self._ask_new_pin(card, operation, kind, recheck=False)
        card.pin_set_new(new)
        return {"pin_kind": kind, "tries_left": card.pin_status(kind).max_tries}

    def _op_pin_reset(
        self, card: CardSession, operation: dict[str, Any], params: dict[str, Any]
    ) -> dict[str, Any]:
        kind = params["pin_kind"]
        unblock_only = bool(params.get("unblock_only"))
        new = None if unblock_only else self._ask_new_pin(card, operation, kind)
        card.pin_reset(kind, new, self._authoriser(card, operation))
        status = card.pin_status(kind)
        return {
            "pin_kind": kind,
            "tries_left": status.tries_left,
            "unblock_only": unblock_only,
        }

    def _op_cert_issue(
        self, card: CardSession, operation: dict[str, Any], params: dict[str, Any]
    ) -> dict[str, Any]:
        kind = params["certificate_kind"]
        authorise = self._authoriser(card, operation)
        card_id = card.read_card_id()
        public_key = card.key_generate(kind, authorise)
        self._progress(operation, stage="issuer")
        issued = self.server.certify(operation["id"], card_id, public_key)
        der: bytes = issued["certificate"]
        card.certificate_write(kind, der, authorise)
        if kind == "signing":
            # The signing certificate reads only after the signing password
            # (docs/reference/card-protocol.md §3).
            card.pin_verify(self._ask_pin(card, operation, "signing"))
        read_back = card.read_certificate(kind)
        if read_back != der:
            raise errors.CardCommunicationError(extra={"reason": "read-back differs"})
        result: dict[str, Any] = {
            "certificate_kind": kind,
            "certificate_fingerprint": hashlib.sha256(read_back).hexdigest(),
            "certificate_not_after": issued["not_after"],
        }
        if kind == "signing":
            result["certificate_serial"] = issued["serial"]
        else:
            # A new user-authentication key: the card is recognised by it from now
            # on (counter.Card.auth_key_fingerprint).
            result["card_fingerprint_after"] = public_key_fingerprint(read_back)
        return result

    def _op_sign_test(
        self, card: CardSession, operation: dict[str, Any], params: dict[str, Any]
    ) -> dict[str, Any]:
        kind = params["certificate_kind"]
        pin = self._ask_pin(card, operation, kind)
        message = (
            f"madoguchi sign test {operation['id']} {dt.datetime.now(dt.UTC)}".encode()
        )
        signature = card.sign_sha256(pin, message)
        cert = x509.load_der_x509_certificate(card.read_certificate(kind))
        public_key = cert.public_key()
        assert isinstance(public_key, rsa.RSAPublicKey)
        try:
            public_key.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
            valid = True
        except Exception:  # noqa: BLE001 - InvalidSignature
            valid = False
        return {"certificate_kind": kind, "signature_valid": valid}

    def _op_read_basic_items(
        self, card: CardSession, operation: dict[str, Any], params: dict[str, Any]
    ) -> dict[str, Any]:
        pin = self._ask_pin(card, operation, "card_info")
        items = card.read_four_basic_items(pin)
        return {
            "basic_items_read": True,
            "basic_items": {
                "name": items.name,
                "address": items.address,
                "birth_date": items.birth_date,
                "sex": items.sex,
            },
        }


CURRENT_PIN_TITLES = {
    "signing": _("Current signing password"),
    "authentication": _("Current user-authentication PIN"),
    "resident_register": _("Current resident-register PIN"),
    "card_info": _("Current card-info PIN"),
}
NEW_PIN_TITLES = {
    "signing": _("New signing password (6–16 capital letters and digits)"),
    "authentication": _("New user-authentication PIN (4 digits)"),
    "resident_register": _("New resident-register PIN (4 digits)"),
    "card_info": _("New card-info PIN (4 digits)"),
}
