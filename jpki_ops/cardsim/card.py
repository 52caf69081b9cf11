"""The card operating system of the virtual My Number Card.

A :class:`VirtualCard` turns command APDUs into response APDUs the way
docs/reference/card-protocol.md §12 lists them. It knows nothing about sockets: the vpcd
loop in
:mod:`jpki_ops.cardsim.vpcd` feeds it, and unit tests can call :meth:`execute`
directly. Cardholder commands (SELECT, READ BINARY, VERIFY, CHANGE REFERENCE DATA,
COMPUTE DIGITAL SIGNATURE) follow the public observations; the issuer-only commands
(GET CHALLENGE + EXTERNAL AUTHENTICATE gating RESET RETRY COUNTER, GENERATE
ASYMMETRIC KEY PAIR and UPDATE BINARY) are a SIMULATION of what real cards do only
through J-LIS (docs/reference/card-protocol.md §14.1), in
:mod:`jpki_ops.cardsim.issuer_commands`; the file
system they work on is :mod:`jpki_ops.cardsim.filesystem`.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import Final

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

from jpki_ops.protocol import constants as c
from jpki_ops.protocol.apdu import Command, MalformedAPDU, parse
from jpki_ops.protocol.authorisation import CardCommand
from jpki_ops.protocol.keys import (
    parse_public_key_template as parse_public_key_template,  # re-exported
)

from .filesystem import APPLICATIONS, FILES, BinaryEF, KeyEF, PinEF, file_key
from .issuer_commands import IssuerCommands
from .pins import pin_format_ok
from .state import CardFile, CardState

logger = logging.getLogger("jpki_ops.cardsim")

SW = c.SW

SHA256_DIGESTINFO_PREFIX: Final = bytes.fromhex(
    "3031300d060960864801650304020105000420"
)

# Instructions whose data is secret: never logged.
SECRET_INS: Final = {0x20, 0x24, 0x2C, 0x32}


class VirtualCard(IssuerCommands):
    """Card OS: session state in memory, persistent state in a :class:`CardFile`.

    ``on_apdu`` is called before each command APDU is executed; the removal hook of
    the vpcd runner uses it to pull the card out in the middle of a read.
    """

    atr: bytes = c.ATR

    def __init__(
        self,
        state: CardState,
        store: CardFile | None = None,
        *,
        verbose: bool = False,
    ) -> None:
        self.state = state
        self.store = store
        self.verbose = verbose
        self._key_cache: dict[str, rsa.RSAPrivateKey] = {}
        self.on_apdu: Callable[[bytes], None] | None = None
        self.powered = False
        self._clear_session()

    @classmethod
    def from_file(cls, path: str, *, verbose: bool = False) -> VirtualCard:
        store = CardFile(path)
        return cls(store.load(), store, verbose=verbose)

    # --- power ---------------------------------------------------------------

    def _clear_session(self) -> None:
        self.current_ap: str | None = None
        self.current_ef: int | None = None
        self.verified: set[str] = set()
        self.challenge: bytes | None = None
        self.authorised: CardCommand | None = None
        self.authorised_ap: str | None = None
        self.chain: tuple[tuple[int, int, int], bytearray] | None = None
        self.pending_response = b""

    def power_on(self) -> None:
        self.powered = True
        self._clear_session()

    def power_off(self) -> None:
        self.powered = False
        self._clear_session()

    def reset(self) -> None:
        self._clear_session()

    # --- dispatch ------------------------------------------------------------

    def execute(self, raw: bytes) -> bytes:
        """One command APDU in, one response APDU (data || SW1 SW2) out."""
        if self.on_apdu is not None:
            self.on_apdu(raw)
        try:
            cmd = parse(raw)
        except MalformedAPDU:
            response = SW.WRONG_LENGTH
        else:
            try:
                response = self._execute(cmd)
            except Exception:
                # A bug in the simulation must not pull the card out of the reader.
                logger.exception("virtual card failed on INS %02X", raw[1])
                response = SW.NO_PRECISE_DIAGNOSIS
        if self.verbose:
            shown = (
                raw[:4].hex(" ") if raw[1:2] and raw[1] in SECRET_INS else raw.hex(" ")
            )
            logger.info("APDU %s -> %s", shown, response[-2:].hex(" "))
        return response

    def _execute(self, cmd: Command) -> bytes:
        if cmd.cla & ~0x10 not in (0x00, 0x80):
            # no secure messaging in the JPKI AP (docs/reference/card-protocol.md §1)
            return SW.CLA_NOT_SUPPORTED
        chained = self._handle_chaining(cmd)
        if chained is None:
            return SW.OK
        if isinstance(chained, bytes):
            return chained
        cmd = chained
        if cmd.ins != c.INS_GET_RESPONSE:
            self.pending_response = b""
        handler = self._handlers().get((cmd.cla & 0x80, cmd.ins))
        if handler is None:
            known = {ins for (_cla, ins) in self._handlers()}
            return SW.CLA_NOT_SUPPORTED if cmd.ins in known else SW.INS_NOT_SUPPORTED
        data, sw = handler(cmd)
        return self._respond(cmd, data, sw)

    def _handlers(
        self,
    ) -> dict[tuple[int, int], Callable[[Command], tuple[bytes, bytes]]]:
        return {
            (0x00, 0xA4): self._select,
            (0x00, 0xB0): self._read_binary,
            (0x00, 0x20): self._verify,
            (0x00, 0x24): self._change_reference_data,
            (0x80, 0x32): self._change_reference_data,  # JICSAP CHANGE KEY (住基 PIN)
            (0x80, 0x2A): self._compute_signature,
            (0x00, c.INS_GET_RESPONSE): self._get_response,
            (0x00, c.INS_GET_CHALLENGE): self._get_challenge,
            (0x00, c.INS_EXTERNAL_AUTHENTICATE): self._external_authenticate,
            (0x00, c.INS_RESET_RETRY_COUNTER): self._reset_retry_counter,
            (0x00, c.INS_GENERATE_KEY_PAIR): self._generate_key_pair,
            (0x00, c.INS_UPDATE_BINARY): self._update_binary,
        }

    def _handle_chaining(self, cmd: Command) -> Command | bytes | None:
        """ISO 7816-4 command chaining (CLA bit 5): collect data, run at the end.

        Returns None while the chain continues, an error SW, or the whole command.
        """
        header = (cmd.ins, cmd.p1, cmd.p2)
        if cmd.chained:
            if self.chain is None:
                self.chain = (header, bytearray())
            elif self.chain[0] != header:
                self.chain = None
                return SW.LAST_COMMAND_EXPECTED
            self.chain[1].extend(cmd.data)
            return None
        if self.chain is None:
            return cmd
        chain_header, buffer = self.chain
        self.chain = None
        if chain_header != header:
            return SW.LAST_COMMAND_EXPECTED
        buffer.extend(cmd.data)
        return Command(cmd.cla, cmd.ins, cmd.p1, cmd.p2, bytes(buffer), cmd.ne, True)

    def _respond(self, cmd: Command, data: bytes, sw: bytes) -> bytes:
        """Deliver at most Ne bytes; the rest waits for GET RESPONSE (61 xx)."""
        limit = cmd.ne or 256
        if len(data) <= limit or sw != SW.OK:
            return data + sw
        self.pending_response = data[limit:]
        remaining = len(self.pending_response)
        return data[:limit] + bytes([0x61, remaining if remaining < 256 else 0])

    def _get_response(self, cmd: Command) -> tuple[bytes, bytes]:
        if not self.pending_response:
            return b"", SW.CONDITIONS_NOT_SATISFIED
        pending = self.pending_response
        self.pending_response = b""
        return pending, SW.OK  # _respond re-chunks if Ne is smaller

    def _save(self) -> None:
        if self.store is not None:
            self.store.save(self.state)

    # --- SELECT ----------------------------------------------------------------

    def _select(self, cmd: Command) -> tuple[bytes, bytes]:
        if cmd.p1 == 0x04:
            ap = APPLICATIONS.get(cmd.data)
            if ap is None:
                return b"", SW.FILE_NOT_FOUND
            # Selecting an AP (even the current one) resets its security status.
            self.current_ap, self.current_ef = ap, None
            self.verified.clear()
            self.authorised = None
            return b"", SW.OK
        if cmd.p1 == 0x02:
            if self.current_ap is None or len(cmd.data) != 2:
                return b"", SW.FILE_NOT_FOUND
            fid = int.from_bytes(cmd.data, "big")
            if fid not in FILES[self.current_ap]:
                return b"", SW.FILE_NOT_FOUND
            self.current_ef = fid
            return b"", SW.OK
        if cmd.p1 == 0x00:
            if cmd.data == b"\x3f\x00":
                return b"", SW.FILE_NOT_FOUND
            if self.current_ap is None:
                return b"", SW.INCORRECT_P1P2
            return b"", SW.OK  # MF select with an AP current: nothing changes
        return b"", SW.INCORRECT_P1P2

    # --- READ BINARY -------------------------------------------------------------

    def _file_content(self, ap: str, fid: int) -> bytes:
        if ap == "jpki" and fid == c.EF_TOKEN_INFO:
            name = c.TOKEN_NAME.ljust(32, b" ")
            return name + bytes(c.TOKEN_INFO_SIZE - len(name))
        if ap == "jpki" and fid == c.EF_CERT_FLAGS:
            sign = self.state.files.get(file_key("jpki", c.EF_SIGN_CERT))
            auth = self.state.files.get(file_key("jpki", c.EF_AUTH_CERT))
            return bytes([0x8F if sign else 0x00, 0x8F if auth else 0x00, 0x00])
        if ap == "common" and fid == 0x0001:
            return self.state.card_id.encode("ascii")
        content = self.state.files.get(file_key(ap, fid), b"")
        if ap == "jpki" and fid in c.CERT_EFS:
            filler = bytes([c.CERT_EF_FILLER]) * (c.CERT_EF_SIZE - len(content))
            return content + filler
        return content

    def _resolve_ef(self, sfi_form: bool, sfi: int) -> int | None:
        if self.current_ap is None:
            return None
        if sfi_form:
            if sfi not in FILES[self.current_ap]:
                return None
            self.current_ef = sfi
            return sfi
        return self.current_ef

    def _read_binary(self, cmd: Command) -> tuple[bytes, bytes]:
        sfi_form = bool(cmd.p1 & 0x80)
        if sfi_form:
            fid = self._resolve_ef(True, cmd.p1 & 0x1F)
            offset = cmd.p2
        else:
            fid = self._resolve_ef(False, 0)
            offset = ((cmd.p1 & 0x7F) << 8) | cmd.p2
        if fid is None or self.current_ap is None:
            return b"", SW.FILE_NOT_FOUND if sfi_form else SW.COMMAND_NOT_ALLOWED
        ef = FILES[self.current_ap][fid]
        if not isinstance(ef, BinaryEF):
            return b"", SW.COMMAND_NOT_ALLOWED
        if ef.needs and not self.verified.intersection(ef.needs):
            return b"", SW.SECURITY_NOT_SATISFIED
        content = self._file_content(self.current_ap, fid)
        if offset >= len(content):
            return b"", SW.WRONG_P1P2
        return content[offset : offset + (cmd.ne or 256)], SW.OK

    # --- PINs ----------------------------------------------------------------------

    def _pin_ref(self, p2: int) -> str | None:
        """P2 = 80 (the selected PIN EF) or 80|SFI (a PIN EF of the current AP)."""
        if self.current_ap is None or not p2 & 0x80:
            return None
        fid = self.current_ef if p2 == 0x80 else p2 & 0x1F
        ef = FILES[self.current_ap].get(fid) if fid is not None else None
        if not isinstance(ef, PinEF):
            return None
        if p2 != 0x80:
            self.current_ef = fid
        return ef.pin

    def _verify(self, cmd: Command) -> tuple[bytes, bytes]:
        if cmd.p1 != 0x00:
            return b"", SW.INCORRECT_P1P2
        name = self._pin_ref(cmd.p2)
        if name is None:
            return b"", b"\x6a\x88"  # referenced data not found
        pin = self.state.pins[name]
        if not cmd.data:
            # Retry counter query: spends nothing
            # (docs/reference/card-protocol.md §5.5). OpenSC needs 63 Cn here.
            return b"", SW.tries_left(pin.tries_left)
        if pin.blocked:
            return b"", SW.AUTH_METHOD_BLOCKED
        pin.tries_left -= 1
        self._save()  # decrement first, then compare (tearing protection)
        if pin.matches(cmd.data):
            pin.tries_left = pin.max_tries
            self._save()
            self.verified.add(name)
            return b"", SW.OK
        self.verified.discard(name)
        return b"", SW.tries_left(pin.tries_left)

    def _change_reference_data(self, cmd: Command) -> tuple[bytes, bytes]:
        if cmd.ins == 0x24 and cmd.p1 != 0x01:
            return b"", SW.INCORRECT_P1P2
        if cmd.ins == 0x32 and cmd.p1 != 0x00:
            return b"", SW.INCORRECT_P1P2
        name = self._pin_ref(cmd.p2)
        if name is None:
            return b"", b"\x6a\x88"
        pin = self.state.pins[name]
        if pin.blocked:
            return b"", SW.AUTH_METHOD_BLOCKED
        if name not in self.verified:
            return b"", SW.SECURITY_NOT_SATISFIED
        if not pin_format_ok(name, cmd.data):
            return b"", SW.WRONG_DATA
        pin.set_value(cmd.data)
        self._save()
        return b"", SW.OK

    # --- signing -------------------------------------------------------------------

    def _private_key(self, name: str) -> rsa.RSAPrivateKey | None:
        if name not in self._key_cache:
            pem = self.state.keys.get(name)
            if not pem:
                return None
            key = serialization.load_pem_private_key(pem.encode("ascii"), None)
            assert isinstance(key, rsa.RSAPrivateKey)
            self._key_cache[name] = key
        return self._key_cache[name]

    def _key_ref(self, p2: int) -> KeyEF | None:
        if self.current_ap is None or not p2 & 0x80:
            return None
        fid = self.current_ef if p2 == 0x80 else p2 & 0x1F
        ef = FILES[self.current_ap].get(fid) if fid is not None else None
        return ef if isinstance(ef, KeyEF) else None

    def _compute_signature(self, cmd: Command) -> tuple[bytes, bytes]:
        if cmd.p1 > 0x05:
            return b"", SW.INCORRECT_P1P2
        ef = self._key_ref(cmd.p2)
        if ef is None:
            return b"", b"\x6a\x88"
        if ef.pin not in self.verified:
            return b"", SW.SECURITY_NOT_SATISFIED
        key = self._private_key(ef.key)
        if key is None:
            return b"", SW.CONDITIONS_NOT_SATISFIED
        data = cmd.data
        if cmd.p1 == 0x00:  # pad the given DigestInfo (what every client sends)
            if not 1 <= len(data) <= 245:
                return b"", SW.WRONG_LENGTH
            return _pkcs1_v15_sign_raw(key, data), SW.OK
        if cmd.p1 == 0x01:  # bare SHA-256 of the message, no DigestInfo
            return _pkcs1_v15_sign_raw(key, hashlib.sha256(data).digest()), SW.OK
        if cmd.p1 in (0x02, 0x04) and len(data) != 32:
            return b"", SW.WRONG_LENGTH
        if cmd.p1 == 0x02:
            return _pkcs1_v15_sign_raw(key, SHA256_DIGESTINFO_PREFIX + data), SW.OK
        if cmd.p1 == 0x03:
            return key.sign(data, padding.PKCS1v15(), hashes.SHA256()), SW.OK
        pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
        if cmd.p1 == 0x04:
            return key.sign(data, pss, Prehashed(hashes.SHA256())), SW.OK
        return key.sign(data, pss, hashes.SHA256()), SW.OK


def _pkcs1_v15_sign_raw(key: rsa.RSAPrivateKey, block: bytes) -> bytes:
    """EMSA-PKCS1-v1_5 type 1 padding of ``block`` as given, then RSA (CRT)."""
    k = (key.key_size + 7) // 8
    if len(block) > k - 11:
        raise ValueError("block too long")
    encoded = b"\x00\x01" + b"\xff" * (k - 3 - len(block)) + b"\x00" + block
    priv = key.private_numbers()
    m = int.from_bytes(encoded, "big")
    m1 = pow(m, priv.dmp1, priv.p)
    m2 = pow(m, priv.dmq1, priv.q)
    h = (priv.iqmp * (m1 - m2)) % priv.p
    s = m2 + h * priv.q
    return s.to_bytes(k, "big")
