"""The issuer's command authorisation lives in :mod:`jpki_ops.protocol.authorisation`;
this name stays for the card's tools."""

from jpki_ops.protocol.authorisation import (
    DESCRIPTOR_LENGTH,
    MAC_LENGTH,
    CardCommand,
    authorisation_mac,
    diversify_card_key,
    external_authenticate_data,
)

__all__ = [
    "DESCRIPTOR_LENGTH",
    "MAC_LENGTH",
    "CardCommand",
    "authorisation_mac",
    "diversify_card_key",
    "external_authenticate_data",
]
