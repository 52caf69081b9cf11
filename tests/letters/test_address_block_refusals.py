"""Bad addresses are refused with specific codes before anything is rendered.

docs/rules/06-agents.md §6.2 (the letter goes to the registered address,
non-forwardable);
docs/reference/letters-design.md §3.1 (coverage guard), §8 (the block must fit the
window).
"""

from __future__ import annotations

import pytest
from django.utils import translation

from counter.errors import ApplicationError
from counter.letters.address import PostalAddress, postal_code_normalise
from counter.letters.fonts import first_unprintable, printable_or_raise

GOOD = {"postal_code": "243-0018", "town_area": "神奈川県厚木市中町",
        "block": "3丁目17-17", "name": "見本 花子"}  # fmt: skip


def build(**changes):
    return PostalAddress.build(**(GOOD | changes))


@pytest.mark.parametrize(
    "value", ["243-0018", "2430018", "〒２４３－００１８", "243ー0018"]
)
def test_postal_code_forms_are_accepted(value):
    assert postal_code_normalise(value) == "2430018"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "postal-code-missing"),
        ("   ", "postal-code-missing"),
        ("243-001", "postal-code-malformed"),
        ("24300188", "postal-code-malformed"),
        ("243-00I8", "postal-code-malformed"),
    ],
)
def test_bad_postal_codes_are_refused(value, code):
    with pytest.raises(ApplicationError) as exc:
        build(postal_code=value)
    assert exc.value.code == code


def test_an_address_too_long_for_the_window_is_refused():
    with pytest.raises(ApplicationError) as exc:
        build(block="3丁目17-17 " + "とても長い建物の名前" * 8 + "101号室")
    assert exc.value.code == "address-too-long"
    assert exc.value.extra["max_lines"] == 3


def test_missing_address_and_name_are_refused():
    with pytest.raises(ApplicationError) as exc:
        build(town_area="", block="")
    assert exc.value.code == "address-missing"
    with pytest.raises(ApplicationError) as exc:
        build(name=" ")
    assert exc.value.code == "addressee-name-missing"


def test_a_long_name_is_set_smaller_and_a_too_long_name_is_refused():
    assert build(name="見本 " + "花" * 12).name_size < 15
    with pytest.raises(ApplicationError) as exc:
        build(name="見本 " + "花" * 40)
    assert exc.value.code == "addressee-name-too-long"


def test_a_name_the_font_lacks_names_the_character_and_suggests_the_substitute():
    """𠮷 (U+20BB7) is in neither BIZ UD nor IPAex
    (docs/reference/letters-design.md §1.5)."""
    with pytest.raises(ApplicationError) as exc:
        build(name="\U00020bb7野 太郎")
    assert exc.value.code == "letter-character-not-in-font"
    assert exc.value.extra == {"field": "name", "character": "\U00020bb7",
                               "code_point": "U+20BB7"}  # fmt: skip
    with translation.override("ja"):
        message = str(exc.value.message)
    assert "\U00020bb7" in message and "代替文字" in message


def test_a_variation_selector_is_refused():
    with pytest.raises(ApplicationError) as exc:
        build(name="葛\U000e0100西 花子")
    assert exc.value.code == "letter-variation-selector"
    assert exc.value.extra["code_point"] == "U+E0100"


def test_a_private_use_character_is_refused():
    assert first_unprintable("見本\ue000") == "\ue000"
    with pytest.raises(ApplicationError) as exc:
        printable_or_raise("見本\ue000", field="address")
    assert exc.value.code == "letter-character-not-in-font"


def test_name_kanji_are_kept_exactly_as_stored():
    """No normalisation of names: 﨑 U+FA11 and 髙 stay as stored
    (docs/reference/letters-design.md §7)."""
    address = build(name="髙\ufa11 花子")
    assert address.name == "髙\ufa11 花子"
