"""The addressee block of a window-envelope letter, as a validated value object.

Validation failures are :class:`~counter.errors.ApplicationError` with stable
kebab-case codes and a Japanese clerk message (docs/reference/style.md §3.9). The stored
address is printed as received; the only normalised form is the barcode's address
number, derived on the side (docs/reference/letters-design.md §7). Names are never
normalised.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from counter.errors import ApplicationError

from . import layout
from .fonts import FONT_NAME, letter_font, printable_or_raise

_POSTAL_CODE = re.compile(r"^([0-9]{3})-?([0-9]{4})$")
# Characters a line may not start with (kinsoku), for wrapping addresses and body.
NO_LINE_START = set(
    "、。，．・：；？！ー）」』】〕〉》’”ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ"
)


def postal_code_normalise(value: str) -> str:
    """Seven ASCII digits from 243-8511, 〒２４３－８５１１ or 2438511."""
    if not value or not value.strip():
        raise ApplicationError(
            "postal-code-missing",
            _("The resident's postal code is missing. Enter it before mailing."),
        )
    folded = unicodedata.normalize("NFKC", value).strip().removeprefix("〒").strip()
    folded = re.sub(r"[‐‑‒–—―−ー－]", "-", folded)
    match = _POSTAL_CODE.match(folded)
    if not match:
        raise ApplicationError(
            "postal-code-malformed",
            _(
                "The postal code %(value)s is not valid: it must be seven digits, "
                "as in 243-8511."
            )
            % {"value": value},
            extra={"postal_code": value},
        )
    return match[1] + match[2]


def wrap(text: str, *, width_pt: float, size: float) -> list[str]:
    """Break text into lines no wider than ``width_pt`` (Japanese: any character).

    A line does not start with closing punctuation or a small kana; spaces at a
    break disappear.
    """
    font = letter_font()
    widths = font.face.charWidths
    default = font.face.defaultWidth
    scale = size / 1000.0
    lines: list[str] = []
    line: list[str] = []
    used = 0.0
    for ch in text:
        w = widths.get(ord(ch), default) * scale
        if line and used + w > width_pt:
            if ch in NO_LINE_START and len(line) > 1:
                carry = line.pop()
                lines.append("".join(line).rstrip())
                line, used = [carry], widths.get(ord(carry), default) * scale
            else:
                lines.append("".join(line).rstrip())
                line, used = [], 0.0
            if ch in " 　":
                continue
        line.append(ch)
        used += w
    if line:
        lines.append("".join(line).rstrip())
    return lines


def text_width(text: str, size: float) -> float:
    return letter_font().stringWidth(text, size)


@dataclass(frozen=True)
class PostalAddress:
    """〒 code, address lines and name + 様, fitted to the window (layout.py).

    ``town_area`` and ``block`` are the two parts of the address
    (docs/reference/letters-design.md §5.5):
    the town area (町域) the postal code names, and the rest, from which the
    customer barcode's address number is derived.
    """

    postal_code: str
    lines: tuple[str, ...]
    name: str
    name_size: float
    block: str

    @property
    def postal_code_display(self) -> str:
        return f"{self.postal_code[:3]}-{self.postal_code[3:]}"

    @classmethod
    def build(
        cls, *, postal_code: str, town_area: str, block: str, name: str
    ) -> PostalAddress:
        """Validate and lay out an address; raises a coded ApplicationError."""
        code = postal_code_normalise(postal_code)
        address = f"{town_area}{block}".strip()
        if not address:
            raise ApplicationError(
                "address-missing",
                _("The resident's address is missing. Enter it before mailing."),
            )
        if not name or not name.strip():
            raise ApplicationError(
                "addressee-name-missing",
                _("The resident's name is missing. Enter it before mailing."),
            )
        printable_or_raise(name, field="name")
        printable_or_raise(address, field="address")
        width = layout.pt(layout.ADDRESS_TEXT_WIDTH_MM)
        lines = wrap(address, width_pt=width, size=layout.ADDRESS_SIZE_PT)
        if len(lines) > layout.ADDRESS_MAX_LINES:
            raise ApplicationError(
                "address-too-long",
                _(
                    "The address does not fit in the envelope window (at most "
                    "%(lines)d lines). Shorten it, for example by leaving out the "
                    "prefecture, and render the letter again."
                )
                % {"lines": layout.ADDRESS_MAX_LINES},
                extra={"lines": len(lines), "max_lines": layout.ADDRESS_MAX_LINES},
            )
        name_line = f"{name.strip()} 様"
        size = layout.NAME_MAX_SIZE_PT
        while size > layout.NAME_MIN_SIZE_PT and text_width(name_line, size) > width:
            size -= 0.5
        if text_width(name_line, size) > width:
            raise ApplicationError(
                "addressee-name-too-long",
                _("The name is too long for the envelope window."),
                extra={"name_length": len(name)},
            )
        return cls(code, tuple(lines), name.strip(), size, block)


__all__ = ["FONT_NAME", "PostalAddress", "postal_code_normalise", "wrap"]
