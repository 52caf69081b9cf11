"""Japan Post customer barcode (カスタマバーコード).

Source: Japan Post, 郵便番号・バーコードマニュアル
(https://www.post.japanpost.jp/zipcode/zipmanual/), p12 (symbol), p17–p22 (address
number), p21 (check character), p25 (test data); summarised in
docs/reference/letters-design.md §5. The
encoder is in-house because it is small; the effort goes into
:func:`address_number`, which is tested against the manual's p25 examples.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Bars of each character, read left to right (docs/reference/letters-design.md §5.3). L
# long, U
# semi-long reaching up, D semi-long reaching down, T timing bar.
BARS: dict[str, str] = {
    "1": "LLT", "2": "LDU", "3": "DLU", "4": "LUD", "5": "LTL",
    "6": "DUL", "7": "ULD", "8": "UDL", "9": "TLL", "0": "LTT",
    "-": "TLT",
    "CC1": "DUT", "CC2": "DTU", "CC3": "UDT", "CC4": "TDU",
    "CC5": "UTD", "CC6": "TUD", "CC7": "TTL", "CC8": "LLL",
}  # fmt: skip
VALUES: dict[str, int] = (
    {str(d): d for d in range(10)} | {"-": 10} | {f"CC{i}": 10 + i for i in range(1, 9)}
)
_BY_VALUE = {value: char for char, value in VALUES.items()}
START_BARS = "LD"
STOP_BARS = "DL"
ADDRESS_PLACES = 13

# Kanji numerals count only in front of these words (manual p20, supplementary rule).
_COUNTER_WORDS = "丁目|丁|番地|番|号|地割|線|の|ノ"
_KANJI_DIGITS = {"〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6,
                 "七": 7, "八": 8, "九": 9}  # fmt: skip
_KANJI_NUMBER = re.compile(rf"([〇一二三四五六七八九十百千]+)(?={_COUNTER_WORDS})")
# Hyphen look-alikes NFKC leaves alone (docs/reference/letters-design.md §7); only
# between digits.
_HYPHENS = "‐‑‒–—―−ー－─━"
_HYPHEN_BETWEEN_DIGITS = re.compile(rf"(?<=[0-9])[{_HYPHENS}](?=[0-9])")


def _kanji_to_int(text: str) -> int:
    """一 → 1, 十一 → 11, 二十一 → 21, 百五 → 105, 二〇 → 20."""
    if all(ch in _KANJI_DIGITS for ch in text):
        return int("".join(str(_KANJI_DIGITS[ch]) for ch in text))
    total, digit = 0, 0
    for ch in text:
        if ch in _KANJI_DIGITS:
            digit = _KANJI_DIGITS[ch]
            continue
        unit = {"十": 10, "百": 100, "千": 1000}[ch]
        total += (digit or 1) * unit
        digit = 0
    return total + digit


def address_number(block: str) -> str:
    """The address number (住所表示番号) of part B of an address.

    ``block`` is the part after the town area (町域) that the postal code names,
    e.g. ``3丁目30-8　郵便ビル403号`` → ``3-30-8-403`` (manual p19–p20).
    """
    text = unicodedata.normalize("NFKC", block)
    text = _HYPHEN_BETWEEN_DIGITS.sub("-", text)
    text = _KANJI_NUMBER.sub(lambda m: str(_kanji_to_int(m[1])), text)
    text = text.upper()
    text = re.sub(r"[&/・.]", "", text)
    # A floor written 2F counts as its number only (manual p25: 10F → 10).
    text = re.sub(r"(?<=[0-9])F", "-", text)
    out: list[str] = []
    for token in re.findall(r"[0-9]+|[A-Z]+|-|.", text):
        if token.isdigit() or token == "-" or re.fullmatch("[A-Z]", token):
            out.append(token)
        else:  # kanji, kana, blanks, words of two or more letters
            out.append("-")
    number = re.sub(r"-+", "-", "".join(out)).strip("-")
    # No hyphen next to a letter (manual p20: …5-B604 → 5B604).
    return re.sub(r"-(?=[A-Z])|(?<=[A-Z])-", "", number)


def _places(number: str) -> list[str]:
    places: list[str] = []
    for ch in number:
        if ch.isdigit() or ch == "-":
            places.append(ch)
        else:
            offset = ord(ch) - ord("A")
            control, digit = divmod(offset, 10)
            places += [f"CC{control + 1}", str(digit)]
    if len(places) > ADDRESS_PLACES:
        places = places[:ADDRESS_PLACES]  # a control code on place 13 stays
    return places + ["CC4"] * (ADDRESS_PLACES - len(places))


@dataclass(frozen=True)
class CustomerBarcode:
    postal_code: str  # seven digits
    address_number: str

    @property
    def characters(self) -> list[str]:
        """The 20 data characters and the check character (no start/stop)."""
        data = list(self.postal_code) + _places(self.address_number)
        check = -sum(VALUES[c] for c in data) % 19
        return data + [_BY_VALUE[check]]

    @property
    def bars(self) -> str:
        """67 bars: start, 21 characters of three bars, stop."""
        return START_BARS + "".join(BARS[c] for c in self.characters) + STOP_BARS


_BLOCK_START = re.compile(
    r"[0-9]|[〇一二三四五六七八九十百千]+(?=丁目|丁|番地|番|号|地割|線)"
)


def split_address(address: str) -> tuple[str, str]:
    """Split an address into the town area (part A) and the rest (part B).

    The manual splits where the town area (町域) named by the postal code ends,
    which needs Japan Post's postal-code data. Without it, part B starts at the
    first Arabic digit or the first kanji numeral in front of 丁目, 番地, 号, 地割
    or 線; this holds for every example on the manual's p25. A town name with an
    Arabic digit would be split too early (the barcode then carries extra digits).
    """
    folded = unicodedata.normalize("NFKC", address)
    if len(folded) != len(address):  # folding changed lengths: split on the original
        folded = address
    match = _BLOCK_START.search(folded)
    if not match:
        return address, ""
    return address[: match.start()], address[match.start() :]


def customer_barcode(*, postal_code: str, block: str) -> CustomerBarcode | None:
    """The barcode for an address, or None for a representative code (…00).

    Representative codes (代表番号, last two digits 00) get no barcode (manual p18).
    """
    if postal_code.endswith("00"):
        return None
    return CustomerBarcode(postal_code, address_number(block))


def bar_rectangles(
    barcode: CustomerBarcode, *, point_size: float
) -> list[tuple[float, float, float, float]]:
    """(x, y_top, width, height) in mm from the symbol's top-left, one per bar.

    Dimensions at 10 pt (manual p12): bar 0.6 mm, pitch 1.2 mm, long bar 3.6 mm,
    timing bar 1.2 mm in the centre band; everything scales with the point size.
    """
    scale = point_size / 10.0
    width, pitch, third = 0.6 * scale, 1.2 * scale, 1.2 * scale
    spans = {"L": (0.0, 3 * third), "U": (0.0, 2 * third),
             "D": (third, 2 * third), "T": (third, third)}  # fmt: skip
    return [
        (i * pitch, spans[bar][0], width, spans[bar][1])
        for i, bar in enumerate(barcode.bars)
    ]
