"""PIN tries on the virtual card (docs/rules/02-certificates-and-pins.md §2,
docs/reference/card-protocol.md §4–§6).

The signing password locks after 5 wrong tries, the three 4-digit PINs after 3;
an empty VERIFY reads the counter without spending a try; a right PIN restores
the counter; a blocked PIN answers 69 84 even to the right value.
"""

from __future__ import annotations

import pytest

from jpki_ops.cardsim import constants as c

from .raw import change_pin, select_ap, tries_left, verify

pytestmark = pytest.mark.integration

# (AP, PIN EF, pin key in the fixture, wrong value of the right shape, max tries)
PINS = [
    pytest.param("jpki", c.EF_SIGN_PIN, "signing_password", "WRONG1", 5, id="signing"),
    pytest.param("jpki", c.EF_AUTH_PIN, "auth_pin", "0000", 3, id="authentication"),
    pytest.param(
        "card_info", c.EF_CARD_INFO_PIN, "card_info_pin", "0000", 3, id="card-info"
    ),
    pytest.param(
        "common",
        c.EF_RESIDENT_REGISTER_PIN,
        "resident_register_pin",
        "0000",
        3,
        id="resident-register",
    ),
]


@pytest.mark.parametrize(("ap", "ef", "pin_key", "wrong", "max_tries"), PINS)
def test_wrong_pin_decrements_and_locks_at_the_limit(
    virtual_card, ap, ef, pin_key, wrong, max_tries
):
    conn = virtual_card.connect()
    assert select_ap(conn, ap) == "9000"
    assert tries_left(verify(conn, ef, None)) == max_tries
    for left in range(max_tries - 1, -1, -1):
        assert tries_left(verify(conn, ef, wrong)) == left
        # The counter query shows the same number and spends nothing.
        assert tries_left(verify(conn, ef, None)) == left
        assert tries_left(verify(conn, ef, None)) == left
    assert verify(conn, ef, wrong) == "6984"
    assert verify(conn, ef, virtual_card.pins[pin_key]) == "6984"
    assert verify(conn, ef, None) == "63C0"
    assert virtual_card.state.pins[_name(ap, ef)].tries_left == 0


def _name(ap: str, ef: int) -> str:
    return {
        ("jpki", c.EF_SIGN_PIN): c.PIN_SIGN,
        ("jpki", c.EF_AUTH_PIN): c.PIN_AUTH,
        ("card_info", c.EF_CARD_INFO_PIN): c.PIN_CARD_INFO,
        ("common", c.EF_RESIDENT_REGISTER_PIN): c.PIN_RESIDENT_REGISTER,
    }[(ap, ef)]


def test_right_pin_restores_the_counter(virtual_card):
    conn = virtual_card.connect()
    select_ap(conn, "jpki")
    assert tries_left(verify(conn, c.EF_AUTH_PIN, "0000")) == 2
    assert verify(conn, c.EF_AUTH_PIN, virtual_card.pins["auth_pin"]) == "9000"
    assert tries_left(verify(conn, c.EF_AUTH_PIN, None)) == 3


def test_counter_query_in_short_ef_form_spends_nothing(virtual_card):
    conn = virtual_card.connect()
    select_ap(conn, "jpki")
    from .raw import tx

    for _ in range(10):
        assert tx(conn, "0020009B")[1] == "63C5"
        assert tx(conn, "00200098")[1] == "63C3"


def test_a_pin_of_the_wrong_shape_costs_a_try_on_the_card(virtual_card):
    """The card only compares; refusing bad shapes is the desk's job
    (docs/reference/card-protocol.md §14.2.11)."""
    conn = virtual_card.connect()
    select_ap(conn, "jpki")
    assert tries_left(verify(conn, c.EF_AUTH_PIN, "12")) == 2


@pytest.mark.parametrize(
    ("ap", "ef", "pin_key", "new"),
    [
        ("jpki", c.EF_AUTH_PIN, "auth_pin", "4321"),
        ("jpki", c.EF_SIGN_PIN, "signing_password", "NEWPASS9"),
        ("card_info", c.EF_CARD_INFO_PIN, "card_info_pin", "8765"),
    ],
)
def test_change_pin_after_verify(virtual_card, ap, ef, pin_key, new):
    """CHANGE REFERENCE DATA 00 24 01 80 (docs/reference/card-protocol.md §5.6)."""
    conn = virtual_card.connect()
    select_ap(conn, ap)
    assert verify(conn, ef, virtual_card.pins[pin_key]) == "9000"
    assert change_pin(conn, new) == "9000"
    select_ap(conn, ap)
    assert verify(conn, ef, new) == "9000"
    assert (
        tries_left(verify(conn, ef, virtual_card.pins[pin_key]))
        == (5 if pin_key == "signing_password" else 3) - 1
    )


def test_resident_register_pin_changes_with_change_key(virtual_card):
    """住基 PIN: JICSAP CHANGE KEY 80 32 00 80 after VERIFY
    (docs/reference/card-protocol.md §5.6)."""
    from .raw import tx

    conn = virtual_card.connect()
    select_ap(conn, "common")
    assert verify(conn, c.EF_RESIDENT_REGISTER_PIN, "9012") == "9000"
    assert tx(conn, "8032008004" + b"2468".hex())[1] == "9000"
    select_ap(conn, "common")
    assert verify(conn, c.EF_RESIDENT_REGISTER_PIN, "2468") == "9000"


def test_change_pin_refused_without_verify_or_with_a_bad_shape(virtual_card):
    conn = virtual_card.connect()
    select_ap(conn, "jpki")
    from .raw import select_ef

    select_ef(conn, c.EF_AUTH_PIN)
    assert change_pin(conn, "4321") == "6982"
    assert verify(conn, c.EF_AUTH_PIN, "1234") == "9000"
    assert change_pin(conn, "12345") == "6A80"
    assert change_pin(conn, "12a4") == "6A80"
    select_ap(conn, "jpki")
    assert verify(conn, c.EF_SIGN_PIN, "ABC123") == "9000"
    for bad in ("abc123", "ABCDEF", "123456", "AB12", "A" * 16 + "1"):
        assert change_pin(conn, bad) == "6A80", bad
    # Nothing changed: the old values still open the card.
    select_ap(conn, "jpki")
    assert verify(conn, c.EF_AUTH_PIN, "1234") == "9000"
    assert verify(conn, c.EF_SIGN_PIN, "ABC123") == "9000"


def test_pins_are_only_salted_hashes_in_the_card_file(virtual_card):
    text = virtual_card.card_file.read_text(encoding="utf-8")
    for value in virtual_card.pins.values():
        assert value not in text
        assert value.encode().hex() not in text
