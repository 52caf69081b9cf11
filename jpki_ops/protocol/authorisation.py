"""SIMULATION of the issuer (J-LIS) authorising one issuer-only card command.

Real cards reset PINs, generate keys and take new certificates only from J-LIS's
terminals, by commands and keys that are not public
(docs/reference/card-protocol.md §11, §14.1).
madoguchi models that with a challenge-response that a smart card can really do:

1. the card answers GET CHALLENGE with 8 fresh random bytes and remembers them;
2. the simulated issuer computes a cryptogram over the card id, that challenge and
   a *descriptor* of exactly one command (INS P1 P2 and, when the issuer knows the
   data, its SHA-256), keyed with a card key diversified from the issuer's master
   key (``card_key = HMAC(master, "card key" || card id)``), the usual way issuer
   keys on cards are personalised;
3. EXTERNAL AUTHENTICATE hands descriptor + cryptogram to the card, which checks
   it once (the challenge is forgotten either way) and then allows that one command.

A replayed cryptogram fails because the challenge is gone; a cryptogram made for
another card fails because that card's key and id differ. This module is pure and
shared by the card (checking), the desk client and the issuer (computing).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from .constants import AUTHORISATION_LABEL

DESCRIPTOR_LENGTH = 36
MAC_LENGTH = 32


@dataclass(frozen=True)
class CardCommand:
    """The one command an authorisation covers.

    ``data_sha256`` is None when the issuer must not know the data, i.e. the new PIN
    of a reset: a PIN never leaves the desk, so the issuer authorises "reset this
    key reference" and the desk supplies the value.
    """

    ins: int
    p1: int
    p2: int
    data_sha256: bytes | None = None

    def encode(self) -> bytes:
        digest = self.data_sha256 or bytes(32)
        flag = 1 if self.data_sha256 is not None else 0
        return bytes([self.ins, self.p1, self.p2, flag]) + digest

    @classmethod
    def decode(cls, raw: bytes) -> CardCommand:
        if len(raw) != DESCRIPTOR_LENGTH:
            raise ValueError("descriptor must be 36 bytes")
        ins, p1, p2, flag = raw[0], raw[1], raw[2], raw[3]
        if flag not in (0, 1):
            raise ValueError("bad descriptor flag")
        return cls(ins, p1, p2, bytes(raw[4:]) if flag else None)

    def matches(self, ins: int, p1: int, p2: int, data: bytes) -> bool:
        if (ins, p1, p2) != (self.ins, self.p1, self.p2):
            return False
        if self.data_sha256 is None:
            return True
        return hmac.compare_digest(hashlib.sha256(data).digest(), self.data_sha256)


def diversify_card_key(master_key: bytes, card_id: str) -> bytes:
    """The per-card key the issuer personalises into one card."""
    return hmac.new(
        master_key, b"card key" + card_id.encode("ascii"), "sha256"
    ).digest()


def authorisation_mac(
    card_key: bytes, card_id: str, challenge: bytes, command: CardCommand
) -> bytes:
    cid = card_id.encode("ascii")
    message = (
        AUTHORISATION_LABEL + bytes([len(cid)]) + cid + challenge + command.encode()
    )
    return hmac.new(card_key, message, "sha256").digest()


def external_authenticate_data(
    card_key: bytes, card_id: str, challenge: bytes, command: CardCommand
) -> bytes:
    """Data field of EXTERNAL AUTHENTICATE: descriptor (36) || cryptogram (32)."""
    return command.encode() + authorisation_mac(card_key, card_id, challenge, command)
