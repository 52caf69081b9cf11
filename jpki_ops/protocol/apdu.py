"""ISO 7816-4 command APDU parsing (short and extended forms)."""

from __future__ import annotations

from dataclasses import dataclass


class MalformedAPDU(ValueError):
    """The bytes are not a well-formed command APDU (answered with 67 00)."""


@dataclass(frozen=True)
class Command:
    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes
    ne: int  # expected response length; 0 = no response data expected
    extended: bool

    @property
    def chained(self) -> bool:
        """ISO 7816-4 command chaining: more commands of this chain follow."""
        return bool(self.cla & 0x10)

    @property
    def is_case1(self) -> bool:
        return not self.data and self.ne == 0


def parse(raw: bytes) -> Command:
    """Decode the four ISO 7816-3 cases, short and extended."""
    if len(raw) < 4:
        raise MalformedAPDU("shorter than a header")
    cla, ins, p1, p2 = raw[0], raw[1], raw[2], raw[3]
    body = raw[4:]
    n = len(body)
    if n == 0:  # case 1
        return Command(cla, ins, p1, p2, b"", 0, False)
    if n == 1:  # case 2 short
        return Command(cla, ins, p1, p2, b"", body[0] or 256, False)
    if body[0] != 0:  # short case 3 / 4
        lc = body[0]
        if n == 1 + lc:
            return Command(cla, ins, p1, p2, bytes(body[1:]), 0, False)
        if n == 2 + lc:
            return Command(
                cla, ins, p1, p2, bytes(body[1 : 1 + lc]), body[-1] or 256, False
            )
        raise MalformedAPDU("Lc does not match the body")
    # extended forms start with 00
    if n == 3:  # case 2 extended
        le = int.from_bytes(body[1:3], "big")
        return Command(cla, ins, p1, p2, b"", le or 65536, True)
    lc = int.from_bytes(body[1:3], "big")
    if lc == 0:
        raise MalformedAPDU("extended Lc of zero")
    if n == 3 + lc:
        return Command(cla, ins, p1, p2, bytes(body[3:]), 0, True)
    if n == 5 + lc:
        le = int.from_bytes(body[-2:], "big")
        return Command(cla, ins, p1, p2, bytes(body[3 : 3 + lc]), le or 65536, True)
    raise MalformedAPDU("extended Lc does not match the body")
