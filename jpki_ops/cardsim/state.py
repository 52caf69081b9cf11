"""The virtual card's persistent memory: one JSON file per card.

The card file plays the part of the card's EEPROM. A real card keeps its PINs,
retry counters and private keys in secure memory that nothing outside the chip can
read; the simulation keeps them in this file, so whoever can read the file can
use the keys. That is acceptable only because the card, its keys and its
certificates are a SIMULATION issued by a test CA that nothing trusts
(docs/virtual-card.md). Even so, PINs are stored only as salted PBKDF2 hashes, so a
card file (or a test artefact that copies one) never reveals a PIN.

Every change is written with write-to-temporary + fsync + rename before the card
answers, so a locked PIN stays locked across restarts and a card pulled out during
a write is either fully old or fully new. A failed try is written *before* the
comparison result is used, the way real cards decrement first (tearing protection).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMAT = "madoguchi-virtual-my-number-card/1"
SIMULATION_NOTICE = (
    "SIMULATION: virtual My Number Card for tests and the demo. Keys and "
    "certificates come from the simulated issuer's TEST CA and prove nothing."
)
PBKDF2_ITERATIONS = 20_000


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"))


@dataclass
class PinRecord:
    """One key reference (PIN): salted hash, retry counter and its maximum."""

    salt: bytes
    digest: bytes
    tries_left: int
    max_tries: int

    @classmethod
    def create(cls, value: str, max_tries: int) -> PinRecord:
        salt = secrets.token_bytes(16)
        return cls(salt, _hash_pin(value.encode("ascii"), salt), max_tries, max_tries)

    @property
    def blocked(self) -> bool:
        return self.tries_left <= 0

    def matches(self, candidate: bytes) -> bool:
        return hmac.compare_digest(_hash_pin(candidate, self.salt), self.digest)

    def set_value(self, value: bytes) -> None:
        self.salt = secrets.token_bytes(16)
        self.digest = _hash_pin(value, self.salt)

    def to_json(self) -> dict[str, Any]:
        return {
            "salt": _b64(self.salt),
            "pbkdf2_sha256": _b64(self.digest),
            "iterations": PBKDF2_ITERATIONS,
            "tries_left": self.tries_left,
            "max_tries": self.max_tries,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> PinRecord:
        return cls(
            _unb64(raw["salt"]),
            _unb64(raw["pbkdf2_sha256"]),
            int(raw["tries_left"]),
            int(raw["max_tries"]),
        )


def _hash_pin(value: bytes, salt: bytes) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", value, salt, PBKDF2_ITERATIONS)


@dataclass
class CardState:
    """Everything the card remembers between power cycles."""

    card_id: str
    issuer_card_key: bytes
    pins: dict[str, PinRecord]
    keys: dict[str, str | None]  # PEM (PKCS#8) private keys by key name
    files: dict[str, bytes]  # "<ap>:<FID hex>" -> content
    label: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "simulation": SIMULATION_NOTICE,
            "card_id": self.card_id,
            "label": self.label,
            "issuer_card_key": _b64(self.issuer_card_key),
            "pins": {name: pin.to_json() for name, pin in sorted(self.pins.items())},
            "keys": dict(sorted(self.keys.items())),
            "files": {name: _b64(data) for name, data in sorted(self.files.items())},
            "extra": self.extra,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> CardState:
        if raw.get("format") != FORMAT:
            raise ValueError(f"not a virtual card file (format {raw.get('format')!r})")
        return cls(
            card_id=raw["card_id"],
            issuer_card_key=_unb64(raw["issuer_card_key"]),
            pins={name: PinRecord.from_json(p) for name, p in raw["pins"].items()},
            keys=dict(raw["keys"]),
            files={name: _unb64(data) for name, data in raw["files"].items()},
            label=raw.get("label", ""),
            extra=dict(raw.get("extra", {})),
        )


class CardFile:
    """Load and atomically save a :class:`CardState` at one path."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def load(self) -> CardState:
        with self.path.open(encoding="utf-8") as fh:
            return CardState.from_json(json.load(fh))

    def save(self, state: CardState) -> None:
        text = json.dumps(state.to_json(), ensure_ascii=False, indent=1)
        directory = self.path.parent
        fd, tmp = tempfile.mkstemp(prefix=".card-", suffix=".tmp", dir=directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
