"""A card pulled out halfway through a read or a write (issue 4, bad input and faults).

The client sees a clean PC/SC error (no hang, no half answer), the card keeps a
consistent state, and once it is back in the reader the same read succeeds.
"""

from __future__ import annotations

import hashlib

import pytest
from smartcard.Exceptions import CardConnectionException

from jpki_ops.cardsim import constants as c
from jpki_ops.cardsim.authorisation import CardCommand

from .raw import (
    authorise,
    ok,
    read_der_ef,
    select_ap,
    select_ef,
    tries_left,
    tx,
    verify,
)

pytestmark = pytest.mark.integration


def test_card_removed_mid_read_gives_a_clean_error(virtual_card):
    conn = virtual_card.connect()
    select_ap(conn, "jpki")
    expected = read_der_ef(conn, c.EF_AUTH_CERT)
    select_ef(conn, c.EF_AUTH_CERT)
    head = ok(conn, "00B0000004")
    virtual_card.remove_after_apdus(2)  # two chunks come back, then the card is gone
    ok(conn, "00B0000400")
    ok(conn, "00B0010400")
    with pytest.raises(CardConnectionException) as pulled:
        tx(conn, "00B0020400")
    # What a pulled card gives on a real reader: not transacted, card removed, or -
    # when it vanishes with the APDU in flight - no valid response at all.
    text = str(pulled.value)
    assert (
        "0x80100016" in text or "0x80100069" in text or "no valid response" in text
    ), text
    assert virtual_card.link.wait_removed()

    virtual_card.insert()
    conn = virtual_card.connect()
    select_ap(conn, "jpki")
    assert read_der_ef(conn, c.EF_AUTH_CERT) == expected
    assert head == expected[:4]


def test_card_vanishing_with_an_apdu_in_flight_gives_no_half_answer(virtual_card):
    conn = virtual_card.connect()
    select_ap(conn, "jpki")
    select_ef(conn, c.EF_AUTH_CERT)
    virtual_card.remove_when(lambda apdu: apdu[:2] == b"\x00\xb0" and apdu[2] >= 2)
    ok(conn, "00B0000000")
    ok(conn, "00B0010000")
    with pytest.raises(CardConnectionException) as pulled:
        tx(conn, "00B0020000")
    assert "no valid response" in str(pulled.value)
    assert virtual_card.link.wait_removed()
    virtual_card.insert()
    assert select_ap(virtual_card.connect(), "jpki") == "9000"


def test_pulled_card_refuses_new_connections_until_reinserted(virtual_card):
    from smartcard.Exceptions import NoCardException

    from tests.fixtures.card import connect_reader, read_card_id

    virtual_card.remove()
    try:
        conn = connect_reader(virtual_card.reader, timeout=0.5)
    except (NoCardException, CardConnectionException, TimeoutError):
        pass
    else:  # a concurrent test session may have inserted its own card meanwhile
        assert read_card_id(conn) != virtual_card.card_id
    virtual_card.insert()
    assert select_ap(virtual_card.connect(), "jpki") == "9000"


def test_card_removed_mid_certificate_write_keeps_the_old_certificate(
    virtual_card, simulated_issuer
):
    conn = virtual_card.connect()
    select_ap(conn, "jpki")
    original = read_der_ef(conn, c.EF_AUTH_CERT)
    replacement = read_der_ef(conn, c.EF_AUTH_CA_CERT)
    authorise(
        conn,
        simulated_issuer,
        virtual_card.card_id,
        CardCommand(0xD6, 0x8A, 0x00, hashlib.sha256(replacement).digest()),
    )
    virtual_card.remove_after_apdus(2)
    pieces = [replacement[i : i + 255] for i in range(0, len(replacement), 255)]
    assert len(pieces) > 3
    ok(conn, bytes([0x10, 0xD6, 0x8A, 0x00, 255]) + pieces[0])
    ok(conn, bytes([0x10, 0xD6, 0x8A, 0x00, 255]) + pieces[1])
    with pytest.raises(CardConnectionException):
        tx(conn, bytes([0x10, 0xD6, 0x8A, 0x00, 255]) + pieces[2])
    virtual_card.link.wait_removed()

    virtual_card.insert()
    conn = virtual_card.connect()
    select_ap(conn, "jpki")
    assert read_der_ef(conn, c.EF_AUTH_CERT) == original
    # The authorisation died with the power: the rest of the chain is refused.
    assert (
        tx(conn, bytes([0x00, 0xD6, 0x8A, 0x00, len(pieces[-1])]) + pieces[-1])[1]
        == "6982"
    )


def test_wrong_pin_try_is_counted_even_if_the_card_is_pulled_right_after(virtual_card):
    conn = virtual_card.connect()
    select_ap(conn, "jpki")
    assert tries_left(verify(conn, c.EF_AUTH_PIN, "0000")) == 2
    virtual_card.remove()
    virtual_card.insert()
    conn = virtual_card.connect()
    select_ap(conn, "jpki")
    assert tries_left(verify(conn, c.EF_AUTH_PIN, None)) == 2
