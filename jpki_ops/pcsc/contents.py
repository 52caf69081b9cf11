"""What the desk client reads from a card: PIN tries, certificates, the four
basic items, and the fingerprint that recognises a card
(docs/reference/card-protocol.md §5, §9)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from . import errors


@dataclass(frozen=True)
class PinStatus:
    kind: str
    tries_left: int
    max_tries: int

    @property
    def blocked(self) -> bool:
        return self.tries_left == 0

    @property
    def last_try(self) -> bool:
        """The next wrong entry locks the PIN: the clerk must warn first (§2)."""
        return self.tries_left == 1

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "tries_left": self.tries_left,
            "max_tries": self.max_tries,
            "blocked": self.blocked,
            "last_try": self.last_try,
        }


@dataclass
class CardContents:
    """What a card read returns; certificates are DER, the token name is ASCII."""

    token: str
    auth_certificate: bytes | None
    auth_ca_certificate: bytes
    sign_ca_certificate: bytes
    sign_certificate: bytes | None = None
    pins: dict[str, PinStatus] = field(default_factory=dict)

    @property
    def fingerprint(self) -> str | None:
        """SHA-256 of the user-authentication public key (SubjectPublicKeyInfo DER):
        recognises the card without its certificate serial, which is regulated data
        (docs/rules/16-counter-operations.md §16); the same value as
        ``counter.Card.auth_key_fingerprint``."""
        if self.auth_certificate is None:
            return None
        return public_key_fingerprint(self.auth_certificate)


def public_key_fingerprint(certificate_der: bytes) -> str:
    key = x509.load_der_x509_certificate(certificate_der).public_key()
    spki = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(spki).hexdigest()


@dataclass(frozen=True)
class FourBasicItems:
    """基本4情報 from the card-info AP (docs/reference/card-protocol.md §9.1). Never the
    individual number."""

    name: str
    address: str
    birth_date: str  # YYYYMMDD, Gregorian
    sex: str  # ISO 5218 digit

    def __repr__(self) -> str:
        return "<FourBasicItems ****>"


def parse_four_items(raw: bytes) -> FourBasicItems:
    """BER-TLV ``FF 20`` { DF 21 offsets, DF 22 name, DF 23 address, DF 24, DF 25 }."""
    if raw[:2] != b"\xff\x20":
        raise errors.CardCommunicationError(extra={"reason": "four-items tag"})
    pos = 2
    pos += 1 if raw[pos] < 0x80 else 1 + (raw[pos] & 0x7F)
    values: dict[int, bytes] = {}
    while pos + 3 <= len(raw) and raw[pos] == 0xDF:
        tag = raw[pos + 1]
        length = raw[pos + 2]
        pos += 3
        if length >= 0x80:
            n = length & 0x7F
            length = int.from_bytes(raw[pos : pos + n], "big")
            pos += n
        values[tag] = raw[pos : pos + length]
        pos += length
    try:
        return FourBasicItems(
            name=values[0x22].decode("utf-8"),
            address=values[0x23].decode("utf-8"),
            birth_date=values[0x24].decode("ascii"),
            sex=values[0x25].decode("ascii"),
        )
    except (KeyError, UnicodeDecodeError) as exc:
        raise errors.CardCommunicationError(extra={"reason": "four-items"}) from exc
