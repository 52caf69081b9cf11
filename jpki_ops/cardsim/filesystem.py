"""The virtual card's file system: applications, their EFs and what opens them
(docs/reference/card-protocol.md §2, §3). The card OS and its issuer-only commands read
it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from jpki_ops.protocol import constants as c


@dataclass(frozen=True)
class PinEF:
    pin: str


@dataclass(frozen=True)
class KeyEF:
    key: str
    pin: str  # the PIN that unlocks the key


@dataclass(frozen=True)
class BinaryEF:
    needs: tuple[str, ...] = ()  # any one of these PINs opens it; () = free
    writable_by_issuer: bool = False


EF = PinEF | KeyEF | BinaryEF

APPLICATIONS: Final[dict[bytes, str]] = {
    c.AID_JPKI: "jpki",
    c.AID_CARD_INFO: "card_info",
    c.AID_COMMON: "common",
}

FILES: Final[dict[str, dict[int, EF]]] = {
    "jpki": {
        c.EF_SIGN_CERT: BinaryEF(needs=(c.PIN_SIGN,), writable_by_issuer=True),
        c.EF_SIGN_CA_CERT: BinaryEF(writable_by_issuer=True),
        c.EF_TOKEN_INFO: BinaryEF(),
        c.EF_CERT_FLAGS: BinaryEF(),
        c.EF_AUTH_CERT: BinaryEF(writable_by_issuer=True),
        c.EF_AUTH_CA_CERT: BinaryEF(writable_by_issuer=True),
        c.EF_AUTH_KEY: KeyEF(c.KEY_AUTH, c.PIN_AUTH),
        c.EF_AUTH_PIN: PinEF(c.PIN_AUTH),
        c.EF_SIGN_KEY: KeyEF(c.KEY_SIGN, c.PIN_SIGN),
        c.EF_SIGN_PIN: PinEF(c.PIN_SIGN),
    },
    "card_info": {
        c.EF_INDIVIDUAL_NUMBER: BinaryEF(needs=(c.PIN_CARD_INFO,)),
        c.EF_FOUR_ITEMS: BinaryEF(needs=(c.PIN_CARD_INFO,)),
        c.EF_CARD_INFO_PIN: PinEF(c.PIN_CARD_INFO),
    },
    "common": {
        0x0001: BinaryEF(),  # SIMULATION: card id record (real cards: READ RECORD)
        c.EF_RESIDENT_REGISTER_PIN: PinEF(c.PIN_RESIDENT_REGISTER),
    },
}

# The certificate EF that belongs to each key: a new key makes the old one useless.
CERT_OF_KEY: Final = {c.KEY_AUTH: c.EF_AUTH_CERT, c.KEY_SIGN: c.EF_SIGN_CERT}


def file_key(ap: str, fid: int) -> str:
    return f"{ap}:{fid:04X}"
