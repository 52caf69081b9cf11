"""What the browser tests set up besides the screens: the resident's register
snapshot matching the virtual card in the reader, a locked PIN, PIN leak checks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection

from jpki_ops.cardsim import CardHolder
from jpki_ops.cardsim import constants as c


def holder_of(resident: Any) -> CardHolder:
    """The four basic items as the card carries them (§8.1)."""
    return CardHolder(
        name=resident.name.replace(" ", "\u3000"),
        address=resident.address,
        birth_date=resident.birth_date,
        gender="1" if resident.gender == "male" else "2",
    )


def auth_key_fingerprint(card: Any) -> str:
    """What the desk agent reports as ``card_fingerprint`` for this virtual card:
    the SHA-256 of its user-authentication public key (the case checks that the
    card in the reader is the holder's)."""
    from jpki_ops.pcsc.client import public_key_fingerprint

    return public_key_fingerprint(card.state.files[f"jpki:{c.EF_AUTH_CERT:04X}"])


def register_card(
    resident: Any,
    virtual_card: Any,
    *,
    signing_expires_on: dt.date | None = None,
    signing_pin_locked: bool = False,
) -> Any:
    """The card management system's rows for the card now in the reader."""
    from tests import factories as f

    card = f.CardFactory(
        resident=resident,
        auth_key_fingerprint=auth_key_fingerprint(virtual_card),
    )
    f.CertificateFactory(card=card, authentication=True)
    signing = f.CertificateFactory(card=card, pin_locked=signing_pin_locked)
    if signing_expires_on is not None:
        signing.expires_on = signing_expires_on
        signing.save(update_fields=["expires_on"])
    return card


def lock_signing_password(virtual_card: Any, wrong: str = "WRONG9") -> int:
    """Five wrong VERIFYs of the signing password, as a forgetful holder did (§2).

    Returns the tries left the card reports afterwards (0: blocked).
    """
    from tests.jpki import raw

    conn = virtual_card.connect()
    try:
        raw.select_ap(conn, "jpki")
        for _ in range(c.PIN_MAX_TRIES[c.PIN_SIGN]):
            raw.verify(conn, c.EF_SIGN_PIN, wrong)
    finally:
        conn.disconnect()
    return int(virtual_card.state.pins[c.PIN_SIGN].tries_left)


def pin_found_in_database(pin: str) -> list[str]:
    """Every table/column where ``pin`` appears as text (it must be none)."""
    hits: list[str] = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND data_type IN "
            "('text', 'character varying', 'jsonb', 'json')"
        )
        columns = cursor.fetchall()
        for table, column in columns:
            cursor.execute(
                f'SELECT 1 FROM "{table}" WHERE "{column}"::text LIKE %s LIMIT 1',
                [f"%{pin}%"],
            )
            if cursor.fetchone():
                hits.append(f"{table}.{column}")
    return hits
