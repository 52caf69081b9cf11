"""Create a card file for one resident: the card factory plus the issuing counter.

``create_card_file`` does in one step what the card maker and J-LIS do before a
card is handed over: it writes the resident's four basic items and individual
number into the card-info AP, sets the four PINs, generates the two JPKI key pairs
and has the (simulated) issuer certify them. Tests and the demo use it to "make" a
resident's card; procedures that change a card later (PIN reset, new certificate)
go through the real APDUs and the issuer's authorisation instead.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from jpki_ops.protocol import constants as c
from jpki_ops.protocol.tlv import tlv

from .pins import pin_format_ok
from .state import CardFile, CardState, PinRecord


@dataclass(frozen=True)
class CardHolder:
    """What the card-info AP holds about its holder
    (docs/reference/card-protocol.md §9.1)."""

    name: str  # family name, U+3000, given name
    address: str
    birth_date: dt.date
    gender: str  # "1" male, "2" female, "9" not applicable (JIS X 0303)
    individual_number: str | None = None  # 12 digits; a valid fake one if None


class CardPersonaliser(Protocol):
    """The part of the simulated issuer that personalises a new card."""

    def personalise_card(self, *, card_id: str) -> bytes: ...

    def ca_certificate(self, *, kind: str) -> bytes: ...

    def issue_certificate(
        self,
        *,
        kind: str,
        public_key_der: bytes,
        card_id: str,
        not_after: dt.datetime,
        holder: object | None = None,
    ) -> object: ...


def new_card_id() -> str:
    """16 upper-case hex characters; the simulated card serial."""
    return secrets.token_hex(8).upper()


def individual_number_check_digit(first11: str) -> str:
    """Check digit of the 個人番号 (総務省令 第5条)."""
    total = 0
    for n in range(1, 12):
        p = int(first11[11 - n])
        q = n + 1 if n <= 6 else n - 5
        total += p * q
    remainder = total % 11
    return "0" if remainder <= 1 else str(11 - remainder)


def fake_individual_number() -> str:
    first11 = "".join(secrets.choice("0123456789") for _ in range(11))
    return first11 + individual_number_check_digit(first11)


def _tlv2(tag: int, value: bytes) -> bytes:
    """Two-byte private tag (DF 21, FF 20, …)."""
    return tlv(tag.to_bytes(2, "big"), value)


def four_items_file(holder: CardHolder) -> bytes:
    """EF 0002: FF 20 { DF 21 offsets, DF 22 name, DF 23 address, DF 24, DF 25 }."""
    parts = [
        _tlv2(0xDF22, holder.name.encode("utf-8")),
        _tlv2(0xDF23, holder.address.encode("utf-8")),
        _tlv2(0xDF24, holder.birth_date.strftime("%Y%m%d").encode("ascii")),
        _tlv2(0xDF25, holder.gender.encode("ascii")),
    ]
    body_len = 11 + sum(len(p) for p in parts)  # DF21 08 <8 bytes> = 11
    outer_header = len(_tlv2(0xFF20, bytes(body_len))) - body_len
    offsets = []
    pos = outer_header + 11
    for part in parts:
        offsets.append(pos)
        pos += len(part)
    table = b"".join(o.to_bytes(2, "big") for o in offsets)
    body = _tlv2(0xDF21, table) + b"".join(parts)
    return _tlv2(0xFF20, body)


def individual_number_file(number: str) -> bytes:
    """EF 0001: FF 10 0C + 12 ASCII digits + FF FF filler (17 bytes)."""
    return b"\xff\x10\x0c" + number.encode("ascii") + b"\xff\xff"


def _new_key() -> tuple[str, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    spki = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return pem, spki


def create_card_file(
    path: str | Path,
    *,
    holder: CardHolder,
    issuer: CardPersonaliser,
    auth_pin: str,
    card_info_pin: str,
    resident_register_pin: str,
    signing_password: str | None,
    certificates_not_after: dt.datetime | None,
    card_id: str | None = None,
    label: str = "",
    certificate_holder: object | None = None,
) -> CardState:
    """Write a new card file and return its state.

    ``signing_password=None`` makes a card without a signing key or certificate
    (children under 15, docs/rules/07-minors-and-wards.md §7).
    ``certificates_not_after=None`` leaves both
    certificate EFs empty (a card handed over before issuance); otherwise the
    caller computes the expiry with ``counter.validity`` (docs/rules/03-validity.md §3).
    ``certificate_holder`` (e.g. ``jpki_ops.issuer.gateway.HolderAttributes`` with
    substitute-character flags and municipality code) defaults to ``holder``.
    """
    cert_holder_all = certificate_holder if certificate_holder is not None else holder
    pins = {
        c.PIN_AUTH: auth_pin,
        c.PIN_CARD_INFO: card_info_pin,
        c.PIN_RESIDENT_REGISTER: resident_register_pin,
    }
    if signing_password is not None:
        pins[c.PIN_SIGN] = signing_password
    for name, value in pins.items():
        if not pin_format_ok(name, value.encode("ascii")):
            raise ValueError(f"PIN {name} has the wrong shape")
    card_id = card_id or new_card_id()
    number = holder.individual_number or fake_individual_number()
    if len(number) != 12 or not number.isdigit():
        raise ValueError("individual number must be 12 digits")
    pin_records = {
        name: PinRecord.create(value, c.PIN_MAX_TRIES[name])
        for name, value in pins.items()
    }
    if c.PIN_SIGN not in pin_records:
        # The key reference exists on every card; with no signing certificate the
        # holder was never given a password, so it starts with a random one.
        pin_records[c.PIN_SIGN] = PinRecord.create(
            "X" + secrets.token_hex(6).upper()[:9] + "1", c.PIN_MAX_TRIES[c.PIN_SIGN]
        )
    files: dict[str, bytes] = {
        f"card_info:{c.EF_INDIVIDUAL_NUMBER:04X}": individual_number_file(number),
        f"card_info:{c.EF_FOUR_ITEMS:04X}": four_items_file(holder),
        f"jpki:{c.EF_AUTH_CA_CERT:04X}": issuer.ca_certificate(kind="authentication"),
        f"jpki:{c.EF_SIGN_CA_CERT:04X}": issuer.ca_certificate(kind="signing"),
    }
    keys: dict[str, str | None] = {c.KEY_AUTH: None, c.KEY_SIGN: None}
    plan = [("authentication", c.KEY_AUTH, c.EF_AUTH_CERT)]
    if signing_password is not None:
        plan.append(("signing", c.KEY_SIGN, c.EF_SIGN_CERT))
    for kind, key_name, ef in plan:
        pem, spki = _new_key()
        keys[key_name] = pem
        if certificates_not_after is not None:
            issued = issuer.issue_certificate(
                kind=kind,
                public_key_der=spki,
                card_id=card_id,
                not_after=certificates_not_after,
                holder=cert_holder_all,
            )
            files[f"jpki:{ef:04X}"] = issued.der  # type: ignore[attr-defined]
    state = CardState(
        card_id=card_id,
        issuer_card_key=issuer.personalise_card(card_id=card_id),
        pins=pin_records,
        keys=keys,
        files=files,
        label=label,
    )
    CardFile(path).save(state)
    return state
