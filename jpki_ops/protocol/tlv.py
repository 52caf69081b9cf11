"""BER-TLV encoding shared by the card, its personalisation and the issuer."""

from __future__ import annotations


def tlv(tag: bytes, value: bytes) -> bytes:
    """BER-TLV with a definite length (short form, 81 xx or 82 xx xx)."""
    n = len(value)
    if n < 0x80:
        length = bytes([n])
    elif n < 0x100:
        length = bytes([0x81, n])
    else:
        length = b"\x82" + n.to_bytes(2, "big")
    return tag + length + value
