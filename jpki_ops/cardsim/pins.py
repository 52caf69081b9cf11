"""PIN shapes (docs/reference/card-protocol.md §4;
docs/rules/02-certificates-and-pins.md §2), shared by the card and its tools."""

from __future__ import annotations

import re

from jpki_ops.protocol import constants as c

_FOUR_DIGITS = re.compile(rb"[0-9]{4}")
_SIGNING = re.compile(rb"(?=[A-Z0-9]*[A-Z])(?=[A-Z0-9]*[0-9])[A-Z0-9]{6,16}")


def pin_format_ok(name: str, value: bytes) -> bool:
    """Signing password: 6–16 of A–Z/0–9, ≥ 1 letter, ≥ 1 digit; others: 4 digits."""
    pattern = _SIGNING if name == c.PIN_SIGN else _FOUR_DIGITS
    return pattern.fullmatch(value) is not None
