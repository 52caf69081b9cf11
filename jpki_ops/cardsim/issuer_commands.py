"""SIMULATION: the card's issuer-only commands (docs/reference/card-protocol.md §14.1).

GET CHALLENGE + EXTERNAL AUTHENTICATE give a one-shot authorisation from the
issuer (:mod:`jpki_ops.protocol.authorisation`) that gates RESET RETRY COUNTER,
GENERATE ASYMMETRIC KEY PAIR and UPDATE BINARY. Real cards take these only from
J-LIS's terminals; :class:`~jpki_ops.cardsim.card.VirtualCard` mixes them in.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from jpki_ops.protocol import constants as c
from jpki_ops.protocol.apdu import Command
from jpki_ops.protocol.authorisation import (
    DESCRIPTOR_LENGTH,
    MAC_LENGTH,
    CardCommand,
    authorisation_mac,
)
from jpki_ops.protocol.keys import public_key_template

from .filesystem import CERT_OF_KEY, FILES, BinaryEF, KeyEF, file_key
from .pins import pin_format_ok
from .state import CardState

logger = logging.getLogger("jpki_ops.cardsim")

SW = c.SW


class IssuerCommands:
    """The issuer-only command handlers; the card OS supplies its session."""

    state: CardState
    current_ap: str | None
    current_ef: int | None
    verified: set[str]
    challenge: bytes | None
    authorised: CardCommand | None
    authorised_ap: str | None
    _key_cache: dict[str, rsa.RSAPrivateKey]

    if TYPE_CHECKING:

        def _pin_ref(self, p2: int) -> str | None: ...

        def _key_ref(self, p2: int) -> KeyEF | None: ...

        def _resolve_ef(self, sfi_form: bool, sfi: int) -> int | None: ...

        def _save(self) -> None: ...

    def _get_challenge(self, cmd: Command) -> tuple[bytes, bytes]:
        if cmd.extended:
            return b"", SW.CONDITIONS_NOT_SATISFIED
        if cmd.p1 or cmd.p2:
            return b"", SW.INCORRECT_P1P2
        if cmd.ne < c.CHALLENGE_LENGTH:
            return b"", SW.WRONG_LENGTH
        self.challenge = secrets.token_bytes(cmd.ne)
        self.authorised = None
        return self.challenge, SW.OK

    def _external_authenticate(self, cmd: Command) -> tuple[bytes, bytes]:
        challenge, self.challenge = self.challenge, None  # single use, either way
        self.authorised = None
        if challenge is None:
            return b"", SW.CONDITIONS_NOT_SATISFIED
        if len(cmd.data) != DESCRIPTOR_LENGTH + MAC_LENGTH:
            return b"", SW.WRONG_LENGTH
        try:
            command = CardCommand.decode(cmd.data[:DESCRIPTOR_LENGTH])
        except ValueError:
            return b"", SW.WRONG_DATA
        expected = authorisation_mac(
            self.state.issuer_card_key, self.state.card_id, challenge, command
        )
        if not hmac.compare_digest(expected, cmd.data[DESCRIPTOR_LENGTH:]):
            logger.warning("simulated issuer authorisation refused (bad cryptogram)")
            return b"", SW.VERIFICATION_FAILED
        self.authorised, self.authorised_ap = command, self.current_ap
        return b"", SW.OK

    def _take_authorisation(self, cmd: Command) -> bool:
        """Consume the one-shot authorisation; True when it covers ``cmd``."""
        authorised, self.authorised = self.authorised, None
        return (
            authorised is not None
            and self.authorised_ap == self.current_ap
            and authorised.matches(cmd.ins, cmd.p1, cmd.p2, cmd.data)
        )

    def _reset_retry_counter(self, cmd: Command) -> tuple[bytes, bytes]:
        """P1=02: new value + unblock (初期化); P1=03: unblock only (ロック解除)."""
        if cmd.p1 not in (0x02, 0x03):
            return b"", SW.INCORRECT_P1P2
        name = self._pin_ref(cmd.p2)
        if name is None:
            return b"", b"\x6a\x88"
        if not self._take_authorisation(cmd):
            return b"", SW.SECURITY_NOT_SATISFIED
        pin = self.state.pins[name]
        if cmd.p1 == 0x02:
            if not pin_format_ok(name, cmd.data):
                return b"", SW.WRONG_DATA
            pin.set_value(cmd.data)
        elif cmd.data:
            return b"", SW.WRONG_LENGTH
        pin.tries_left = pin.max_tries
        self.verified.discard(name)
        self._save()
        logger.info("SIMULATION: PIN %s reset under issuer authorisation", name)
        return b"", SW.OK

    def _generate_key_pair(self, cmd: Command) -> tuple[bytes, bytes]:
        if cmd.p1 != 0x00 or cmd.data:
            return b"", SW.INCORRECT_P1P2
        ef = self._key_ref(cmd.p2)
        if ef is None:
            return b"", b"\x6a\x88"
        if not self._take_authorisation(cmd):
            return b"", SW.SECURITY_NOT_SATISFIED
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.state.keys[ef.key] = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode("ascii")
        self._key_cache[ef.key] = key
        # The certificate of the old key is void: remove it with the key.
        self.state.files.pop(file_key("jpki", CERT_OF_KEY[ef.key]), None)
        self._save()
        logger.info(
            "SIMULATION: key pair %s generated under issuer authorisation", ef.key
        )
        return public_key_template(key.public_key()), SW.OK

    def _update_binary(self, cmd: Command) -> tuple[bytes, bytes]:
        """Replace a whole certificate EF (offset 0, data = one DER certificate)."""
        if self.current_ap is None:
            return b"", SW.COMMAND_NOT_ALLOWED
        if cmd.p1 & 0x80:
            fid = self._resolve_ef(True, cmd.p1 & 0x1F)
            offset = cmd.p2
        else:
            fid = self.current_ef
            offset = ((cmd.p1 & 0x7F) << 8) | cmd.p2
        ef = FILES[self.current_ap].get(fid) if fid is not None else None
        if fid is None or not isinstance(ef, BinaryEF) or not ef.writable_by_issuer:
            return b"", SW.COMMAND_NOT_ALLOWED
        if not self._take_authorisation(cmd):
            return b"", SW.SECURITY_NOT_SATISFIED
        data = cmd.data
        if offset != 0 or not _is_one_der_sequence(data):
            return b"", SW.WRONG_DATA
        if len(data) > c.CERT_EF_SIZE:
            return b"", SW.NOT_ENOUGH_MEMORY
        self.state.files[file_key(self.current_ap, fid)] = data
        self._save()
        logger.info("SIMULATION: EF %04X written under issuer authorisation", fid)
        return b"", SW.OK


def _is_one_der_sequence(data: bytes) -> bool:
    """The 30 82 LL LL form OpenSC's 4-byte length rule depends on
    (docs/reference/card-protocol.md §5.3)."""
    return (
        len(data) >= 4
        and data[0] == 0x30
        and data[1] == 0x82
        and int.from_bytes(data[2:4], "big") + 4 == len(data)
    )
