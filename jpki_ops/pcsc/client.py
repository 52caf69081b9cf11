"""PC/SC client for the My Number Card's JPKI and card-info applications.

Runs in the desk agent, next to the reader. Every operation opens the card with
:class:`CardSession`, sends as few APDUs as the protocol allows
(docs/reference/card-protocol.md §13: short-EF-id forms instead of separate SELECTs,
certificates
read by the length in their DER header in the largest chunk the card takes) and
turns status words into the typed errors of :mod:`jpki_ops.pcsc.errors`; what it
reads comes back as the types of :mod:`jpki_ops.pcsc.contents`.

PINs arrive as :class:`~jpki_ops.pcsc.pin.Pin`; their shape is checked against the
foundation's PIN policy *before* any APDU (so a mistyped PIN costs no try), and the
buffer is zeroed as soon as the card has answered.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from typing import Final, Self

from jpki_ops.protocol import constants as card
from jpki_ops.protocol.authorisation import CardCommand

from . import apdu, errors
from .contents import (
    CardContents,
    FourBasicItems,
    PinStatus,
    parse_four_items,
    public_key_fingerprint,
)
from .pin import Pin
from .policy import pin_shape_check
from .transport import ApduObserver, Connection, resolve_reader

__all__ = [
    "CA_CERT_EF",
    "CERT_EF",
    "JPKI_ATR",
    "KEY_EF",
    "KEY_PIN",
    "PIN_SLOTS",
    "Authoriser",
    "CardContents",
    "CardSession",
    "FourBasicItems",
    "PinStatus",
    "public_key_fingerprint",
]

logger = logging.getLogger(__name__)

JPKI_ATR: Final = bytes.fromhex("3BE000FF8131FE4514")

PIN_SLOTS = apdu.PIN_SLOTS
CERT_EF = apdu.CERT_EF
CA_CERT_EF = apdu.CA_CERT_EF
KEY_EF = apdu.KEY_EF
KEY_PIN: Final = {"authentication": "authentication", "signing": "signing"}


class CardSession:
    """An open card in a reader, with the JPKI operations. Use as a context manager.

    ``observer`` is called with (APDU header, SW) after every APDU: the bench
    counts APDUs with it and tests use it to pull the card out mid-operation.
    """

    def __init__(
        self,
        reader: str | None = None,
        *,
        reader_pattern: str | None = None,
        observer: ApduObserver | None = None,
        card_timeout: float = 5.0,
    ) -> None:
        self.reader = resolve_reader(reader, reader_pattern)
        self._conn = Connection(
            self.reader, observer=observer, card_timeout=card_timeout
        )
        self._current_aid: bytes | None = None
        self._extended_ok: bool | None = None
        self._card_id: str | None = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._conn.close(reset=True)

    @property
    def apdu_count(self) -> int:
        return self._conn.apdu_count

    # -- plumbing --------------------------------------------------------------

    def _send(self, command: bytes, name: str) -> tuple[bytes, int]:
        data, sw = self._conn.transmit(command)
        while sw >> 8 == 0x61:  # more data waiting: GET RESPONSE (ISO 7816-4)
            more, sw = self._conn.transmit(bytes([0x00, 0xC0, 0x00, 0x00, sw & 0xFF]))
            data += more
        return data, sw

    def _expect_ok(self, command: bytes, name: str) -> bytes:
        data, sw = self._send(command, name)
        if sw == apdu.SW_OK:
            return data
        raise self._status_error(sw, name)

    @staticmethod
    def _status_error(sw: int, name: str) -> errors.CardError:
        if sw == apdu.SW_SECURITY_NOT_SATISFIED:
            return errors.SecurityStatusNotSatisfied(extra={"command": name})
        return errors.UnexpectedStatus(sw=sw, command=name)

    def select_application(self, aid: bytes, *, force: bool = False) -> None:
        """SELECT by AID; re-selecting clears the AP's verified PINs
        (docs/reference/card-protocol.md §2)."""
        if self._current_aid == aid and not force:
            return
        _data, sw = self._send(apdu.select_aid(aid), "SELECT AP")
        if sw == apdu.SW_FILE_NOT_FOUND:
            self._current_aid = None
            raise errors.NotAJpkiCard(extra={"aid": aid.hex().upper()})
        if sw != apdu.SW_OK:
            raise self._status_error(sw, "SELECT AP")
        self._current_aid = aid

    def check_jpki_card(self) -> None:
        if self._conn.atr() != JPKI_ATR:
            # Contactless readers synthesise ATRs (docs/reference/card-protocol.md §1);
            # fall back to the AID probe.
            self.select_application(card.AID_JPKI, force=True)

    def read_ef(self, ef: int, *, name: str, length: int | None = None) -> bytes:
        """Read a transparent EF of the current AP.

        With ``length`` given, exactly that many bytes from offset 0. Without, the EF
        holds one BER-TLV object (a DER certificate,
        docs/reference/card-protocol.md §5.3): the first READ (by
        short EF id, which also selects the EF) returns the header and as much as
        a short APDU carries, and the rest comes in as few further READs as the
        card's largest chunk allows (docs/reference/card-protocol.md §5.3). An empty EF
        raises EmptyFile.
        """
        if length is not None:
            return self._expect_ok(apdu.read_binary_sfi(ef, length), name)
        first, sw = self._send(apdu.read_binary_sfi(ef, apdu.SHORT_LE_MAX), name)
        if sw == apdu.SW_END_OF_FILE or (
            sw == apdu.SW_OK and not first.strip(b"\xff\x00")
        ):
            raise errors.EmptyFile(extra={"command": name})
        if sw != apdu.SW_OK:
            raise self._status_error(sw, name)
        try:
            total = apdu.ber_total_length(first[:8])
        except ValueError as exc:
            raise errors.CardCommunicationError(
                extra={"reason": "no DER object", "command": name}
            ) from exc
        content = bytearray(first[:total])
        while len(content) < total:
            remaining = total - len(content)
            content += self._read_chunk(len(content), remaining, name)
        return bytes(content)

    def _read_chunk(self, offset: int, remaining: int, name: str) -> bytes:
        if remaining > apdu.SHORT_LE_MAX and self._extended_ok is not False:
            le = min(remaining, apdu.EXTENDED_LE_MAX)
            try:
                data, sw = self._send(apdu.read_binary(offset, le), name)
            except errors.CardCommunicationError:
                data, sw = b"", apdu.SW_WRONG_LENGTH
            if sw == apdu.SW_OK and data:
                self._extended_ok = True
                return data
            if sw not in (apdu.SW_WRONG_LENGTH, 0x6D00, 0x6E00, 0x6A86, 0x6F00):
                raise self._status_error(sw, name)
            self._extended_ok = False  # this card takes short APDUs only
        le = min(remaining, apdu.SHORT_LE_MAX)
        data = self._expect_ok(apdu.read_binary(offset, le), name)
        if not data:
            raise errors.CardCommunicationError(
                extra={"reason": "short EF", "command": name}
            )
        return data

    # -- PINs -----------------------------------------------------------------

    @staticmethod
    def _slot(kind: str) -> apdu.PinSlot:
        try:
            return PIN_SLOTS[kind]
        except KeyError:
            raise ValueError(f"unknown PIN kind {kind!r}") from None

    def _tries_from_sw(self, slot: apdu.PinSlot, sw: int, name: str) -> int:
        if sw == apdu.SW_BLOCKED:
            return 0
        if sw >> 4 == 0x63C:
            return sw & 0x0F
        # some cards: already verified in this selection
        # (docs/reference/card-protocol.md §6)
        if sw == apdu.SW_OK:
            return slot.max_tries
        raise self._status_error(sw, name)

    def pin_status(self, kind: str) -> PinStatus:
        """Tries left without spending one: VERIFY with no data
        (docs/reference/card-protocol.md §5.5)."""
        slot = self._slot(kind)
        self.select_application(slot.aid)
        _data, sw = self._send(apdu.verify(slot.p2, None), "VERIFY (status)")
        return PinStatus(kind, self._tries_from_sw(slot, sw, "VERIFY"), slot.max_tries)

    def pin_statuses(self, kinds: Iterable[str]) -> dict[str, PinStatus]:
        return {kind: self.pin_status(kind) for kind in kinds}

    def pin_verify(self, pin: Pin) -> None:
        """VERIFY; raises WrongPin (tries left) or PinBlocked. Wipes the PIN."""
        slot = self._slot(pin.kind)
        try:
            pin_shape_check(pin)
            self.select_application(slot.aid)
            _data, sw = self._send(apdu.verify(slot.p2, pin.apdu_bytes()), "VERIFY")
        finally:
            pin.wipe()
        if sw == apdu.SW_OK:
            return
        if sw == apdu.SW_BLOCKED or sw == 0x63C0:
            raise errors.PinBlocked(pin_kind=slot.kind)
        if sw >> 4 == 0x63C:
            raise errors.WrongPin(pin_kind=slot.kind, tries_left=sw & 0x0F)
        raise self._status_error(sw, "VERIFY")

    def pin_change(self, current: Pin, new: Pin) -> None:
        """VERIFY the current PIN, then CHANGE REFERENCE DATA
        (docs/reference/card-protocol.md §5.6). Wipes both."""
        if current.kind != new.kind:
            current.wipe()
            new.wipe()
            raise ValueError("current and new PIN must be of the same kind")
        try:
            pin_shape_check(new)
            self.pin_verify(current)
            self.pin_set_new(new)
        finally:
            current.wipe()
            new.wipe()

    def pin_set_new(self, new: Pin) -> None:
        """CHANGE REFERENCE DATA right after a successful :meth:`pin_verify` of the
        same kind in this session (the agent asks for the new PIN only once the
        current one proved right). Wipes the PIN."""
        slot = self._slot(new.kind)
        try:
            pin_shape_check(new)
            self.select_application(slot.aid)
            _data, sw = self._send(
                apdu.change_reference_data(slot.p2, new.apdu_bytes()),
                "CHANGE REFERENCE DATA",
            )
        finally:
            new.wipe()
        if sw == apdu.SW_BLOCKED:
            raise errors.PinBlocked(pin_kind=slot.kind)
        if sw != apdu.SW_OK:
            raise self._status_error(sw, "CHANGE REFERENCE DATA")

    # -- reads ----------------------------------------------------------------

    def read_token(self) -> str:
        self.select_application(card.AID_JPKI)
        raw = self.read_ef(card.EF_TOKEN_INFO, name="READ BINARY (token)", length=32)
        return raw.decode("ascii", "replace").rstrip(" \x00")

    def read_certificate(self, kind: str, *, ca: bool = False) -> bytes:
        self.select_application(card.AID_JPKI)
        ef = CA_CERT_EF[kind] if ca else CERT_EF[kind]
        return self.read_ef(ef, name=f"READ BINARY ({ef:04X})")

    def _certificate_or_none(self, kind: str) -> bytes | None:
        """A card between key generation and certificate write has an empty EF."""
        try:
            return self.read_certificate(kind)
        except errors.EmptyFile:
            return None

    def read_card(
        self,
        *,
        signing_password: Pin | None = None,
        pin_kinds: Iterable[str] = ("authentication", "signing"),
    ) -> CardContents:
        """Token, both CA certificates, the auth certificate and the PIN counters;
        the signing certificate too when the signing password is given
        (docs/reference/card-protocol.md §3)."""
        self.check_jpki_card()
        self.select_application(card.AID_JPKI)
        token = self.read_token()
        if not token.startswith("JPKIAP"):
            raise errors.NotAJpkiCard(extra={"token": token})
        contents = CardContents(
            token=token,
            auth_certificate=self._certificate_or_none("authentication"),
            auth_ca_certificate=self.read_certificate("authentication", ca=True),
            sign_ca_certificate=self.read_certificate("signing", ca=True),
        )
        contents.pins = self.pin_statuses(pin_kinds)
        if signing_password is not None:
            self.pin_verify(signing_password)
            contents.sign_certificate = self._certificate_or_none("signing")
            contents.pins["signing"] = PinStatus("signing", 5, 5)
        return contents

    def read_four_basic_items(self, pin: Pin) -> FourBasicItems:
        """基本4情報 after the card-info PIN. EF 0001 (the individual number) is
        never read: no code path here can return, log or store it."""
        if pin.kind != "card_info":
            raise ValueError("the four basic items open with the card-info PIN")
        self.pin_verify(pin)
        raw = self.read_ef(card.EF_FOUR_ITEMS, name="READ BINARY (four items)")
        return parse_four_items(raw)

    # -- signing --------------------------------------------------------------

    def sign_digest_info(self, pin: Pin, digest_info: bytes) -> bytes:
        """VERIFY the key's PIN, then COMPUTE DIGITAL SIGNATURE, P1=00
        (docs/reference/card-protocol.md §5.7)."""
        key_kind = "signing" if pin.kind == "signing" else "authentication"
        if pin.kind not in KEY_PIN:
            raise ValueError("only the JPKI PINs unlock a signing key")
        if not 0 < len(digest_info) <= 245:
            raise ValueError("DigestInfo must be 1-245 bytes")
        self.pin_verify(pin)
        return self._expect_ok(
            apdu.compute_signature(0x80 | KEY_EF[key_kind], digest_info),
            "COMPUTE DIGITAL SIGNATURE",
        )

    def sign_sha256(self, pin: Pin, message: bytes) -> bytes:
        digest = hashlib.sha256(message).digest()
        return self.sign_digest_info(pin, apdu.SHA256_DIGEST_INFO_PREFIX + digest)

    # -- SIMULATION: issuer-authorised commands (docs/reference/card-protocol.md §14.1)
    # --------
    #
    # Real cards take PIN resets, new keys and certificates only from J-LIS
    # terminals by non-public commands; the virtual card models them as standard
    # ISO 7816 commands, each unlocked once by EXTERNAL AUTHENTICATE with a
    # cryptogram that the (simulated) issuer computes over this card's id, a fresh
    # challenge and the exact command (jpki_ops.protocol.authorisation). The
    # ``authorise`` callable reaches the issuer through the server; the PIN of a
    # reset is not part of what it sees.

    def read_card_id(self, *, fresh: bool = False) -> str:
        """SIMULATION: the card id the issuer diversifies its card key with
        (``fresh``: read it again, e.g. to notice a swapped card)."""
        if self._card_id is None or fresh:
            self.select_application(card.AID_COMMON)
            raw = self._expect_ok(
                apdu.read_binary_sfi(0x01, 0), "READ BINARY (card id)"
            )
            self._card_id = raw.decode("ascii").strip()
        return self._card_id

    def _authorise(
        self, aid: bytes, command: CardCommand, authorise: Authoriser
    ) -> None:
        card_id = self.read_card_id()
        self.select_application(aid, force=True)  # fresh AP: no stale authorisation
        challenge = self._expect_ok(apdu.get_challenge(8), "GET CHALLENGE")
        cryptogram = authorise(card_id, challenge, command)
        _data, sw = self._send(
            apdu.external_authenticate(cryptogram), "EXTERNAL AUTHENTICATE"
        )
        if sw != apdu.SW_OK:
            raise errors.IssuerAuthorisationRefused(extra={"sw": f"{sw:04X}"})

    def _issuer_command(self, command_apdu: bytes, name: str) -> bytes:
        data, sw = self._send(command_apdu, name)
        if sw == apdu.SW_OK:
            return data
        if sw == apdu.SW_SECURITY_NOT_SATISFIED:
            raise errors.IssuerAuthorisationRefused(
                extra={"sw": f"{sw:04X}", "command": name}
            )
        raise self._status_error(sw, name)

    def pin_reset(self, kind: str, new_pin: Pin | None, authorise: Authoriser) -> None:
        """RESET RETRY COUNTER: unblock, and set ``new_pin`` when given (初期化).

        Without ``new_pin`` only the counter is reset (ロック解除,
        docs/rules/11-pin-reset-channels.md §11).
        The issuer authorises "reset this key reference" without seeing the value.
        """
        slot = self._slot(kind)
        try:
            if new_pin is not None:
                if new_pin.kind != kind:
                    raise ValueError("new PIN of another kind")
                pin_shape_check(new_pin)
            p1 = 0x02 if new_pin is not None else 0x03
            self._authorise(
                slot.aid,
                CardCommand(card.INS_RESET_RETRY_COUNTER, p1, slot.p2),
                authorise,
            )
            value = new_pin.apdu_bytes() if new_pin is not None else None
            self._issuer_command(
                apdu.reset_retry_counter(p1, slot.p2, value), "RESET RETRY COUNTER"
            )
        finally:
            if new_pin is not None:
                new_pin.wipe()

    def key_generate(self, kind: str, authorise: Authoriser) -> bytes:
        """GENERATE ASYMMETRIC KEY PAIR for the auth or signing key; returns the new
        public key as DER SubjectPublicKeyInfo. The old certificate is void."""
        p2 = 0x80 | KEY_EF[kind]
        self._authorise(
            card.AID_JPKI, CardCommand(card.INS_GENERATE_KEY_PAIR, 0x00, p2), authorise
        )
        template = self._issuer_command(
            apdu.generate_key_pair(p2), "GENERATE ASYMMETRIC KEY PAIR"
        )
        return apdu.spki_from_template(template)

    def certificate_write(self, kind: str, der: bytes, authorise: Authoriser) -> None:
        """UPDATE BINARY of the certificate EF with one DER certificate."""
        p1 = 0x80 | CERT_EF[kind]
        command = CardCommand(
            card.INS_UPDATE_BINARY, p1, 0x00, hashlib.sha256(der).digest()
        )
        self._authorise(card.AID_JPKI, command, authorise)
        self._issuer_command(apdu.update_binary_sfi(p1, der), "UPDATE BINARY")


# (card id, challenge, command) -> EXTERNAL AUTHENTICATE data (descriptor || MAC).
Authoriser = Callable[[str, bytes, CardCommand], bytes]
