"""The JPKI card's addresses and APDU builders
(docs/reference/card-protocol.md §2–§5, §14.1).

Only byte layout lives here; :mod:`jpki_ops.pcsc.client` decides what to send.
The card's byte values come from :mod:`jpki_ops.protocol`, shared with the
virtual card: one source of truth for docs/reference/card-protocol.md §2 and §3.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from cryptography.hazmat.primitives import serialization

from jpki_ops.protocol import constants as card
from jpki_ops.protocol.constants import (
    INS_EXTERNAL_AUTHENTICATE,
    INS_GENERATE_KEY_PAIR,
    INS_GET_CHALLENGE,
    INS_RESET_RETRY_COUNTER,
    INS_UPDATE_BINARY,
)
from jpki_ops.protocol.keys import parse_public_key_template

SHA256_DIGEST_INFO_PREFIX: Final = bytes.fromhex(
    "3031300D060960864801650304020105000420"
)

SW_OK: Final = 0x9000
SW_SECURITY_NOT_SATISFIED: Final = 0x6982
SW_BLOCKED: Final = 0x6984
SW_CONDITIONS_NOT_SATISFIED: Final = 0x6985
SW_FILE_NOT_FOUND: Final = 0x6A82
SW_WRONG_LENGTH: Final = 0x6700
SW_END_OF_FILE: Final = 0x6B00

# Largest Le of a short READ BINARY (00 = 256) and of an extended one
# (0000 = 65536; we never need more than a certificate EF).
SHORT_LE_MAX: Final = 256
EXTENDED_LE_MAX: Final = 65535


@dataclass(frozen=True)
class PinSlot:
    """Where a PIN kind lives on the card and how many tries it has
    (docs/reference/card-protocol.md §4)."""

    kind: str
    aid: bytes
    ef: int
    max_tries: int

    @property
    def p2(self) -> int:
        """P2 of VERIFY / CHANGE REFERENCE DATA naming the key by short EF id."""
        return 0x80 | self.ef


PIN_SLOTS: Final[dict[str, PinSlot]] = {
    "authentication": PinSlot("authentication", card.AID_JPKI, card.EF_AUTH_PIN, 3),
    "signing": PinSlot("signing", card.AID_JPKI, card.EF_SIGN_PIN, 5),
    "card_info": PinSlot("card_info", card.AID_CARD_INFO, card.EF_CARD_INFO_PIN, 3),
    "resident_register": PinSlot(
        "resident_register", card.AID_COMMON, card.EF_RESIDENT_REGISTER_PIN, 3
    ),
}

# Which certificate EF / key EF belongs to which certificate kind
# (docs/reference/card-protocol.md §3).
CERT_EF: Final = {"authentication": card.EF_AUTH_CERT, "signing": card.EF_SIGN_CERT}
CA_CERT_EF: Final = {
    "authentication": card.EF_AUTH_CA_CERT,
    "signing": card.EF_SIGN_CA_CERT,
}
KEY_EF: Final = {"authentication": card.EF_AUTH_KEY, "signing": card.EF_SIGN_KEY}


def select_aid(aid: bytes) -> bytes:
    return bytes([0x00, 0xA4, 0x04, 0x0C, len(aid)]) + aid


def select_ef(ef: int) -> bytes:
    return bytes([0x00, 0xA4, 0x02, 0x0C, 0x02, ef >> 8, ef & 0xFF])


def read_binary(offset: int, le: int) -> bytes:
    """READ BINARY of the current EF; extended Le when more than 256 bytes wanted."""
    if not 0 <= offset <= 0x7FFF:
        raise ValueError("offset out of range")
    header = bytes([0x00, 0xB0, offset >> 8, offset & 0xFF])
    if le <= SHORT_LE_MAX:
        return header + bytes([le & 0xFF])
    return header + b"\x00" + (le & 0xFFFF).to_bytes(2, "big")


def read_binary_sfi(ef: int, le: int) -> bytes:
    """READ BINARY from offset 0 of EF ``ef`` by short EF id (selects it too)."""
    header = bytes([0x00, 0xB0, 0x80 | ef, 0x00])
    if le <= SHORT_LE_MAX:
        return header + bytes([le & 0xFF])
    return header + b"\x00" + (le & 0xFFFF).to_bytes(2, "big")


def verify(p2: int, pin: bytes | None) -> bytes:
    """VERIFY; with no PIN it only asks for the retry counter
    (docs/reference/card-protocol.md §5.5)."""
    if pin is None:
        return bytes([0x00, 0x20, 0x00, p2])
    return bytes([0x00, 0x20, 0x00, p2, len(pin)]) + pin


def change_reference_data(p2: int, new_pin: bytes) -> bytes:
    """CHANGE REFERENCE DATA, P1=01: new value only, after VERIFY
    (docs/reference/card-protocol.md §5.6)."""
    return bytes([0x00, 0x24, 0x01, p2, len(new_pin)]) + new_pin


def compute_signature(p2: int, digest_info: bytes) -> bytes:
    """COMPUTE DIGITAL SIGNATURE, P1=00: the card pads PKCS#1 v1.5
    (docs/reference/card-protocol.md §5.7)."""
    return bytes([0x80, 0x2A, 0x00, p2, len(digest_info)]) + digest_info + b"\x00"


def ber_total_length(header: bytes) -> int:
    """Total size of the BER-TLV object whose first bytes are ``header``.

    Certificates start ``30 82 LL LL`` (docs/reference/card-protocol.md §5.3); the four
    basic items ``FF 20 LL``
    with a two-byte tag (docs/reference/card-protocol.md §9.1).
    """
    if len(header) < 2 or header[0] in (0x00, 0xFF) and header[:2] != b"\xff\x20":
        raise ValueError("no TLV object")
    pos = 1
    if header[0] & 0x1F == 0x1F:  # multi-byte tag
        while pos < len(header) and header[pos] & 0x80:
            pos += 1
        pos += 1
    if pos >= len(header):
        raise ValueError("truncated TLV header")
    first = header[pos]
    if first < 0x80:
        return pos + 1 + first
    n = first & 0x7F
    if n == 0 or n > 3 or len(header) < pos + 1 + n:
        raise ValueError("unsupported BER length")
    return pos + 1 + n + int.from_bytes(header[pos + 1 : pos + 1 + n], "big")


def _with_lc(header: bytes, data: bytes, le: int | None = None) -> bytes:
    """Short form up to 255 data bytes, extended form above
    (docs/reference/card-protocol.md §1 APDU length)."""
    if len(data) <= 255 and (le is None or le <= SHORT_LE_MAX):
        tail = b"" if le is None else bytes([le & 0xFF])
        return header + bytes([len(data)]) + data + tail
    tail = b"" if le is None else (le & 0xFFFF).to_bytes(2, "big")
    return header + b"\x00" + len(data).to_bytes(2, "big") + data + tail


def get_challenge(length: int) -> bytes:
    return bytes([0x00, INS_GET_CHALLENGE, 0x00, 0x00, length])


def external_authenticate(data: bytes) -> bytes:
    return _with_lc(bytes([0x00, INS_EXTERNAL_AUTHENTICATE, 0x00, 0x00]), data)


def reset_retry_counter(p1: int, p2: int, new_pin: bytes | None) -> bytes:
    header = bytes([0x00, INS_RESET_RETRY_COUNTER, p1, p2])
    return header if new_pin is None else _with_lc(header, new_pin)


def generate_key_pair(p2: int) -> bytes:
    """Case 2 with extended Le: the 2048-bit public key template is ~270 bytes."""
    return bytes([0x00, INS_GENERATE_KEY_PAIR, 0x00, p2, 0x00, 0x00, 0x00])


def update_binary_sfi(p1: int, data: bytes) -> bytes:
    return _with_lc(bytes([0x00, INS_UPDATE_BINARY, p1, 0x00]), data)


def spki_from_template(template: bytes) -> bytes:
    """ISO 7816-8 ``7F49 {81 n, 82 e}`` → DER SubjectPublicKeyInfo."""
    key = parse_public_key_template(template)
    return key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
