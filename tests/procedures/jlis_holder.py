"""Certificates the simulated J-LIS really issued to a card, with the counter's
rows for them: the base for what the holder then does at J-LIS alone (§11, §12)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from counter.models import Certificate
from jpki_ops.issuer.gateway import HolderAttributes, IssuedCertificate, get_issuer
from tests import factories as f

HOLDER = HolderAttributes(
    name="見本 太郎",
    address="神奈川県厚木市中町3-17-17",
    birth_date=dt.date(1980, 1, 1),
    gender="1",
)


def issuer_card_id(card: Any) -> str:
    """The chip id the simulated desk agent reports for ``card`` (conftest)."""
    return f"card-{card.pk}"


def issue_on_card(
    card: Any, kind: str = "signing"
) -> tuple[IssuedCertificate, Certificate]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    issued = get_issuer().issue_certificate(
        kind=kind,
        public_key_der=key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
        card_id=issuer_card_id(card),
        not_after=dt.datetime.now(dt.UTC) + dt.timedelta(days=900),
        holder=HOLDER if kind == "signing" else None,
    )
    serial = f"{issued.serial:x}" if kind == "signing" else ""
    row = f.CertificateFactory(card=card, kind=kind, serial_number=serial)
    return issued, row


def both_on_card(card: Any) -> tuple[Certificate, Certificate]:
    """A signing and a user-authentication certificate, J-LIS's and ours."""
    _, signing = issue_on_card(card, "signing")
    _, auth = issue_on_card(card, "authentication")
    return signing, auth
