"""The desk's PC/SC client reading a card through real pcscd + vpcd + the virtual card.

docs/reference/card-protocol.md §3 (which EF needs which PIN), §5.3 (certificates read
by the
length in their DER header, in the largest chunk the card takes), §9.1 (the four
basic items after the card-info PIN, never the individual number),
docs/reference/pcsc-testing.md
§8 (the faults a clerk meets: pcscd down, no reader, no card, card pulled out).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from jpki_ops.pcsc import errors
from jpki_ops.pcsc.client import CardSession
from jpki_ops.pcsc.pin import Pin

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

REPO = Path(__file__).resolve().parents[2]


def _verify_issued_by(cert_der: bytes, ca_der: bytes) -> x509.Certificate:
    cert = x509.load_der_x509_certificate(cert_der)
    ca = x509.load_der_x509_certificate(ca_der)
    cert.verify_directly_issued_by(ca)
    return cert


def test_a_full_read_returns_token_certificates_and_tries_in_ten_apdus(
    virtual_card, simulated_issuer
):
    headers: list[bytes] = []
    with CardSession(
        virtual_card.reader, observer=lambda h, sw: headers.append(h)
    ) as card:
        contents = card.read_card()
    assert contents.token == "JPKIAPICCTOKEN2"
    _verify_issued_by(
        contents.auth_certificate,
        simulated_issuer.ca_certificate(kind="authentication"),
    )
    assert contents.auth_ca_certificate == simulated_issuer.ca_certificate(
        kind="authentication"
    )
    assert contents.sign_ca_certificate == simulated_issuer.ca_certificate(
        kind="signing"
    )
    # needs the signing password (docs/reference/card-protocol.md §3)
    assert contents.sign_certificate is None
    assert contents.pins["authentication"].tries_left == 3
    assert contents.pins["signing"].tries_left == 5
    # SELECT AP, token, 3 certificates x (header chunk + extended chunk), 2 counters.
    assert len(headers) == 10
    assert all(h[1] != 0xA4 or h[2] == 0x04 for h in headers)  # no EF SELECTs


def test_the_signing_certificate_reads_only_after_the_signing_password(
    virtual_card, simulated_issuer
):
    with CardSession(virtual_card.reader) as card:
        with pytest.raises(errors.SecurityStatusNotSatisfied):
            card.read_certificate("signing")
        contents = card.read_card(
            signing_password=Pin("signing", virtual_card.pins["signing_password"])
        )
    cert = _verify_issued_by(
        contents.sign_certificate, simulated_issuer.ca_certificate(kind="signing")
    )
    assert cert.extensions.get_extension_for_class(
        x509.KeyUsage
    ).value.content_commitment


def test_signing_a_digest_info_verifies_with_the_certificate_key(virtual_card):
    message = b"madoguchi test"
    with CardSession(virtual_card.reader) as card:
        signature = card.sign_sha256(
            Pin("authentication", virtual_card.pins["auth_pin"]), message
        )
        cert = x509.load_der_x509_certificate(card.read_certificate("authentication"))
    cert.public_key().verify(signature, message, padding.PKCS1v15(), hashes.SHA256())


def test_the_four_basic_items_read_without_touching_the_individual_number(virtual_card):
    headers: list[bytes] = []
    with CardSession(
        virtual_card.reader, observer=lambda h, sw: headers.append(h)
    ) as card:
        items = card.read_four_basic_items(
            Pin("card_info", virtual_card.pins["card_info_pin"])
        )
    assert items.name == "山田\u3000太郎"
    assert items.birth_date == "19800217"
    assert items.sex == "1"
    assert "清瀬市" in items.address
    assert "****" in repr(items)
    # READ BINARY of EF 0001 (short EF id 0x81) in the card-info AP is never sent.
    assert not any(h[1] == 0xB0 and h[2] == 0x81 for h in headers)


def test_a_card_pulled_out_halfway_through_a_read_gives_a_clean_error(virtual_card):
    virtual_card.remove_after_apdus(3)  # SELECT, token, first certificate chunk
    with (
        pytest.raises(errors.CardRemoved) as caught,
        CardSession(virtual_card.reader) as card,
    ):
        card.read_card()
    assert caught.value.code == "card-removed"
    assert "カード" in str(caught.value.message) or "card" in str(caught.value.message)


def test_no_card_in_the_reader(virtual_card):
    virtual_card.remove()
    with pytest.raises(errors.NoCard) as caught:
        CardSession(virtual_card.reader, card_timeout=0.2)
    assert caught.value.code == "no-card"


def test_a_reader_that_is_not_there(pcscd):
    with pytest.raises(errors.ReaderNotFound) as caught:
        CardSession("No Such Reader 00 00")
    assert caught.value.code == "reader-not-found"


def test_pcscd_not_running_is_told_apart_from_the_other_faults(tmp_path):
    """libpcsclite finds pcscd through PCSCLITE_CSOCK_NAME: point it at nothing."""
    script = (
        "import django, os; django.setup()\n"
        "from jpki_ops.pcsc import errors\n"
        "from jpki_ops.pcsc.client import CardSession\n"
        "try:\n    CardSession('Virtual PCD 00 00')\n"
        "except errors.PcscUnavailable as e:\n    print('CODE', e.code, e.status)\n"
    )
    env = {
        **os.environ,
        "PCSCLITE_CSOCK_NAME": str(tmp_path / "no-pcscd.comm"),
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "PYTHONPATH": str(REPO),
    }
    out = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "CODE pcsc-unavailable 503" in out.stdout, out.stdout + out.stderr
