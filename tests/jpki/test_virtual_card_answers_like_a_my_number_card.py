"""The virtual card, through real pyscard → pcscd → vpcd, answers as
docs/reference/card-protocol.md
§12 lists (ATR, AIDs, EFs, READ BINARY rules, access conditions)."""

from __future__ import annotations

import pytest
from cryptography import x509

from jpki_ops.cardsim import constants as c

from .raw import ok, read_der_ef, select_ap, select_ef, tx, verify

pytestmark = pytest.mark.integration


def test_atr_is_the_jpki_contact_atr(virtual_card):
    conn = virtual_card.connect()
    assert bytes(conn.getATR()).hex().upper() == "3BE000FF8131FE4514"


def test_hosted_aps_select_and_unknown_aids_answer_6a82(virtual_card):
    conn = virtual_card.connect()
    for ap in ("jpki", "card_info", "common"):
        assert select_ap(conn, ap) == "9000"
    # 券面事項確認AP is not hosted, nor is any AID from another card family
    # (docs/reference/card-protocol.md §8.3).
    assert tx(conn, "00A4040C0AD3921000310001010402")[1] == "6A82"
    assert tx(conn, "00A4040C07A0000000791000")[1] == "6A82"
    assert select_ef(conn, 0x1234) == "6A82"


def test_mf_select_after_cold_reset_is_refused(virtual_card):
    from smartcard.scard import SCARD_UNPOWER_CARD

    conn = virtual_card.connect()
    select_ap(conn, "jpki")
    assert tx(conn, "00A40000")[1] == "9000"  # an AP is current: nothing changes
    conn.reconnect(disposition=SCARD_UNPOWER_CARD)  # cold reset
    assert tx(conn, "00A40000")[1] == "6A86"
    assert tx(conn, "00A4000C023F00")[1] == "6A82"


def test_token_info_names_a_my_number_card(virtual_card):
    conn = virtual_card.connect()
    select_ap(conn, "jpki")
    select_ef(conn, c.EF_TOKEN_INFO)
    token = ok(conn, "00B0000000")
    assert len(token) == 160
    assert token[:32] == b"JPKIAPICCTOKEN2".ljust(32, b" ")
    select_ef(conn, c.EF_CERT_FLAGS)
    assert ok(conn, "00B0000003") == b"\x8f\x8f\x00"


def test_free_certificates_read_by_der_length(virtual_card, simulated_issuer):
    conn = virtual_card.connect()
    select_ap(conn, "jpki")
    auth = x509.load_der_x509_certificate(read_der_ef(conn, c.EF_AUTH_CERT))
    auth_ca = read_der_ef(conn, c.EF_AUTH_CA_CERT)
    sign_ca = read_der_ef(conn, c.EF_SIGN_CA_CERT)
    assert auth_ca == simulated_issuer.ca_certificate(kind="authentication")
    assert sign_ca == simulated_issuer.ca_certificate(kind="signing")
    assert auth.issuer == x509.load_der_x509_certificate(auth_ca).subject


def test_read_binary_length_rules(virtual_card):
    """docs/reference/card-protocol.md §5.3: the EF is larger than the certificate, so
    the DER header gives the
    length; reads return min(Le, rest of the EF); past the end → 6B 00."""
    conn = virtual_card.connect()
    select_ap(conn, "jpki")
    select_ef(conn, c.EF_AUTH_CERT)
    head = ok(conn, "00B0000004")
    total = int.from_bytes(head[2:4], "big") + 4
    # Le 00 = 256 bytes.
    assert len(ok(conn, "00B0000000")) == 256
    # Filler follows the certificate up to the end of the EF.
    after = ok(conn, bytes([0x00, 0xB0, total >> 8, total & 0xFF, 0x10]))
    assert after == b"\xff" * 16
    end = c.CERT_EF_SIZE
    tail = ok(conn, bytes([0x00, 0xB0, (end - 10) >> 8, (end - 10) & 0xFF, 0x00]))
    assert len(tail) == 10  # a read running over the end returns what is left
    assert tx(conn, bytes([0x00, 0xB0, end >> 8, end & 0xFF, 0x01]))[1] == "6B00"
    # SFI form (P1 = 80|SFI) and one extended-Le read of the whole certificate.
    assert ok(conn, "00B08A0004") == head
    whole = ok(conn, bytes([0x00, 0xB0, 0x8A, 0x00, 0x00]) + total.to_bytes(2, "big"))
    assert len(whole) == total
    x509.load_der_x509_certificate(whole)
    # Reading the whole EF (jsapdu's way) gives certificate + filler.
    ef = ok(conn, bytes([0x00, 0xB0, 0x8A, 0x00, 0x00, 0x00, 0x00]))
    assert len(ef) == c.CERT_EF_SIZE and ef[:total] == whole


def test_signing_certificate_needs_the_signing_password(virtual_card):
    conn = virtual_card.connect()
    select_ap(conn, "jpki")
    select_ef(conn, c.EF_SIGN_CERT)
    assert tx(conn, "00B0000004")[1] == "6982"
    assert verify(conn, c.EF_SIGN_PIN, virtual_card.pins["signing_password"]) == "9000"
    cert = x509.load_der_x509_certificate(read_der_ef(conn, c.EF_SIGN_CERT))
    assert cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    # Selecting the AP again resets its security status
    # (docs/reference/card-protocol.md §2).
    select_ap(conn, "jpki")
    select_ef(conn, c.EF_SIGN_CERT)
    assert tx(conn, "00B0000004")[1] == "6982"


def test_card_info_ap_gives_four_items_after_its_pin(virtual_card):
    conn = virtual_card.connect()
    select_ap(conn, "card_info")
    select_ef(conn, c.EF_FOUR_ITEMS)
    assert tx(conn, "00B0000000")[1] == "6982"
    assert (
        verify(conn, c.EF_CARD_INFO_PIN, virtual_card.pins["card_info_pin"]) == "9000"
    )
    select_ef(conn, c.EF_FOUR_ITEMS)
    raw = ok(conn, "00B0000000")
    assert raw[:2] == b"\xff\x20"
    # Offsets in DF 21 point at the tags of name, address, birth date, gender.
    table = raw.index(b"\xdf\x21") + 3
    offsets = [
        int.from_bytes(raw[table + i : table + i + 2], "big") for i in (0, 2, 4, 6)
    ]
    assert [raw[o : o + 2] for o in offsets] == [
        b"\xdf\x22",
        b"\xdf\x23",
        b"\xdf\x24",
        b"\xdf\x25",
    ]
    name_len = raw[offsets[0] + 2]
    assert raw[offsets[0] + 3 : offsets[0] + 3 + name_len].decode() == "山田\u3000太郎"
    assert raw[offsets[2] + 3 : offsets[2] + 11] == b"19800217"
    select_ef(conn, c.EF_INDIVIDUAL_NUMBER)
    number = ok(conn, "00B0000011")
    assert number[:3] == b"\xff\x10\x0c" and number[3:15].isdigit()


def test_signature_before_verify_is_refused_and_unknown_ins_is_6d00(virtual_card):
    conn = virtual_card.connect()
    select_ap(conn, "jpki")
    select_ef(conn, c.EF_AUTH_KEY)
    digest_info = bytes.fromhex("3031300d060960864801650304020105000420") + bytes(32)
    assert (
        tx(conn, bytes([0x80, 0x2A, 0x00, 0x80, 51]) + digest_info + b"\x00")[1]
        == "6982"
    )
    assert tx(conn, "00EE000000")[1] == "6D00"
    assert tx(conn, "B0B0000004")[1] == "6E00"
