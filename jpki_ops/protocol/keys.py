"""The card's public key template (ISO 7816-8 ``7F49``), written by the card and
read by the desk client after GENERATE KEY PAIR."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric import rsa

from .tlv import tlv


def public_key_template(public_key: rsa.RSAPublicKey) -> bytes:
    """ISO 7816-8 public key template 7F49 { 81 modulus, 82 exponent }."""
    numbers = public_key.public_numbers()
    modulus = numbers.n.to_bytes((public_key.key_size + 7) // 8, "big")
    exponent = numbers.e.to_bytes((numbers.e.bit_length() + 7) // 8, "big")
    return tlv(b"\x7f\x49", tlv(b"\x81", modulus) + tlv(b"\x82", exponent))


def parse_public_key_template(raw: bytes) -> rsa.RSAPublicKey:
    """Inverse of :func:`public_key_template` (the desk client reads the card's key)."""

    def read(buf: bytes, pos: int) -> tuple[bytes, bytes, int]:
        tag_len = 2 if buf[pos] & 0x1F == 0x1F else 1
        tag = buf[pos : pos + tag_len]
        pos += tag_len
        first = buf[pos]
        pos += 1
        if first < 0x80:
            length = first
        else:
            nbytes = first & 0x7F
            length = int.from_bytes(buf[pos : pos + nbytes], "big")
            pos += nbytes
        return tag, buf[pos : pos + length], pos + length

    tag, body, _ = read(raw, 0)
    if tag != b"\x7f\x49":
        raise ValueError("not a public key template")
    fields: dict[bytes, bytes] = {}
    pos = 0
    while pos < len(body):
        t, v, pos = read(body, pos)
        fields[t] = v
    n = int.from_bytes(fields[b"\x81"], "big")
    e = int.from_bytes(fields[b"\x82"], "big")
    return rsa.RSAPublicNumbers(e, n).public_key()
