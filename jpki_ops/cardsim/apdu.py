"""Command APDU parsing and BER-TLV live in :mod:`jpki_ops.protocol`; this name
stays for the card's tools."""

from jpki_ops.protocol.apdu import Command, MalformedAPDU, parse
from jpki_ops.protocol.tlv import tlv

__all__ = ["Command", "MalformedAPDU", "parse", "tlv"]
