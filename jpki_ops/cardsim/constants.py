"""The card's byte values live in :mod:`jpki_ops.protocol.constants`; this name
stays for the card's own modules and its tools."""

from jpki_ops.protocol.constants import *  # noqa: F403
