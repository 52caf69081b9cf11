"""PINs through the desk's PC/SC client (docs/rules/02-certificates-and-pins.md §2,
docs/reference/card-protocol.md §4–§6).

A wrong PIN costs a try and says how many are left; a PIN of the wrong shape is
refused before it reaches the card, so it costs nothing; the 4-digit PINs lock at
3 and the signing password at 5; a change takes the new value; exceptions and
reprs never show a PIN.
"""

from __future__ import annotations

import copy
import pickle

import pytest

from counter.pins import PinFormatError
from jpki_ops.pcsc import errors
from jpki_ops.pcsc.client import CardSession
from jpki_ops.pcsc.pin import Pin

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_a_wrong_pin_costs_one_try_and_says_how_many_are_left(virtual_card):
    with CardSession(virtual_card.reader) as card:
        with pytest.raises(errors.WrongPin) as caught:
            card.pin_verify(Pin("authentication", "0000"))
        assert caught.value.tries_left == 2
        assert caught.value.extra == {"pin_kind": "authentication", "tries_left": 2}
        assert card.pin_status("authentication").tries_left == 2
        # A right PIN brings the counter back to its maximum
        # (docs/reference/card-protocol.md §6).
        card.pin_verify(Pin("authentication", virtual_card.pins["auth_pin"]))
        assert card.pin_status("authentication").tries_left == 3


@pytest.mark.parametrize(
    ("kind", "value", "code"),
    [
        ("authentication", "12345", "pin-too-long"),
        ("authentication", "12a4", "pin-not-digits"),
        ("card_info", "１２３４", "pin-full-width"),
        ("signing", "abc123", "pin-lowercase"),
        ("signing", "ABCDEFG", "pin-needs-digit"),
        ("signing", "AB12", "pin-too-short"),
    ],
)
def test_a_pin_of_the_wrong_shape_never_reaches_the_card(
    virtual_card, kind, value, code
):
    sent: list[bytes] = []
    with CardSession(
        virtual_card.reader, observer=lambda h, sw: sent.append(h)
    ) as card:
        before = card.pin_status(kind).tries_left
        sent.clear()
        with pytest.raises(PinFormatError) as caught:
            card.pin_verify(Pin(kind, value))
        assert caught.value.code == code
        assert sent == []  # not one APDU
        assert card.pin_status(kind).tries_left == before
    assert value not in str(caught.value.message)


@pytest.mark.parametrize(
    ("kind", "pin_key", "wrong", "limit"),
    [
        ("signing", "signing_password", "WRONG1", 5),
        ("authentication", "auth_pin", "0000", 3),
        ("card_info", "card_info_pin", "0000", 3),
        ("resident_register", "resident_register_pin", "0000", 3),
    ],
)
def test_each_pin_locks_at_its_limit_and_stays_locked(
    virtual_card, kind, pin_key, wrong, limit
):
    with CardSession(virtual_card.reader) as card:
        for left in range(limit - 1, 0, -1):
            with pytest.raises(errors.WrongPin) as caught:
                card.pin_verify(Pin(kind, wrong))
            assert caught.value.tries_left == left
        assert card.pin_status(kind).last_try
        with pytest.raises(errors.PinBlocked):
            card.pin_verify(Pin(kind, wrong))
        with pytest.raises(errors.PinBlocked) as caught_right:
            card.pin_verify(Pin(kind, virtual_card.pins[pin_key]))
        assert caught_right.value.code == "pin-blocked"
        assert card.pin_status(kind).blocked
    virtual_card.restart()  # a new card process, state from the card file
    with CardSession(virtual_card.reader) as card:
        assert card.pin_status(kind).blocked


def test_change_pin_takes_the_new_value(virtual_card):
    with CardSession(virtual_card.reader) as card:
        card.pin_change(
            Pin("signing", virtual_card.pins["signing_password"]),
            Pin("signing", "NEWPASS9"),
        )
    with CardSession(virtual_card.reader) as card:
        with pytest.raises(errors.WrongPin):
            card.pin_verify(Pin("signing", virtual_card.pins["signing_password"]))
        card.pin_verify(Pin("signing", "NEWPASS9"))


def test_a_pin_is_masked_wiped_and_cannot_be_serialised():
    pin = Pin("authentication", "8642")
    assert "8642" not in repr(pin) and "8642" not in str(pin) and "8642" not in f"{pin}"
    with pytest.raises(TypeError):
        pickle.dumps(pin)
    with pytest.raises(TypeError):
        copy.deepcopy(pin)
    assert pin.apdu_bytes() == b"8642"
    pin.wipe()
    assert pin.wiped and pin.apdu_bytes() == b"\x00" * 4
