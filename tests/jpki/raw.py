"""Raw pyscard helpers for the virtual-card tests (no project client on purpose).

The desk's PC/SC client (jpki_ops.pcsc) is tested separately; these tests talk to
the card the way docs/reference/card-protocol.md writes the APDUs, so they check the
card itself.
"""

from __future__ import annotations

from typing import Any

from jpki_ops.cardsim import constants as c

AID = {
    "jpki": c.AID_JPKI,
    "card_info": c.AID_CARD_INFO,
    "common": c.AID_COMMON,
}


def tx(conn: Any, apdu: bytes | str) -> tuple[bytes, str]:
    """Send one APDU; return (data, "SW1SW2" in upper-case hex)."""
    raw = bytes.fromhex(apdu) if isinstance(apdu, str) else apdu
    data, sw1, sw2 = conn.transmit(list(raw))
    return bytes(data), f"{sw1:02X}{sw2:02X}"


def ok(conn: Any, apdu: bytes | str) -> bytes:
    data, sw = tx(conn, apdu)
    assert sw == "9000", f"{apdu!r} answered {sw}"
    return data


def select_ap(conn: Any, ap: str) -> str:
    return tx(conn, b"\x00\xa4\x04\x0c\x0a" + AID[ap])[1]


def select_ef(conn: Any, fid: int) -> str:
    return tx(conn, b"\x00\xa4\x02\x0c\x02" + fid.to_bytes(2, "big"))[1]


def verify(conn: Any, fid: int, pin: str | None) -> str:
    """Select the PIN EF and VERIFY; ``None`` = empty VERIFY (retry counter)."""
    assert select_ef(conn, fid) == "9000"
    if pin is None:
        return tx(conn, "00200080")[1]
    data = pin.encode("ascii")
    return tx(conn, bytes([0x00, 0x20, 0x00, 0x80, len(data)]) + data)[1]


def change_pin(conn: Any, new: str) -> str:
    data = new.encode("ascii")
    return tx(conn, bytes([0x00, 0x24, 0x01, 0x80, len(data)]) + data)[1]


def read_der_ef(conn: Any, fid: int) -> bytes:
    """OpenSC's recipe: SELECT, read 4 bytes, length from 30 82 LL LL, 256 a time."""
    assert select_ef(conn, fid) == "9000"
    head = ok(conn, "00B0000004")
    assert head[:2] == b"\x30\x82", head.hex()
    total = int.from_bytes(head[2:4], "big") + 4
    out = bytearray(head)
    while len(out) < total:
        n = min(256, total - len(out))
        off = len(out)
        out += ok(conn, bytes([0x00, 0xB0, off >> 8, off & 0xFF, n & 0xFF]))
    return bytes(out)


def tries_left(sw: str) -> int:
    assert sw[:3] == "63C", sw
    return int(sw[3], 16)


def get_challenge(conn: Any) -> bytes:
    return ok(conn, "0084000008")


def external_authenticate(conn: Any, data: bytes) -> str:
    return tx(conn, bytes([0x00, 0x82, 0x00, 0x00, len(data)]) + data)[1]


def authorise(conn: Any, issuer: Any, card_id: str, command: Any) -> bytes:
    """SIMULATION: fresh challenge → simulated J-LIS → EXTERNAL AUTHENTICATE.

    Returns the EXTERNAL AUTHENTICATE data so a test can try to replay it.
    """
    challenge = get_challenge(conn)
    grant = issuer.authorise_card_command(
        card_id=card_id, challenge=challenge, command=command
    )
    assert external_authenticate(conn, grant.external_authenticate_data) == "9000"
    return bytes(grant.external_authenticate_data)


def send_chained(conn: Any, header: bytes, data: bytes) -> str:
    """ISO 7816-4 command chaining (CLA | 10) in 255-byte pieces."""
    pieces = [data[i : i + 255] for i in range(0, len(data), 255)]
    for piece in pieces[:-1]:
        chained = bytes([header[0] | 0x10]) + header[1:4] + bytes([len(piece)]) + piece
        assert tx(conn, chained)[1] == "9000"
    last = pieces[-1]
    return tx(conn, header[:4] + bytes([len(last)]) + last)[1]
