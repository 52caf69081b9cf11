"""Bounds on input that reaches a lookup before any form or serializer sees it:
identifiers taken from the address (docs/security/input-and-desk.md).

PostgreSQL refuses a NUL inside a string with an error, not an empty result, so
a forged address would answer 500; a value no row could hold is not looked up.
"""

from __future__ import annotations

#: The longest reference any case or letter has (``Case.reference``, 32).
REFERENCE_MAX_LENGTH = 32


def reference_plausible(text: str) -> bool:
    """Could ``text`` be a case's or letter's reference? Printable, no NUL, short."""
    return 0 < len(text) <= REFERENCE_MAX_LENGTH and text.isprintable()


def positive_id(text: str | None) -> int | None:
    """A row number written in an address or a form: ASCII digits that fit a
    PostgreSQL ``bigint``, else ``None``."""
    if not text or not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    return value if 0 < value < 2**63 else None
