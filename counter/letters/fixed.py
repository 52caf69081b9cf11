"""The fixed part of a letter, drawn once per process and replayed per letter.

Everything that does not depend on the resident (for one procedure and office)
is drawn into a content-stream fragment and kept, with the font subset of its
characters pinned first (:meth:`LetterFont.preseed`) so that its font streams are
cached too. The fragment is reportlab's private ``Canvas._code`` list: a page
then costs only its variable text, the barcode and the QR code
(docs/reference/letters-design.md §4,
bench/letters.py).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from .content import LetterData
from .drawing import draw_fixed
from .fonts import FONT_NAME, letter_font, printable_or_raise
from .pen import Pen

# Characters variable text needs on every letter: pinned with the fixed text.
BASE_REPERTOIRE = "0123456789-年月日（）様〒令和元 "
# Bounded caches: a handful of procedures times the offices of one city.
_MAX_ENTRIES = 64


@dataclass(frozen=True)
class Fixed:
    """The fixed part's drawing operators, valid for one pinned repertoire."""

    repertoire: str
    code: tuple[str, ...]


_CHARS: dict[tuple[Any, ...], str] = {}
_CODE: dict[tuple[tuple[Any, ...], str], Fixed] = {}


def fixed_key(data: LetterData) -> tuple[Any, ...]:
    """What the fixed part depends on."""
    return (data.procedure, data.office, data.things_to_bring, data.pins)


def fixed_chars(key: tuple[Any, ...], data: LetterData) -> str:
    """The characters of the fixed part, in drawing order (cached per key)."""
    chars = _CHARS.get(key)
    if chars is None:
        recorder = Pen(None)
        draw_fixed(recorder, data)
        chars = "".join(dict.fromkeys("".join(recorder.chars)))
        printable_or_raise(chars, field="text")
        if len(_CHARS) > _MAX_ENTRIES:
            _CHARS.clear()
        _CHARS[key] = chars
    return chars


def fixed_part(key: tuple[Any, ...], data: LetterData, repertoire: str) -> Fixed:
    """Draw the fixed part once per key and pinned repertoire; keep its code."""
    fixed = _CODE.get((key, repertoire))
    if fixed is None:
        canvas = new_canvas(io.BytesIO())
        begin(canvas, repertoire)
        start = len(canvas._code)
        canvas.saveState()
        draw_fixed(Pen(canvas), data)
        canvas.restoreState()
        fixed = Fixed(repertoire, tuple(canvas._code[start:]))
        if len(_CODE) > _MAX_ENTRIES:
            _CODE.clear()
        _CODE[(key, repertoire)] = fixed
    return fixed


def repertoire(*chars: str) -> str:
    """The characters to pin: the base ones, then ``chars``, each once."""
    return "".join(dict.fromkeys(BASE_REPERTOIRE + "".join(chars)))


def new_canvas(buffer: io.BytesIO) -> Canvas:
    canvas = Canvas(
        buffer, pagesize=A4, invariant=1, pageCompression=1, initialFontName=FONT_NAME
    )
    canvas.setTitle("照会書兼回答書")
    canvas.setCreator("madoguchi")
    return canvas


def begin(canvas: Canvas, repertoire: str) -> None:
    """Pin ``repertoire`` as the first font subset of the canvas's document."""
    font = letter_font()
    font.preseed(canvas._doc, repertoire)
    font.getSubsetInternalName(0, canvas._doc)
