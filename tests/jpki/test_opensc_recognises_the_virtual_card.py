"""A third-party client accepts the virtual card as a JPKI card (issue 4, item 2).

OpenSC's JPKI driver matches the ATR, binds its PKCS#15 emulation (which queries
both PIN counters with empty VERIFYs) and lists the certificates through the
PKCS#11 module; with the user-authentication PIN it signs, and the signature
verifies with the certificate read off the card.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from jpki_ops.cardsim import constants as c

from .raw import read_der_ef, select_ap, tx

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        shutil.which("opensc-tool") is None or shutil.which("pkcs11-tool") is None,
        reason="OpenSC is not installed (apt-get install opensc)",
    ),
]

PKCS11_CANDIDATES = [
    "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so",
    "/usr/lib/aarch64-linux-gnu/opensc-pkcs11.so",
    "/usr/lib/opensc-pkcs11.so",
]


def _module() -> str:
    for path in PKCS11_CANDIDATES:
        if Path(path).exists():
            return path
    pytest.skip("OpenSC PKCS#11 module not found")


def _run(*args: str) -> str:
    done = subprocess.run(args, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_opensc_tool_names_it_a_jpki_card(virtual_card):
    assert _run("opensc-tool", "-r", virtual_card.reader, "--name").strip() == "jpki"
    atr = _run("opensc-tool", "-r", virtual_card.reader, "--atr").strip()
    assert atr.replace(":", "").upper() == "3BE000FF8131FE4514"


def test_pkcs11_module_lists_the_certificates(virtual_card):
    conn = virtual_card.connect()
    select_ap(conn, "jpki")
    auth_cert = x509.load_der_x509_certificate(read_der_ef(conn, c.EF_AUTH_CERT))
    listing = _run(
        "pkcs11-tool",
        "--module",
        _module(),
        "--slot-description",
        virtual_card.reader,
        "--list-objects",
    )
    assert "User Authentication Certificate" in listing
    assert "User Authentication Certificate CA" in listing
    assert "Digital Signature Certificate CA" in listing
    assert f"{auth_cert.serial_number:X}" in listing.replace(" ", "").upper()
    assert "JPKI-TEST" in listing  # the simulated issuer shows in the CA subject


def test_pkcs11_signs_with_the_authentication_key(virtual_card, tmp_path):
    conn = virtual_card.connect()
    select_ap(conn, "jpki")
    auth_cert = x509.load_der_x509_certificate(read_der_ef(conn, c.EF_AUTH_CERT))
    message = tmp_path / "message"
    message.write_bytes("窓口での本人確認".encode())
    signature = tmp_path / "signature"
    _run(
        "pkcs11-tool",
        "--module",
        _module(),
        "--slot-description",
        virtual_card.reader,
        "--login",
        "--pin",
        virtual_card.pins["auth_pin"],
        "--sign",
        "--id",
        "01",
        "-m",
        "SHA256-RSA-PKCS",
        "--input-file",
        str(message),
        "--output-file",
        str(signature),
    )
    auth_cert.public_key().verify(
        signature.read_bytes(),
        message.read_bytes(),
        padding.PKCS1v15(),
        hashes.SHA256(),
    )


def test_pkcs15_tool_sees_tries_left_and_reads_the_signing_certificate(virtual_card):
    """OpenSC-#3: certificate 02 (signing) needs the signing password first."""
    shutil.which("pkcs15-tool") or pytest.skip("pkcs15-tool not installed")
    conn = virtual_card.connect()
    select_ap(conn, "jpki")
    for _ in range(2):
        tx(conn, "0020009804" + b"0000".hex())  # two wrong auth PINs: 1 try left
    pins = _run("pkcs15-tool", "--reader", virtual_card.reader, "--list-pins")
    blocks = pins.split("PIN [")
    auth = next(b for b in blocks if b.startswith("User Authentication PIN"))
    sign = next(b for b in blocks if b.startswith("Digital Signature PIN"))
    assert "Tries left     : 1" in auth
    assert "Tries left     : 5" in sign
    pem = _run(
        "pkcs15-tool",
        "--reader",
        virtual_card.reader,
        "--read-certificate",
        "02",
        "--verify-pin",
        "--auth-id",
        "02",
        "--pin",
        virtual_card.pins["signing_password"],
    )
    cert = x509.load_pem_x509_certificate(pem.encode())
    assert cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
