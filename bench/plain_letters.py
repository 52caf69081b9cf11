"""The benchmark's baseline: the same letter drawn the straightforward way.

Every part is drawn afresh with reportlab's path objects, the QR code's mask is
chosen by scoring, and ``font_name`` is embedded by reportlab's own per-document
subsetting; nothing is cached. (bench/letters.py also restores reportlab's
default ASCII85 stream encoding for it.) Not used in production.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from counter.letters import layout as L  # noqa: N812 (reads like a ruler)
from counter.letters.content import LetterData
from counter.letters.drawing import draw_fixed, draw_variable
from counter.letters.pen import Pen


class PlainPen(Pen):
    """A pen that fills rectangles one reportlab path each and scores QR masks."""

    qr_mask = None

    def fill_rects(self, rects: Iterable[tuple[float, float, float, float]]) -> None:
        canvas = self.c
        assert canvas is not None
        canvas.setFillColorRGB(0, 0, 0)
        for x, y, w, h in rects:
            canvas.rect(L.pt(x), L.pt_y(y + h), L.pt(w), L.pt(h), stroke=0, fill=1)


def letter_pdf_plain(data: LetterData, *, font_name: str) -> bytes:
    """One letter, drawn afresh."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1, initialFontName=font_name)
    pen = PlainPen(canvas, font=font_name)
    draw_fixed(pen, data)
    draw_variable(pen, data)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def letters_pdf_plain(letters: Iterable[LetterData], *, font_name: str) -> bytes:
    """The plain renderer's print run: one canvas, every page drawn afresh."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1, initialFontName=font_name)
    for data in letters:
        pen = PlainPen(canvas, font=font_name)
        draw_fixed(pen, data)
        draw_variable(pen, data)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
