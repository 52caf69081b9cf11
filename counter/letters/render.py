"""reportlab renderer for the inquiry-letter kinds (照会書兼回答書).

One A4 page per letter, folded in three for a 長形3号 window envelope:

* top panel: the address block inside the window (〒 code, address, name + 様,
  customer barcode, 転送不要), the sender and the office with hours and phone;
* middle panel: what was applied for, by whom, the deadline, what to do;
* bottom panel: the answer sheet (回答書) with the reference code and its QR code,
  signature or name-and-seal, and for PIN procedures the PIN boxes.

Speed (letters.md §4, bench/letters.py): the fixed part of a letter (everything
that does not depend on the resident, for one procedure and office) is drawn once
per process into a cached content-stream fragment, with the font subset of its
characters pinned first (:meth:`LetterFont.preseed`) so that its font streams are
cached too. A letter then costs its variable text, the barcode and the QR code.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import segno
from django.utils.translation import gettext_lazy as _
from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from counter.errors import ApplicationError

from . import layout as L  # noqa: N812 (reads like a ruler: L.WINDOW)
from .address import wrap
from .barcode import bar_rectangles, customer_barcode
from .content import (
    MAX_PIN_LINES,
    PROCEDURE_NAME,
    TITLE,
    LetterData,
    PinRow,
)
from .era import wareki, wareki_with_weekday
from .fonts import FONT_NAME, letter_font, printable_or_raise

# Binary Flate streams, not ASCII85 on top: a quarter smaller and faster to write.
# Process-wide reportlab setting; harmless for any other PDF made in the process.
rl_config.useA85 = 0

BLACK = (0, 0, 0)
GREY = (0.45, 0.45, 0.45)
LIGHT = (0.93, 0.93, 0.93)
# Characters variable text needs on every letter: pinned with the fixed text.
BASE_REPERTOIRE = "0123456789-年月日（）様〒令和元 "


class _Pen:
    """Top-left millimetre drawing helpers over a canvas (or a recorder)."""

    def __init__(
        self, canvas: Canvas | None, font: str = FONT_NAME, *, plain: bool = False
    ) -> None:
        self.c = canvas
        self.font = font
        self.plain = plain  # benchmark baseline: reportlab's own path drawing
        self.chars: list[str] = []

    def text(
        self,
        x: float,
        y: float,
        s: str,
        size: float,
        *,
        align: str = "left",
        colour: tuple[float, float, float] = BLACK,
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
        fill: tuple[float, float, float] | None = None,
        colour: tuple[float, float, float] = BLACK,
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
        colour: tuple[float, float, float] = BLACK,
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


# ------------------------------------------------------------------ fixed part


@dataclass(frozen=True)
class _Fixed:
    repertoire: str
    code: tuple[str, ...]


# Vertical positions of the middle panel, shared by fixed and variable drawing.
TITLE_RULE = 64.0
TITLE_BASELINE = 72.0
INTRO_BASELINE = 79.5
TABLE_TOP = 88.0
TABLE_ROW = 7.5
TABLE_LABEL_W = 40.0
TABLE_ROWS = ("手続き", "代理人", "申請を受けた日", "回答書の期限")
ANSWER_TOP = 203.0
LEADING = 5.3


def _draw_fixed(pen: _Pen, data: LetterData) -> None:
    """Everything that is the same for all residents of one procedure and office."""
    office = data.office
    right = L.ISSUER_RIGHT_MM
    # 転送不要 marking inside the window (rules.md §6.2: 普通郵便・転送不要).
    box = L.NON_FORWARDABLE_BOX
    pen.rect(box.left, box.top, box.width, box.height, stroke=0.6)
    pen.text(box.left + box.width / 2, box.top + 4.4, "転送不要", 10, align="center")

    # Sender and office (top panel, right of the window).
    y = L.ISSUER_TOP_BASELINE_MM + 6.5
    pen.text(right, y, office.sender, 11, align="right")
    y += 10.0
    pen.text(L.ISSUER_LEFT_MM, y, "お問い合わせ・窓口", 9, colour=GREY)
    y += 5.5
    pen.text(L.ISSUER_LEFT_MM, y, office.office, 11)
    y += 5.0
    pen.text(L.ISSUER_LEFT_MM, y, office.address, 9)
    y += 5.5
    pen.text(L.ISSUER_LEFT_MM, y, f"電話 {office.phone}", 12)
    for hours in office.hours:
        y += 4.8
        pen.text(L.ISSUER_LEFT_MM, y, hours, 9)

    # Title and opening (below the window; hidden in the envelope).
    pen.line(L.BODY_LEFT_MM, TITLE_RULE, L.BODY_RIGHT_MM, TITLE_RULE, stroke=1.2)
    pen.text(
        L.PAGE_WIDTH_MM / 2,
        TITLE_BASELINE,
        TITLE[data.procedure],
        L.TITLE_SIZE_PT,
        align="center",
    )
    pen.text(
        L.BODY_LEFT_MM,
        INTRO_BASELINE,
        "あなたのマイナンバーカードについて、代理人から次の申請がありました。",
        L.BODY_SIZE_PT,
    )
    pen.text(
        L.BODY_LEFT_MM,
        INTRO_BASELINE + LEADING,
        "あなたが代理人に頼んだかどうかを確かめるため、この手紙をお送りします。",
        L.BODY_SIZE_PT,
    )

    # What was applied for: a table whose values are variable.
    for i, label in enumerate(TABLE_ROWS):
        top = TABLE_TOP + i * TABLE_ROW
        pen.rect(L.BODY_LEFT_MM, top, TABLE_LABEL_W, TABLE_ROW, fill=LIGHT, stroke=0.4)
        pen.rect(
            L.BODY_LEFT_MM + TABLE_LABEL_W,
            top,
            L.BODY_RIGHT_MM - L.BODY_LEFT_MM - TABLE_LABEL_W,
            TABLE_ROW,
            stroke=0.4,
        )
        pen.text(L.BODY_LEFT_MM + 3.0, top + 5.3, label, L.BODY_SIZE_PT)
    deadline_top = TABLE_TOP + 3 * TABLE_ROW
    pen.rect(
        L.BODY_LEFT_MM,
        deadline_top,
        L.BODY_RIGHT_MM - L.BODY_LEFT_MM,
        TABLE_ROW,
        stroke=1.2,
    )
    x_value = L.BODY_LEFT_MM + TABLE_LABEL_W + 3.0
    pen.text(x_value, TABLE_TOP + 5.3, PROCEDURE_NAME[data.procedure], L.BODY_SIZE_PT)

    width = L.BODY_RIGHT_MM - L.BODY_LEFT_MM
    y = TABLE_TOP + len(TABLE_ROWS) * TABLE_ROW + 7.0
    y = _section(pen, y, "■ あなたが頼んだ申請のとき")
    steps = ["下の回答書に、記入日とお名前を書いてください。"]
    if data.pins:
        steps.append("回答書の暗証番号の欄に、暗証番号を書いてください。")
    steps += [
        "回答書を切り取って同封の封筒に入れ、のりで封をしてください。",
        "封をした封筒とマイナンバーカードを、代理人に渡してください。",
    ]
    steps = [f"{i}. {step}" for i, step in enumerate(steps, start=1)]
    for step in steps:
        y = pen.lines(
            L.BODY_LEFT_MM + 3.0, y, width - 3.0, step, L.BODY_SIZE_PT, LEADING
        )
    y += 1.5
    y = _section(pen, y, "■ 心あたりがないとき")
    y = pen.lines(
        L.BODY_LEFT_MM + 3.0,
        y,
        width - 3.0,
        "回答書は書かずに、上のお問い合わせ先へすぐにお電話ください。",
        L.BODY_SIZE_PT,
        LEADING,
    )
    y += 1.5
    y = _section(pen, y, "■ 代理人が期限までに窓口へ持ってくるもの")
    for item in data.things_to_bring:
        y = pen.lines(
            L.BODY_LEFT_MM + 3.0, y, width - 3.0, f"・{item}", L.BODY_SIZE_PT, LEADING
        )
    assert y < ANSWER_TOP - 8.0, "letter body runs into the answer sheet"
    pen.text(
        L.BODY_LEFT_MM + 3.0,
        y,
        "期限を過ぎると、この回答書は使えません。もう一度申請が必要です。",
        10,
    )

    # Cut line and the answer sheet.
    cut = ANSWER_TOP - 4.0
    pen.text(L.BODY_LEFT_MM, cut + 1.0, "きりとり", 8, colour=GREY)
    pen.line(
        L.BODY_LEFT_MM + 13.0,
        cut,
        L.BODY_RIGHT_MM,
        cut,
        stroke=0.4,
        dash=(2, 2),
        colour=GREY,
    )
    _draw_fixed_answer(pen, data)


def _section(pen: _Pen, y: float, heading: str) -> float:
    pen.text(L.BODY_LEFT_MM, y, heading, 12)
    return y + LEADING + 0.4


def _draw_fixed_answer(pen: _Pen, data: LetterData) -> None:
    left, right = L.BODY_LEFT_MM, L.BODY_RIGHT_MM
    y = ANSWER_TOP + 6.0
    pen.text(left, y, "回答書", L.TITLE_SIZE_PT)
    pen.text(left + 24.0, y, f"（{PROCEDURE_NAME[data.procedure]}）", 10)
    y += 7.5
    pen.text(left, y, "私は、上の手続きを代理人に頼みました。", 12)
    y += 4.0
    # Date: fixed boxes, never runs of spaces (letters.md §3.3).
    pen.text(left, y + 5.6, "記入日", L.BODY_SIZE_PT)
    pen.text(left + 20.0, y + 5.6, "令和", L.BODY_SIZE_PT)
    for i, unit in enumerate("年月日"):
        x = left + 30.0 + i * 22.0
        pen.rect(x, y, 12.0, 8.0, stroke=0.5)
        pen.text(x + 13.5, y + 5.6, unit, L.BODY_SIZE_PT)
    y += 11.0
    pen.text(left, y + 6.0, "お名前", L.BODY_SIZE_PT)
    pen.text(left, y + 10.5, "ご本人が書く", 8)
    pen.rect(left + 20.0, y, 90.0, 13.0, stroke=0.5)
    pen.circle(left + 119.0, y + 6.5, 5.5, stroke=0.4)
    pen.text(left + 119.0, y + 7.8, "印", 9, align="center", colour=GREY)
    y += 17.0
    pen.text(
        left + 20.0, y, "自分で書けないときは、お名前を書いて印鑑を押してください。", 9
    )
    y += 4.0
    if data.pins:
        _draw_pin_rows(pen, y, data.pins)
    else:
        pen.text(left, y + 5.0, "代理人のお名前", L.BODY_SIZE_PT)
        pen.rect(left + 32.0, y, right - left - 32.0 - 25.0, 8.0, stroke=0.4)


def _draw_pin_rows(pen: _Pen, y: float, rows: tuple[PinRow, ...]) -> None:
    """PIN boxes, one line per PIN, inside a heavy frame (rules.md §6.2)."""
    left, right = L.BODY_LEFT_MM, L.BODY_RIGHT_MM
    if len(rows) > MAX_PIN_LINES:
        raise ApplicationError(
            "letter-too-many-pins",
            _("The answer sheet has room for at most %(lines)d lines of PIN boxes.")
            % {"lines": MAX_PIN_LINES},
            extra={"lines": len(rows)},
        )
    pitch = 8.5
    height = 6.0 + pitch * len(rows) + 7.0
    # Below the QR code, so the frame takes the full width.
    pen.rect(left, y, right - left, height, stroke=0.9)
    pen.text(
        left + 2.5, y + 4.8, "暗証番号の欄（書いたら必ず封筒に入れて封をする）", 10.5
    )
    y += 6.5
    for row in rows:
        pen.text(left + 2.5, y + 5.2, row.label, 9.5)
        size = 6.8 if row.places <= 4 else 6.0
        for i, moment in enumerate(row.moments):
            x = left + 59.0 + i * 52.0
            pen.text(x, y + 5.2, moment, 10)
            pen.boxes(x + 19.0, y, row.places, size)
        y += pitch
    pen.text(
        left + 2.5,
        y + 4.0,
        "暗証番号は代理人に見せないでください。封が開いていると受け付けできません。",
        10,
    )


_CHARS: dict[tuple[Any, ...], str] = {}
_CODE: dict[tuple[tuple[Any, ...], str], _Fixed] = {}


def _fixed_chars(key: tuple[Any, ...], data: LetterData) -> str:
    """The characters of the fixed part, in drawing order (cached per key)."""
    chars = _CHARS.get(key)
    if chars is None:
        recorder = _Pen(None)
        _draw_fixed(recorder, data)
        chars = "".join(dict.fromkeys("".join(recorder.chars)))
        printable_or_raise(chars, field="text")
        if len(_CHARS) > 64:
            _CHARS.clear()
        _CHARS[key] = chars
    return chars


def _fixed_part(key: tuple[Any, ...], data: LetterData, repertoire: str) -> _Fixed:
    """Draw the fixed part once per key and pinned repertoire; keep its code."""
    fixed = _CODE.get((key, repertoire))
    if fixed is None:
        canvas = _new_canvas(io.BytesIO())
        _begin(canvas, repertoire)
        start = len(canvas._code)
        canvas.saveState()
        _draw_fixed(_Pen(canvas), data)
        canvas.restoreState()
        fixed = _Fixed(repertoire, tuple(canvas._code[start:]))
        if len(_CODE) > 64:
            _CODE.clear()
        _CODE[(key, repertoire)] = fixed
    return fixed


def _repertoire(*chars: str) -> str:
    return "".join(dict.fromkeys(BASE_REPERTOIRE + "".join(chars)))


def _fixed_key(data: LetterData) -> tuple[Any, ...]:
    return (data.procedure, data.office, data.things_to_bring, data.pins)


# -------------------------------------------------------------- variable part


def _draw_variable(pen: _Pen, data: LetterData) -> None:
    a = data.address
    block = L.ADDRESS_BLOCK
    x = L.ADDRESS_TEXT_LEFT_MM
    pen.text(
        x,
        L.POSTAL_CODE_BASELINE_MM,
        f"〒{a.postal_code_display}",
        L.POSTAL_CODE_SIZE_PT,
    )
    y = L.ADDRESS_FIRST_BASELINE_MM
    for line in a.lines:
        pen.text(x, y, line, L.ADDRESS_SIZE_PT)
        y += L.ADDRESS_LEADING_MM
    y += L.NAME_GAP_MM + a.name_size * 0.3528 - L.ADDRESS_LEADING_MM + 3.0
    pen.text(x, y, f"{a.name} 様", a.name_size)
    _draw_barcode(pen, data)
    assert y < block.bottom

    pen.text(
        L.ISSUER_RIGHT_MM,
        L.ISSUER_TOP_BASELINE_MM,
        wareki(data.issued_on),
        11,
        align="right",
    )
    pen.text(
        L.ISSUER_RIGHT_MM,
        L.ISSUER_TOP_BASELINE_MM - 5.5,
        f"照会番号 {data.reference_code}",
        9,
        align="right",
    )

    x_value = L.BODY_LEFT_MM + TABLE_LABEL_W + 3.0
    pen.text(
        x_value, TABLE_TOP + TABLE_ROW + 5.3, f"{data.agent_name} 様", L.BODY_SIZE_PT
    )
    pen.text(
        x_value,
        TABLE_TOP + 2 * TABLE_ROW + 5.3,
        wareki(data.first_visit),
        L.BODY_SIZE_PT,
    )
    pen.text(
        x_value,
        TABLE_TOP + 3 * TABLE_ROW + 5.5,
        f"{wareki_with_weekday(data.deadline)} まで",
        12.5,
    )

    pen.text(
        L.BODY_RIGHT_MM,
        ANSWER_TOP + 6.0,
        f"照会番号 {data.reference_code}",
        10,
        align="right",
    )
    _draw_qr(pen, data.reference_code)


def _fill_rects(pen: _Pen, rects: Iterable[tuple[float, float, float, float]]) -> None:
    """Fill rectangles given in mm from the top-left, as one path.

    Written as raw ``re`` operators: the barcode and QR code are a few hundred
    rectangles per letter, and reportlab's path objects format every number in
    pure Python.
    """
    canvas = pen.c
    assert canvas is not None
    if pen.plain:
        canvas.setFillColorRGB(0, 0, 0)
        for x, y, w, h in rects:
            canvas.rect(L.pt(x), L.pt_y(y + h), L.pt(w), L.pt(h), stroke=0, fill=1)
        return
    k = L.pt(1.0)
    top = L.PAGE_HEIGHT_MM
    ops = [
        f"{x * k:.2f} {(top - y - h) * k:.2f} {w * k:.2f} {h * k:.2f} re"
        for x, y, w, h in rects
    ]
    canvas.setFillColorRGB(0, 0, 0)
    canvas._code.append("\n".join(ops) + " f")


def _draw_barcode(pen: _Pen, data: LetterData) -> None:
    a = data.address
    barcode = customer_barcode(postal_code=a.postal_code, block=a.block)
    if barcode is None or pen.c is None:
        return
    bars = bar_rectangles(barcode, point_size=L.BARCODE_POINT_SIZE)
    _fill_rects(
        pen,
        ((L.BARCODE_LEFT_MM + x, L.BARCODE_TOP_MM + y, w, h) for x, y, w, h in bars),
    )


QR_TOP = ANSWER_TOP + 9.0
# A fixed mask: any of the eight is valid, and scoring all eight costs more than
# the rest of the letter (ISO/IEC 18004 lets the encoder choose).
QR_MASK = 2


def _draw_qr(pen: _Pen, reference: str) -> None:
    """The reference as a QR code of vector squares, one rectangle per dark run."""
    if pen.c is None:
        return
    mask = None if pen.plain else QR_MASK
    qr = segno.make_qr(reference, error="m", boost_error=False, mask=mask)
    matrix = qr.matrix
    modules = len(matrix)
    size = L.QR_SIZE_MM / modules
    left = L.BODY_RIGHT_MM - L.QR_SIZE_MM
    runs = []
    for row, bits in enumerate(matrix):
        col = 0
        while col < modules:
            if bits[col]:
                start = col
                while col < modules and bits[col]:
                    col += 1
                runs.append(
                    (
                        left + start * size,
                        QR_TOP + row * size,
                        (col - start) * size,
                        size,
                    )
                )
            else:
                col += 1
    _fill_rects(pen, runs)


# ------------------------------------------------------------------ documents


def _new_canvas(buffer: io.BytesIO) -> Canvas:
    canvas = Canvas(
        buffer, pagesize=A4, invariant=1, pageCompression=1, initialFontName=FONT_NAME
    )
    canvas.setTitle("照会書兼回答書")
    canvas.setCreator("madoguchi")
    return canvas


def _begin(canvas: Canvas, repertoire: str) -> None:
    font = letter_font()
    font.preseed(canvas._doc, repertoire)
    font.getSubsetInternalName(0, canvas._doc)


def _check_variable_text(data: LetterData) -> None:
    printable_or_raise(data.agent_name, field="agent_name")
    office = data.office
    printable_or_raise(
        "".join(
            (office.sender, office.office, office.address, office.phone, *office.hours)
        ),
        field="office",
    )


def _draw_page(canvas: Canvas, data: LetterData, fixed: _Fixed) -> None:
    canvas._code.extend(fixed.code)
    _draw_variable(_Pen(canvas), data)
    canvas.showPage()


def letter_pdf(data: LetterData) -> bytes:
    """One letter as its own PDF (stored, re-issued, sent singly)."""
    _check_variable_text(data)
    key = _fixed_key(data)
    fixed = _fixed_part(key, data, _repertoire(_fixed_chars(key, data)))
    buffer = io.BytesIO()
    canvas = _new_canvas(buffer)
    _begin(canvas, fixed.repertoire)
    _draw_page(canvas, data, fixed)
    canvas.save()
    return buffer.getvalue()


def letters_pdf(letters: Iterable[LetterData]) -> bytes:
    """Many letters as one multi-page PDF, in the given order (the print run).

    All letters share one set of font subsets; letters for different procedures or
    offices share the pinned base characters only.
    """
    letters = list(letters)
    if not letters:
        raise ValueError("a print run needs at least one letter")
    samples: dict[tuple[Any, ...], LetterData] = {}
    for data in letters:
        _check_variable_text(data)
        samples.setdefault(_fixed_key(data), data)
    keys = sorted(samples, key=repr)
    repertoire = _repertoire(*(_fixed_chars(k, samples[k]) for k in keys))
    buffer = io.BytesIO()
    canvas = _new_canvas(buffer)
    _begin(canvas, repertoire)
    for data in letters:
        _draw_page(canvas, data, _fixed_part(_fixed_key(data), data, repertoire))
    canvas.save()
    return buffer.getvalue()


def letter_pdf_plain(data: LetterData, *, font_name: str) -> bytes:
    """The same letter drawn the straightforward way, for the benchmark baseline.

    Every part is drawn afresh with reportlab's path objects, the QR code's mask is
    chosen by scoring, and ``font_name`` is embedded by reportlab's own per-document
    subsetting; nothing is cached. (The benchmark also restores reportlab's default
    ASCII85 stream encoding for it.)
    """
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1, initialFontName=font_name)
    pen = _Pen(canvas, font=font_name, plain=True)
    _draw_fixed(pen, data)
    _draw_variable(pen, data)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def letters_pdf_plain(letters: Iterable[LetterData], *, font_name: str) -> bytes:
    """The plain renderer's print run: one canvas, every page drawn afresh."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1, initialFontName=font_name)
    for data in letters:
        pen = _Pen(canvas, font=font_name, plain=True)
        _draw_fixed(pen, data)
        _draw_variable(pen, data)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
