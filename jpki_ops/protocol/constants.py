"""Byte values of the My Number Card as the virtual card presents them.

Every value cites the section of ``docs/reference/card-protocol.md`` it comes
from, so a reader can tell observation (real cards) from the project's own design
(the issuer-only commands of docs/reference/card-protocol.md §14.1, marked SIMULATION).
"""

from __future__ import annotations

from typing import Final

# docs/reference/card-protocol.md §1: contact ATR, T=1, no historical bytes. OpenSC
# matches exactly these 9 bytes.
ATR: Final = bytes.fromhex("3BE000FF8131FE4514")

# docs/reference/card-protocol.md §2: application identifiers (SELECT by DF name, P1=04,
# P2=0C).
AID_JPKI: Final = bytes.fromhex("D392F000260100000001")
AID_CARD_INFO: Final = bytes.fromhex("D3921000310001010408")  # 券面事項入力補助AP
# docs/reference/card-protocol.md §2 naming conflict: TRET labels this AP as the one
# holding the resident-register
# PIN at EF 001C; we host it under that reading (docs/virtual-card.md).
AID_COMMON: Final = bytes.fromhex("D3921000310001010100")

# docs/reference/card-protocol.md §3: JPKI AP elementary files.
EF_SIGN_CERT: Final = 0x0001
EF_SIGN_CA_CERT: Final = 0x0002
EF_TOKEN_INFO: Final = 0x0006
EF_CERT_FLAGS: Final = 0x0008
EF_AUTH_CERT: Final = 0x000A
EF_AUTH_CA_CERT: Final = 0x000B
EF_AUTH_KEY: Final = 0x0017
EF_AUTH_PIN: Final = 0x0018
EF_SIGN_KEY: Final = 0x001A
EF_SIGN_PIN: Final = 0x001B

# docs/reference/card-protocol.md §9.1: card-info input support AP.
EF_INDIVIDUAL_NUMBER: Final = 0x0001
EF_FOUR_ITEMS: Final = 0x0002
EF_CARD_INFO_PIN: Final = 0x0011

# docs/reference/card-protocol.md §2 / §4: resident-register PIN in the common AP.
EF_RESIDENT_REGISTER_PIN: Final = 0x001C

# docs/reference/card-protocol.md §7: token name of a physical My Number Card, padded to
# 32 bytes, file of 160.
TOKEN_NAME: Final = b"JPKIAPICCTOKEN2"
TOKEN_INFO_SIZE: Final = 160

# docs/reference/card-protocol.md §3 / §5.3: the EF is larger than the certificate;
# filler follows the DER, so
# clients must read by the length in the DER header. The filler byte is not
# documented for JPKI EFs; FF is what the card-info AP's EF 0001 shows
# (docs/reference/card-protocol.md §9.1).
CERT_EF_SIZE: Final = 4096
CERT_EF_FILLER: Final = 0xFF
CERT_EFS: Final = frozenset({0x0001, 0x0002, 0x000A, 0x000B})

# PIN names used in the card file and by the issuer authorisation.
PIN_AUTH: Final = "jpki_auth"
PIN_SIGN: Final = "jpki_sign"
PIN_CARD_INFO: Final = "card_info"
PIN_RESIDENT_REGISTER: Final = "resident_register"

KEY_AUTH: Final = "jpki_auth"
KEY_SIGN: Final = "jpki_sign"

# docs/reference/card-protocol.md §4: maximum tries.
PIN_MAX_TRIES: Final = {
    PIN_AUTH: 3,
    PIN_SIGN: 5,
    PIN_CARD_INFO: 3,
    PIN_RESIDENT_REGISTER: 3,
}


class SW:
    """Status words (docs/reference/card-protocol.md §6)."""

    OK: Final = b"\x90\x00"
    WRONG_LENGTH: Final = b"\x67\x00"
    SECURITY_NOT_SATISFIED: Final = b"\x69\x82"
    AUTH_METHOD_BLOCKED: Final = b"\x69\x84"
    CONDITIONS_NOT_SATISFIED: Final = b"\x69\x85"
    COMMAND_NOT_ALLOWED: Final = b"\x69\x86"
    WRONG_DATA: Final = b"\x6a\x80"
    NOT_ENOUGH_MEMORY: Final = b"\x6a\x84"
    FILE_NOT_FOUND: Final = b"\x6a\x82"
    INCORRECT_P1P2: Final = b"\x6a\x86"
    WRONG_P1P2: Final = b"\x6b\x00"
    INS_NOT_SUPPORTED: Final = b"\x6d\x00"
    CLA_NOT_SUPPORTED: Final = b"\x6e\x00"
    VERIFICATION_FAILED: Final = b"\x63\x00"
    LAST_COMMAND_EXPECTED: Final = b"\x68\x83"
    NO_PRECISE_DIAGNOSIS: Final = b"\x6f\x00"

    @staticmethod
    def tries_left(n: int) -> bytes:
        return bytes([0x63, 0xC0 | (n & 0x0F)])


# --- SIMULATION (docs/reference/card-protocol.md §14.1)
# --------------------------------------
# The instructions J-LIS and municipal terminals use to reset PINs, generate keys
# and write certificates are not public. The virtual card models them with
# standard ISO 7816 instructions, each usable only once after the simulated
# issuer's cryptogram (EXTERNAL AUTHENTICATE over a fresh GET CHALLENGE).
INS_GET_CHALLENGE: Final = 0x84
INS_EXTERNAL_AUTHENTICATE: Final = 0x82
INS_RESET_RETRY_COUNTER: Final = 0x2C
INS_GENERATE_KEY_PAIR: Final = 0x46
INS_UPDATE_BINARY: Final = 0xD6
INS_GET_RESPONSE: Final = 0xC0

CHALLENGE_LENGTH: Final = 8
# Domain-separation label of the authorisation MAC; shared with jpki_ops.issuer.
AUTHORISATION_LABEL: Final = b"madoguchi SIMULATED J-LIS card command v1"
