"""Issuer-only commands need a fresh authorisation from the simulated J-LIS.

SIMULATION (docs/reference/card-protocol.md §14.1): PIN reset (RESET RETRY COUNTER), key
generation and certificate writes are refused (69 82) unless EXTERNAL
AUTHENTICATE has just presented a cryptogram over this card's id, a fresh
challenge and exactly that command. docs/rules/11-pin-reset-channels.md §11: PIN reset /
unlock at the counter.
"""

from __future__ import annotations

import pytest

from jpki_ops.cardsim import constants as c
from jpki_ops.cardsim.authorisation import CardCommand

from .raw import (
    authorise,
    external_authenticate,
    get_challenge,
    select_ap,
    tries_left,
    tx,
    verify,
)

pytestmark = pytest.mark.integration

RESET_AUTH_PIN = CardCommand(0x2C, 0x02, 0x98)  # new value, EF 0018 by SFI
UNBLOCK_SIGN_PIN = CardCommand(0x2C, 0x03, 0x9B)  # unblock, keep the password


def _lock_auth_pin(conn) -> None:
    select_ap(conn, "jpki")
    for _ in range(3):
        verify(conn, c.EF_AUTH_PIN, "0000")
    assert verify(conn, c.EF_AUTH_PIN, None) == "63C0"


def test_reset_without_authorisation_is_refused(virtual_card):
    conn = virtual_card.connect()
    _lock_auth_pin(conn)
    assert tx(conn, "002C029804" + b"1111".hex())[1] == "6982"
    assert verify(conn, c.EF_AUTH_PIN, None) == "63C0"


def test_issuer_authorised_reset_sets_a_new_pin_and_unlocks(
    virtual_card, simulated_issuer
):
    conn = virtual_card.connect()
    _lock_auth_pin(conn)
    authorise(conn, simulated_issuer, virtual_card.card_id, RESET_AUTH_PIN)
    assert tx(conn, "002C029804" + b"2580".hex())[1] == "9000"
    assert tries_left(verify(conn, c.EF_AUTH_PIN, None)) == 3
    assert verify(conn, c.EF_AUTH_PIN, "2580") == "9000"
    select_ap(conn, "jpki")
    assert tries_left(verify(conn, c.EF_AUTH_PIN, virtual_card.pins["auth_pin"])) == 2


def test_issuer_authorised_unlock_keeps_the_old_password(
    virtual_card, simulated_issuer
):
    """ロック解除 (unlock, old password kept) vs 初期化 (new value):
    docs/rules/11-pin-reset-channels.md §11."""
    conn = virtual_card.connect()
    select_ap(conn, "jpki")
    for _ in range(5):
        verify(conn, c.EF_SIGN_PIN, "WRONG1")
    assert verify(conn, c.EF_SIGN_PIN, "ABC123") == "6984"
    authorise(conn, simulated_issuer, virtual_card.card_id, UNBLOCK_SIGN_PIN)
    assert tx(conn, "002C039B")[1] == "9000"
    assert verify(conn, c.EF_SIGN_PIN, "ABC123") == "9000"


def test_replayed_authorisation_is_refused(virtual_card, simulated_issuer):
    conn = virtual_card.connect()
    _lock_auth_pin(conn)
    grant = authorise(conn, simulated_issuer, virtual_card.card_id, RESET_AUTH_PIN)
    assert tx(conn, "002C029804" + b"2580".hex())[1] == "9000"
    _lock_auth_pin(conn)
    # Same cryptogram again: the challenge it answered is gone.
    assert external_authenticate(conn, grant) == "6985"
    get_challenge(conn)
    assert external_authenticate(conn, grant) == "6300"
    assert tx(conn, "002C029804" + b"1111".hex())[1] == "6982"
    assert verify(conn, c.EF_AUTH_PIN, None) == "63C0"


def test_authorisation_is_for_one_command_only(virtual_card, simulated_issuer):
    conn = virtual_card.connect()
    _lock_auth_pin(conn)
    authorise(conn, simulated_issuer, virtual_card.card_id, RESET_AUTH_PIN)
    # A different command (the signing PIN) does not match and spends the grant.
    assert tx(conn, "002C029B06" + b"NEW123".hex())[1] == "6982"
    assert tx(conn, "002C029804" + b"2580".hex())[1] == "6982"
    assert verify(conn, c.EF_AUTH_PIN, None) == "63C0"


def test_authorisation_for_another_card_is_refused(make_virtual_card, simulated_issuer):
    card_a = make_virtual_card()
    card_b = make_virtual_card()
    assert card_a.card_id != card_b.card_id
    conn_a = card_a.connect()
    conn_b = card_b.connect()
    _lock_auth_pin(conn_a)
    # J-LIS is asked about card B (with B's challenge); the desk sends it to card A.
    challenge_a = get_challenge(conn_a)
    challenge_b = get_challenge(conn_b)
    for_b = simulated_issuer.authorise_card_command(
        card_id=card_b.card_id, challenge=challenge_b, command=RESET_AUTH_PIN
    )
    assert external_authenticate(conn_a, for_b.external_authenticate_data) == "6300"
    # Even with card A's own challenge, a cryptogram naming card B is worthless.
    get_challenge(conn_a)
    wrong_id = simulated_issuer.authorise_card_command(
        card_id=card_b.card_id, challenge=challenge_a, command=RESET_AUTH_PIN
    )
    assert external_authenticate(conn_a, wrong_id.external_authenticate_data) == "6300"
    assert tx(conn_a, "002C029804" + b"2580".hex())[1] == "6982"
    assert verify(conn_a, c.EF_AUTH_PIN, None) == "63C0"


def test_reset_to_a_pin_of_the_wrong_shape_is_refused(virtual_card, simulated_issuer):
    conn = virtual_card.connect()
    _lock_auth_pin(conn)
    authorise(conn, simulated_issuer, virtual_card.card_id, RESET_AUTH_PIN)
    assert tx(conn, "002C029803" + b"123".hex())[1] == "6A80"
    assert verify(conn, c.EF_AUTH_PIN, None) == "63C0"


def test_authorisation_is_audited_without_a_pin(virtual_card, simulated_issuer):
    from counter.models import AuditEvent

    conn = virtual_card.connect()
    _lock_auth_pin(conn)
    authorise(conn, simulated_issuer, virtual_card.card_id, RESET_AUTH_PIN)
    assert tx(conn, "002C029804" + b"2580".hex())[1] == "9000"
    event = AuditEvent.objects.filter(
        action="issuer_sim_card_command_authorised"
    ).last()
    assert event is not None
    assert event.data["card_id"] == virtual_card.card_id
    assert "2580" not in str(event.data)
