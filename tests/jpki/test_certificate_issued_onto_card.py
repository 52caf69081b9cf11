"""Issue a certificate onto the card (docs/rules/03-validity.md §3,
docs/reference/card-protocol.md §10, §14.1).

The card generates the key pair (issuer-authorised), the simulated J-LIS
certifies the public key with the JPKI profile, the desk writes the certificate
(issuer-authorised), and the card then signs with that key. The chain verifies to
the simulated TEST CA; nothing in it can pass for a production J-LIS certificate.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.x509.oid import ExtensionOID, NameOID

from jpki_ops.cardsim import constants as c
from jpki_ops.cardsim.authorisation import CardCommand
from jpki_ops.cardsim.card import parse_public_key_template
from jpki_ops.issuer.gateway import HolderAttributes
from jpki_ops.issuer.profile import not_after_for

from .raw import (
    authorise,
    ok,
    read_der_ef,
    select_ap,
    select_ef,
    send_chained,
    tx,
    verify,
)

pytestmark = pytest.mark.integration

SHA256_PREFIX = bytes.fromhex("3031300d060960864801650304020105000420")
HOLDER = HolderAttributes(
    name="山田\u3000太郎",
    address="東京都清瀬市中里五丁目８４２番地",
    birth_date=dt.date(1980, 2, 17),
    gender="1",
    name_substitute_flags="00000",
    municipality_code="13221",
)


def _generate_key(conn, issuer, card_id, key_sfi: int):
    authorise(conn, issuer, card_id, CardCommand(0x46, 0x00, 0x80 | key_sfi))
    first, sw = tx(conn, bytes([0x00, 0x46, 0x00, 0x80 | key_sfi, 0x00]))
    assert sw.startswith("61"), sw  # more than 256 bytes: GET RESPONSE
    rest = ok(conn, "00C00000" + sw[2:])
    return parse_public_key_template(first + rest)


def _write_certificate(conn, issuer, card_id, ef: int, der: bytes) -> str:
    header = bytes([0x00, 0xD6, 0x80 | ef, 0x00])
    authorise(
        conn,
        issuer,
        card_id,
        CardCommand(0xD6, 0x80 | ef, 0x00, hashlib.sha256(der).digest()),
    )
    return send_chained(conn, header, der)


def _issue_and_write(conn, issuer, card_id, kind, public_key, cert_ef):
    """The simulated J-LIS certifies the card's key; the desk writes it back."""
    issued = issuer.issue_certificate(
        kind=kind,
        public_key_der=public_key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
        card_id=card_id,
        not_after=not_after_for(dt.date.today() + dt.timedelta(days=1800)),
        holder=HOLDER,
    )
    assert _write_certificate(conn, issuer, card_id, cert_ef, issued.der) == "9000"
    return issued


def _card_signs(conn, pin_ef: int, pin: str, key_ef: int, message: bytes) -> bytes:
    select_ap(conn, "jpki")
    assert verify(conn, pin_ef, pin) == "9000"
    select_ef(conn, key_ef)
    digest_info = SHA256_PREFIX + hashlib.sha256(message).digest()
    return ok(
        conn, bytes([0x80, 0x2A, 0x00, 0x80, len(digest_info)]) + digest_info + b"\x00"
    )


def test_authentication_certificate_issued_onto_the_card(
    virtual_card, simulated_issuer
):
    conn = virtual_card.connect()
    card_id = virtual_card.card_id
    select_ap(conn, "jpki")
    old = read_der_ef(conn, c.EF_AUTH_CERT)

    public_key = _generate_key(conn, simulated_issuer, card_id, c.EF_AUTH_KEY)
    select_ef(conn, c.EF_AUTH_CERT)
    # The old certificate went with the key: the EF holds only filler now.
    assert ok(conn, "00B0000004") == b"\xff" * 4

    issued = _issue_and_write(
        conn, simulated_issuer, card_id, "authentication", public_key, c.EF_AUTH_CERT
    )

    back = read_der_ef(conn, c.EF_AUTH_CERT)
    assert back == issued.der != old
    cert = x509.load_der_x509_certificate(back)
    ca = x509.load_der_x509_certificate(read_der_ef(conn, c.EF_AUTH_CA_CERT))
    cert.verify_directly_issued_by(ca)
    ca.verify_directly_issued_by(ca)
    assert cert.public_key().public_numbers() == public_key.public_numbers()
    # No personal data in the user-authentication certificate
    # (docs/reference/card-protocol.md §10.2).
    with pytest.raises(x509.ExtensionNotFound):
        cert.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_ALTERNATIVE_NAME)
    assert "山田" not in cert.subject.rfc4514_string()

    message = b"login challenge"
    signature = _card_signs(conn, c.EF_AUTH_PIN, "1234", c.EF_AUTH_KEY, message)
    cert.public_key().verify(signature, message, padding.PKCS1v15(), hashes.SHA256())

    assert simulated_issuer.status(serial=issued.serial).state == "active"


def test_signing_certificate_carries_the_jpki_profile(virtual_card, simulated_issuer):
    conn = virtual_card.connect()
    card_id = virtual_card.card_id
    select_ap(conn, "jpki")
    public_key = _generate_key(conn, simulated_issuer, card_id, c.EF_SIGN_KEY)
    _issue_and_write(
        conn, simulated_issuer, card_id, "signing", public_key, c.EF_SIGN_CERT
    )

    assert verify(conn, c.EF_SIGN_PIN, "ABC123") == "9000"
    cert = x509.load_der_x509_certificate(read_der_ef(conn, c.EF_SIGN_CERT))
    ca = x509.load_der_x509_certificate(read_der_ef(conn, c.EF_SIGN_CA_CERT))
    cert.verify_directly_issued_by(ca)

    # Issuer names mark the TEST hierarchy and the simulation
    # (docs/reference/card-protocol.md §14.1).
    assert (
        ca.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value
        == "JPKI-TEST"
    )
    assert any(
        "SIMULATED" in a.value
        for a in ca.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)
    )
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert (
        usage.critical
        and usage.value.digital_signature
        and usage.value.content_commitment
    )
    policies = cert.extensions.get_extension_for_class(x509.CertificatePolicies).value
    assert [p.policy_identifier.dotted_string for p in policies] == [
        "1.2.392.200149.8.5.1.0.20"
    ]
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    names = san.get_values_for_type(x509.OtherName)
    assert [n.type_id.dotted_string[-1] for n in names] == [
        "1",
        "4",
        "3",
        "5",
        "2",
        "6",
    ]
    values = {n.type_id.dotted_string: n.value for n in names}
    utf8 = lambda s: b"\x0c" + bytes([len(s.encode())]) + s.encode()  # noqa: E731
    assert values["1.2.392.200149.8.5.5.1"] == utf8("山田\u3000太郎")
    assert values["1.2.392.200149.8.5.5.4"] == utf8("319800217")  # 昭和, Gregorian date
    assert values["1.2.392.200149.8.5.5.3"] == utf8("1")
    assert values["1.2.392.200149.8.5.5.2"] == utf8("00000")
    assert cert.not_valid_after_utc.hour == 14  # 23:59:59 JST

    message = "電子申請".encode()
    signature = _card_signs(conn, c.EF_SIGN_PIN, "ABC123", c.EF_SIGN_KEY, message)
    cert.public_key().verify(signature, message, padding.PKCS1v15(), hashes.SHA256())


def test_write_without_authorisation_or_with_other_content_is_refused(
    virtual_card, simulated_issuer
):
    conn = virtual_card.connect()
    card_id = virtual_card.card_id
    select_ap(conn, "jpki")
    original = read_der_ef(conn, c.EF_AUTH_CERT)
    header = bytes([0x00, 0xD6, 0x8A, 0x00])
    assert send_chained(conn, header, original) == "6982"
    # Authorised for one certificate; the desk tries to write another one.
    other = read_der_ef(conn, c.EF_AUTH_CA_CERT)
    authorise(
        conn,
        simulated_issuer,
        card_id,
        CardCommand(0xD6, 0x8A, 0x00, hashlib.sha256(original).digest()),
    )
    assert send_chained(conn, header, other) == "6982"
    assert read_der_ef(conn, c.EF_AUTH_CERT) == original
    # Key generation without authorisation: refused, the key is unchanged.
    assert tx(conn, "0046009700")[1] == "6982"
    select_ap(conn, "jpki")
    assert verify(conn, c.EF_AUTH_PIN, "1234") == "9000"
    select_ef(conn, c.EF_AUTH_KEY)
    digest_info = SHA256_PREFIX + hashlib.sha256(b"x").digest()
    sig = ok(conn, bytes([0x80, 0x2A, 0x00, 0x80, 51]) + digest_info + b"\x00")
    x509.load_der_x509_certificate(original).public_key().verify(
        sig, b"x", padding.PKCS1v15(), hashes.SHA256()
    )


def test_extended_length_write_is_accepted(virtual_card, simulated_issuer):
    conn = virtual_card.connect()
    select_ap(conn, "jpki")
    der = read_der_ef(conn, c.EF_AUTH_CA_CERT)
    authorise(
        conn,
        simulated_issuer,
        virtual_card.card_id,
        CardCommand(0xD6, 0x8B, 0x00, hashlib.sha256(der).digest()),
    )
    apdu = bytes([0x00, 0xD6, 0x8B, 0x00, 0x00]) + len(der).to_bytes(2, "big") + der
    assert tx(conn, apdu)[1] == "9000"
