"""PIN formats (docs/rules/02-certificates-and-pins.md §2): each way a proposed PIN is
wrong has its own message."""

import pytest
from django.utils import translation

from counter.constants import PinKind
from counter.pins import (
    DEFAULT_POLICIES,
    PinFormatError,
    PinRules,
    validate_pin_proposal,
)

SIGNING = PinKind.SIGNING
FOUR_DIGIT = [PinKind.AUTHENTICATION, PinKind.RESIDENT_REGISTER, PinKind.CARD_INFO]


@pytest.mark.parametrize("value", ["ABC123", "A1B2C3D4E5F6G7H8", "1A2345", "Z9Z9Z9Z"])
def test_signing_password_of_6_to_16_letters_and_digits_is_accepted(value):
    validate_pin_proposal(SIGNING, value)


@pytest.mark.parametrize(
    ("value", "code", "message_ja"),
    [
        ("", "pin-empty", "暗証番号を入力してください。"),
        ("AB12", "pin-too-short", "短すぎます"),
        ("A1B2C3D4E5F6G7H8J", "pin-too-long", "長すぎます"),
        ("abc123", "pin-lowercase", "小文字"),
        ("ABC-123", "pin-invalid-character", "英大文字A～Zと数字0～9のみ"),
        ("ABCDEF", "pin-needs-digit", "数字(0～9)を1文字以上"),
        ("123456", "pin-needs-letter", "英字(A～Z)を1文字以上"),
        ("ＡＢＣ１２３", "pin-full-width", "半角"),
    ],
)
def test_signing_password_refusals_say_what_is_wrong(value, code, message_ja):
    with translation.override("ja"), pytest.raises(PinFormatError) as caught:
        validate_pin_proposal(SIGNING, value)
    assert caught.value.code == code
    assert message_ja in str(caught.value.message)
    if value:
        assert value not in str(caught.value)  # the PIN never appears in the error


@pytest.mark.parametrize("kind", FOUR_DIGIT)
def test_four_digit_pins_accept_exactly_four_digits(kind):
    validate_pin_proposal(kind, "0000")
    validate_pin_proposal(kind, "9876")


@pytest.mark.parametrize("kind", FOUR_DIGIT)
@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("123", "pin-too-short"),
        ("12345", "pin-too-long"),
        ("12a4", "pin-not-digits"),
        ("１２３４", "pin-full-width"),
        ("", "pin-empty"),
    ],
)
def test_four_digit_pin_refusals(kind, value, code):
    with pytest.raises(PinFormatError) as caught:
        validate_pin_proposal(kind, value)
    assert caught.value.code == code


def test_lock_thresholds_are_five_for_signing_and_three_for_the_others():
    assert DEFAULT_POLICIES[SIGNING].max_attempts == 5
    assert {DEFAULT_POLICIES[k].max_attempts for k in FOUR_DIGIT} == {3}


def test_policy_rules_never_hold_a_pin():
    assert set(PinRules.__dataclass_fields__) == {
        "kind",
        "min_length",
        "max_length",
        "alphabet",
        "require_letter",
        "require_digit",
        "max_attempts",
    }
