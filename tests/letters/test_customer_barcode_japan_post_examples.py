"""カスタマバーコード against Japan Post's published examples
(docs/reference/letters-design.md §5).

The table is the manual's test data (郵便番号・バーコードマニュアル p25,
https://www.post.japanpost.jp/zipcode/zipmanual/p25.html): postal code, address and
the expected characters between the start and stop codes.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from counter.letters.barcode import (
    BARS,
    VALUES,
    CustomerBarcode,
    address_number,
    bar_rectangles,
    customer_barcode,
    split_address,
)

P25 = [
    ("2630023", "千葉市稲毛区緑町3丁目30-8　郵便ビル403号",
     "2 6 3 0 0 2 3 3 - 3 0 - 8 - 4 0 3 CC4 CC4 CC4 5"),
    ("0140113", "秋田県大仙市堀見内　南田茂木　添60-1",
     "0 1 4 0 1 1 3 6 0 - 1 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC8"),
    ("1100016", "東京都台東区台東5-6-3　ABCビル10F",
     "1 1 0 0 0 1 6 5 - 6 - 3 - 1 0 CC4 CC4 CC4 CC4 CC4 9"),
    ("0600906", "北海道札幌市東区北六条東4丁目　郵便センター6号館",
     "0 6 0 0 9 0 6 4 - 6 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 9"),
    ("0650006", "北海道札幌市東区北六条東8丁目　郵便センター10号館",
     "0 6 5 0 0 0 6 8 - 1 0 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 9"),
    ("4070033", "山梨県韮崎市龍岡町下條南割　韮崎400",
     "4 0 7 0 0 3 3 4 0 0 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 -"),
    ("2730102", "千葉県鎌ケ谷市右京塚　東3丁目-20-5　郵便・A&bコーポB604号",
     "2 7 3 0 1 0 2 3 - 2 0 - 5 CC1 1 6 0 4 CC4 CC4 0"),
    ("1980036", "東京都青梅市河辺町十一丁目六番地一号　郵便タワー601",
     "1 9 8 0 0 3 6 1 1 - 6 - 1 - 6 0 1 CC4 CC4 CC4 CC8"),
    ("0270203", "岩手県宮古市大字津軽石第二十一地割大淵川480",
     "0 2 7 0 2 0 3 2 1 - 4 8 0 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC5"),
    ("5900016", "大阪府堺市堺区中田出井町四丁六番十九号",
     "5 9 0 0 0 1 6 4 - 6 - 1 9 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC2"),
    ("0800831", "北海道帯広市稲田町南七線　西28",
     "0 8 0 0 8 3 1 7 - 2 8 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC7"),
    ("3170055", "茨城県日立市宮田町6丁目7-14　ABCビル2F",
     "3 1 7 0 0 5 5 6 - 7 - 1 4 - 2 CC4 CC4 CC4 CC4 CC4 CC1"),
    ("6500046", "神戸市中央区港島中町9丁目7-6　郵便シティA棟1F1号",
     "6 5 0 0 0 4 6 9 - 7 - 6 CC1 0 1 - 1 CC4 CC4 CC4 5"),
    ("6230011", "京都府綾部市青野町綾部6-7　LプラザB106",
     "6 2 3 0 0 1 1 6 - 7 CC2 1 CC1 1 1 0 6 CC4 CC4 CC4 4"),
    ("0640804", "札幌市中央区南四条西29丁目1524-23　第2郵便ハウス501",
     "0 6 4 0 8 0 4 2 9 - 1 5 2 4 - 2 3 - 2 - 3"),
    ("9100067", "福井県福井市新田塚3丁目80-25　J1ビル2-B",
     "9 1 0 0 0 6 7 3 - 8 0 - 2 5 CC1 9 1 - 2 CC1 9"),
]  # fmt: skip


@pytest.mark.parametrize(("postal_code", "address", "expected"), P25)
def test_barcode_matches_the_manuals_test_data(postal_code, address, expected):
    _town_area, block = split_address(address)
    barcode = customer_barcode(postal_code=postal_code, block=block)
    assert barcode is not None
    assert " ".join(barcode.characters) == expected


def test_overview_example_has_check_value_9():
    """Manual overview: 〒100-0013 霞が関1丁目3番2号 郵便プラザ503室 → 1-3-2-503."""
    town_area, block = split_address("東京都千代田区霞が関1丁目3番2号　郵便プラザ503室")
    assert town_area == "東京都千代田区霞が関"
    assert address_number(block) == "1-3-2-503"
    barcode = CustomerBarcode("1000013", "1-3-2-503")
    assert barcode.characters[-1] == "9"


def test_representative_postal_codes_get_no_barcode():
    """代表番号 (last two digits 00) carry no barcode (manual p18)."""
    assert customer_barcode(postal_code="2430000", block="1-1") is None


def test_large_organisation_code_is_postal_code_and_thirteen_fillers():
    barcode = customer_barcode(postal_code="2438511", block="")
    assert barcode is not None
    assert barcode.characters[7:20] == ["CC4"] * 13


def test_full_width_digits_and_hyphen_variants_count_as_ascii():
    assert address_number("３丁目３０－８") == "3-30-8"
    assert address_number("3丁目30‐8") == "3-30-8"


def test_bars_read_the_same_as_an_independent_table():
    """zint's JAPAN_TABLE (F full, A ascender, D descender, T tracker) as oracle."""
    zint = ["FFT", "FDA", "DFA", "FAD", "FTF", "DAF", "AFD", "ADF", "TFF", "FTT",
            "TFT", "DAT", "DTA", "ADT", "TDA", "ATD", "TAD", "TTF", "FFF"]  # fmt: skip
    order = (
        [str(d) for d in range(1, 10)] + ["0", "-"] + [f"CC{i}" for i in range(1, 9)]
    )
    to_letters = str.maketrans("FADT", "LUDT")
    assert [BARS[c] for c in order] == [z.translate(to_letters) for z in zint]


places = st.lists(
    st.one_of(
        st.sampled_from("0123456789-"), st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    ),
    max_size=20,
)


@given(postal=st.from_regex(r"\A[0-9]{7}\Z"), chars=places)
def test_every_symbol_has_67_bars_and_a_valid_check(postal, chars):
    barcode = CustomerBarcode(postal, "".join(chars))
    assert len(barcode.bars) == 67
    assert sum(VALUES[c] for c in barcode.characters) % 19 == 0
    assert len(barcode.characters) == 21


@given(letter=st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
def test_a_letter_takes_two_places_and_survives_truncation_on_place_13(letter):
    barcode = CustomerBarcode("1234567", "123456789012" + letter)
    address_places = barcode.characters[7:20]
    assert address_places[12].startswith("CC")  # control code kept, digit dropped
    short = CustomerBarcode("1234567", letter)
    assert short.characters[7].startswith("CC") and short.characters[8].isdigit()


def test_bars_are_drawn_at_the_manuals_pitch():
    barcode = CustomerBarcode("2630023", "3-30-8-403")
    rects = bar_rectangles(barcode, point_size=10)
    assert len(rects) == 67
    assert rects[1][0] - rects[0][0] == pytest.approx(1.2)
    assert {round(r[3], 2) for r in rects} == {3.6, 2.4, 1.2}
