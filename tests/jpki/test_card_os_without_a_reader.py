"""The card OS on its own (no pcscd): APDU forms the desk client may send.

docs/reference/card-protocol.md §5.7: COMPUTE SIGNATURE schemes P1 00–05; ISO 7816-4
response
chaining (61 xx + GET RESPONSE), command chaining and extended lengths.
"""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

from jpki_ops.cardsim import constants as c
from jpki_ops.cardsim.apdu import MalformedAPDU, parse
from jpki_ops.cardsim.card import VirtualCard
from jpki_ops.cardsim.state import CardState, PinRecord

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PREFIX = bytes.fromhex("3031300d060960864801650304020105000420")


@pytest.fixture
def card_os() -> VirtualCard:
    pem = KEY.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    state = CardState(
        card_id="0011223344556677",
        issuer_card_key=bytes(32),
        pins={
            c.PIN_AUTH: PinRecord.create("1234", 3),
            c.PIN_SIGN: PinRecord.create("ABC123", 5),
        },
        keys={c.KEY_AUTH: pem, c.KEY_SIGN: None},
        files={"jpki:000A": b"\x30\x82\x01\x00" + bytes(256)},
    )
    card = VirtualCard(state)
    card.power_on()
    return card


def run(card_os: VirtualCard, hex_apdu: str) -> tuple[bytes, str]:
    out = card_os.execute(bytes.fromhex(hex_apdu))
    return out[:-2], out[-2:].hex().upper()


def _unlock(card_os: VirtualCard) -> None:
    assert run(card_os, "00A4040C0AD392F000260100000001")[1] == "9000"
    assert run(card_os, "0020009804" + b"1234".hex())[1] == "9000"


@pytest.mark.parametrize("p1", [0x00, 0x01, 0x02, 0x03, 0x04, 0x05])
def test_signature_schemes(card_os, p1):
    _unlock(card_os)
    message = b"madoguchi"
    digest = hashlib.sha256(message).digest()
    data = {
        0x00: PREFIX + digest,
        0x01: message,
        0x02: digest,
        0x03: message,
        0x04: digest,
        0x05: message,
    }[p1]
    sig, sw = run(card_os, f"802A{p1:02X}97{len(data):02X}{data.hex()}00")
    assert sw == "9000" and len(sig) == 256
    public = KEY.public_key()
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
    if p1 in (0x00, 0x02, 0x03):
        public.verify(sig, message, padding.PKCS1v15(), hashes.SHA256())
    elif p1 == 0x01:  # bare hash, no DigestInfo
        recovered = public.recover_data_from_signature(sig, padding.PKCS1v15(), None)
        assert recovered == digest
    elif p1 == 0x04:
        public.verify(sig, digest, pss, Prehashed(hashes.SHA256()))
    else:
        public.verify(sig, message, pss, hashes.SHA256())


def test_signature_scheme_errors(card_os):
    _unlock(card_os)
    assert run(card_os, "802A0697" + "01" + "00")[1] == "6A86"
    assert run(card_os, "802A029703AABBCC00")[1] == "6700"
    assert run(card_os, "802A009A01AA00")[1] == "6982"  # signing key not unlocked


def test_long_answer_comes_in_pieces_with_get_response(card_os):
    assert run(card_os, "00A4040C0AD392F000260100000001")[1] == "9000"
    assert run(card_os, "00A4020C02000A")[1] == "9000"
    first, sw = run(card_os, "00B0000000")
    assert sw == "9000" and len(first) == 256
    # Response chaining is generic: a 260-byte EF read with extended Le works too.
    whole, sw = run(card_os, "00B000000001" + "04")
    assert sw == "9000" and len(whole) == 260


def test_get_response_without_pending_data(card_os):
    assert run(card_os, "00C0000010")[1] == "6985"


def test_broken_chain_is_refused(card_os):
    assert run(card_os, "00A4040C0AD392F000260100000001")[1] == "9000"
    assert run(card_os, "10D68A0002AABB")[1] == "9000"
    assert run(card_os, "00D68B0002AABB")[1] == "6883"


@pytest.mark.parametrize(
    "raw",
    ["00A4", "00A4040C05D392", "00B0000000FFFF00", "00D600000000010203"],
)
def test_malformed_apdus(raw):
    with pytest.raises(MalformedAPDU):
        parse(bytes.fromhex(raw))


def test_extended_case4_parses():
    cmd = parse(bytes.fromhex("00D68A00000003AABBCC0000"))
    assert (cmd.data, cmd.ne, cmd.extended) == (b"\xaa\xbb\xcc", 65536, True)


def test_verbose_log_never_shows_pin_data(card_os, caplog):
    """A PIN never leaves the desk — not even into the card's own debug log."""
    card_os.verbose = True
    canary = "7391"
    with caplog.at_level("INFO", logger="jpki_ops.cardsim"):
        run(card_os, "00A4040C0AD392F000260100000001")
        run(card_os, "0020009804" + canary.encode().hex())
        run(card_os, "0020009804" + b"1234".hex())
        run(card_os, "0024019804" + b"7392".hex())
    text = " ".join(caplog.messages).lower()
    assert "00 20 00 98" in text  # the header is logged …
    for secret in (canary, "1234", "7392"):
        assert secret.encode().hex() not in text.replace(" ", "")  # … the data never
        assert secret not in text
