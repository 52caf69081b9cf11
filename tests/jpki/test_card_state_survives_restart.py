"""The card file is the card's memory: a locked PIN stays locked after the card
process stops and a new one starts from the same file (issue 4, item 2)."""

from __future__ import annotations

import json

import pytest

from jpki_ops.cardsim import constants as c
from tests.fixtures.card import connect_reader, make_card_file

from .raw import ok, read_der_ef, select_ap, tries_left, tx, verify

pytestmark = pytest.mark.integration


def test_locked_pin_stays_locked_across_restart(
    card_process, simulated_issuer, tmp_path
):
    card_file, pins = make_card_file(tmp_path / "card.json", simulated_issuer)
    first = card_process(card_file)
    conn = connect_reader(first.reader)
    select_ap(conn, "jpki")
    for _ in range(3):
        verify(conn, c.EF_AUTH_PIN, "0000")
    assert tries_left(verify(conn, c.EF_SIGN_PIN, "WRONG1")) == 4
    assert first.stop() == 0  # SIGTERM: the card leaves the reader cleanly

    second = card_process(card_file, reader=first.reader)
    conn = connect_reader(second.reader)
    select_ap(conn, "jpki")
    assert verify(conn, c.EF_AUTH_PIN, None) == "63C0"
    assert verify(conn, c.EF_AUTH_PIN, pins["auth_pin"]) == "6984"
    assert tries_left(verify(conn, c.EF_SIGN_PIN, None)) == 4
    assert verify(conn, c.EF_SIGN_PIN, pins["signing_password"]) == "9000"
    assert tries_left(verify(conn, c.EF_SIGN_PIN, None)) == 5
    second.stop()

    saved = json.loads(card_file.read_text(encoding="utf-8"))
    assert saved["pins"][c.PIN_AUTH]["tries_left"] == 0
    assert "SIMULATION" in saved["simulation"]


def test_remove_after_apdus_option_pulls_the_card_mid_read(
    card_process, simulated_issuer, tmp_path
):
    from smartcard.Exceptions import CardConnectionException

    card_file, _pins = make_card_file(tmp_path / "card.json", simulated_issuer)
    process = card_process(card_file, "--remove-after-apdus", "4")
    conn = connect_reader(process.reader)
    select_ap(conn, "jpki")
    assert tx(conn, "00A4020C02000A")[1] == "9000"
    ok(conn, "00B0000004")
    ok(conn, "00B0000400")
    with pytest.raises(CardConnectionException):
        tx(conn, "00B0010400")
    assert process.proc.wait(5) == 0  # the card process ends when it is pulled

    again = card_process(card_file, reader=process.reader)
    conn = connect_reader(again.reader)
    select_ap(conn, "jpki")
    assert read_der_ef(conn, c.EF_AUTH_CERT)[:2] == b"\x30\x82"
