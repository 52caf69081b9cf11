"""Drawing primitives in top-left millimetres over a reportlab canvas.

The letter is drawn with a :class:`Pen`; with no canvas it only records the text
it would draw, which is how the fixed part's characters are collected before
the font subset is pinned (:mod:`counter.letters.fixed`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from reportlab.pdfgen.canvas import Canvas

from . import layout as L  # noqa: N812 (reads like a ruler: L.WINDOW)
from .address import wrap
from .fonts import FONT_NAME

Colour = tuple[float, float, float]

BLACK: Colour = (0, 0, 0)
GREY: Colour = (0.45, 0.45, 0.45)
LIGHT: Colour = (0.93, 0.93, 0.93)
# A fixed QR mask: any of the eight is valid, and scoring all eight costs more
# than the rest of the letter (ISO/IEC 18004 lets the encoder choose).
QR_MASK = 2


#: A point in millimetres, and the font's descent below the baseline (em).
PT_MM = 25.4 / 72
DESCENT_EM = 0.121


@dataclass(frozen=True)
class Item:
    """One entry of a stacked block (the sender block): its text and size, and
    the advance from the previous baseline to its first line at full size."""

    text: str
    size: float
    advance: float
    align: str = "left"
    colour: Colour = BLACK


@dataclass(frozen=True)
class Placed:
    """A line of a stacked block where it goes: baseline mm from the top."""

    baseline: float
    text: str
    size: float
    align: str
    colour: Colour


def stack(
    items: Sequence[Item],
    *,
    first_baseline: float,
    width: float,
    bottom: float,
    scale: float,
) -> list[Placed] | None:
    """Lay ``items`` one under the other at ``scale``, each wrapped to ``width``.

    ``None`` when the lowest descender would fall below ``bottom``: the caller
    tries a smaller scale or refuses; nothing is drawn across what lies below.
    """
    placed: list[Placed] = []
    y = first_baseline
    for i, item in enumerate(items):
        size = item.size * scale
        if i:
            y += item.advance * scale
        for n, line in enumerate(wrap(item.text, width_pt=L.pt(width), size=size)):
            if n:
                y += size * PT_MM * 1.25
            placed.append(Placed(y, line, size, item.align, item.colour))
    lowest = max((p.baseline + p.size * PT_MM * DESCENT_EM for p in placed), default=y)
    return placed if lowest <= bottom else None


class Pen:
    """Top-left millimetre drawing helpers over a canvas (or a recorder)."""

    #: The QR code's mask; ``None`` lets the encoder score all eight.
    qr_mask: int | None = QR_MASK

    def __init__(self, canvas: Canvas | None, font: str = FONT_NAME) -> None:
        self.c = canvas
        self.font = font
        self.chars: list[str] = []

    def text(
        self,
        x: float,
        y: float,
        s: str,
        size: float,
        *,
        align: str = "left",
        colour: Colour = BLACK,
    ) -> None:
        """Draw ``s`` with its baseline ``y`` mm from the top."""
        if not s:
            return
        self.chars.append(s)
        c = self.c
        if c is None:
            return
        c.setFillColorRGB(*colour)
        c.setFont(self.font, size)
        if align == "right":
            c.drawRightString(L.pt(x), L.pt_y(y), s)
        elif align == "center":
            c.drawCentredString(L.pt(x), L.pt_y(y), s)
        else:
            c.drawString(L.pt(x), L.pt_y(y), s)

    def lines(
        self,
        x: float,
        y: float,
        width: float,
        s: str,
        size: float,
        leading: float,
        *,
        indent: float = 0.0,
    ) -> float:
        """Wrapped paragraph; returns the baseline after the last line."""
        first, *rest = wrap(s, width_pt=L.pt(width - indent), size=size) or [""]
        self.text(x + indent, y, first, size)
        y += leading
        for line in (
            wrap("".join(rest), width_pt=L.pt(width), size=size) if rest else []
        ):
            self.text(x, y, line, size)
            y += leading
        return y

    def rect(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        *,
        stroke: float = 0.3,
        fill: Colour | None = None,
        colour: Colour = BLACK,
        dash: Sequence[float] = (),
    ) -> None:
        c = self.c
        if c is None:
            return
        c.setLineWidth(stroke)
        c.setStrokeColorRGB(*colour)
        c.setDash(list(dash) if dash else [])
        if fill is not None:
            c.setFillColorRGB(*fill)
        c.rect(
            L.pt(x),
            L.pt_y(y + h),
            L.pt(w),
            L.pt(h),
            stroke=1 if stroke else 0,
            fill=1 if fill else 0,
        )

    def line(
        self,
        x1: float,
        y1: float,
        x2: float,
        y2: float,
        *,
        stroke: float = 0.3,
        dash: Sequence[float] = (),
        colour: Colour = BLACK,
    ) -> None:
        c = self.c
        if c is None:
            return
        c.setLineWidth(stroke)
        c.setStrokeColorRGB(*colour)
        c.setDash(list(dash) if dash else [])
        c.line(L.pt(x1), L.pt_y(y1), L.pt(x2), L.pt_y(y2))

    def circle(self, x: float, y: float, r: float, *, stroke: float = 0.3) -> None:
        if self.c is None:
            return
        self.c.setLineWidth(stroke)
        self.c.setDash([])
        self.c.circle(L.pt(x), L.pt_y(y), L.pt(r), stroke=1, fill=0)

    def boxes(self, x: float, y: float, count: int, size: float) -> None:
        """A row of ``count`` square boxes for hand-written characters."""
        for i in range(count):
            self.rect(x + i * size, y, size, size, stroke=0.5)

    def fill_rects(self, rects: Iterable[tuple[float, float, float, float]]) -> None:
        """Fill rectangles given in mm from the top-left, as one path.

        Written as raw ``re`` operators: the barcode and QR code are a few hundred
        rectangles per letter, and reportlab's path objects format every number in
        pure Python.
        """
        canvas = self.c
        assert canvas is not None
        k = L.pt(1.0)
        top = L.PAGE_HEIGHT_MM
        ops = [
            f"{x * k:.2f} {(top - y - h) * k:.2f} {w * k:.2f} {h * k:.2f} re"
            for x, y, w, h in rects
        ]
        canvas.setFillColorRGB(0, 0, 0)
        canvas._code.append("\n".join(ops) + " f")
