"""The benchmark's comparison: the same letter written the plain reportlab way.

Independent of the project's renderer (no Pen, no layout module, no drawing
code): one reportlab ``Canvas`` per letter, ``drawString`` in a ``TTFont`` that
reportlab subsets per document, rectangles and lines as reportlab paths and the
QR code from reportlab's own ``QrCodeWidget``. The content is the letter's: the
same strings, tables, dates, address block, postal bar code and QR code, read
from the project's ``LetterData``. Not used in production.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from typing import Any

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

PAGE_W, PAGE_H = A4
TABLE_LABELS = ("手続き", "代理人", "申請を受けた日", "回答書の期限")
PROCEDURES = {
    "pin_change": ("暗証番号の変更", "マイナンバーカードの暗証番号の変更"),
    "pin_reset": ("暗証番号の初期化", "マイナンバーカードの暗証番号の初期化（再設定）"),
    "cert_issue": ("電子証明書の発行", "電子証明書の発行"),
    "cert_renew": ("電子証明書の更新", "電子証明書の更新"),
    "cert_revoke": ("電子証明書の失効", "電子証明書の失効"),
    "suspension_lift": ("一時停止の解除", "マイナンバーカードの一時停止の解除"),
}
STEPS = (
    "1. 下の回答書に、記入日とお名前を書いてください。",
    "2. 回答書の暗証番号の欄に、暗証番号を書いてください。",
    "3. 回答書を切り取って同封の封筒に入れ、のりで封をしてください。",
    "4. 封をした封筒とマイナンバーカードを、代理人に渡してください。",
)
BRING = (
    "・封をした回答書",
    "・あなたのマイナンバーカード",
    "・代理人の本人確認書類（運転免許証など）",
    "・あなたが窓口に来られない理由がわかる書類（診断書など）",
)


def _era(day: dt.date) -> str:
    year = day.year - 2018
    return f"令和{'元' if year == 1 else year}年{day.month}月{day.day}日"


def _text(c: Canvas, x_mm: float, y_mm: float, text: str, size: float, font: str):
    c.setFont(font, size)
    c.drawString(x_mm * mm, PAGE_H - y_mm * mm, text)


def _draw(c: Canvas, data: Any, font: str) -> None:
    office = data.office
    short, long = PROCEDURES.get(str(data.procedure), ("手続き", "手続き"))
    a = data.address
    # Address window: postal code, address lines, name, postal bar code.
    _text(c, 24, 22, f"〒{a.postal_code_display}", 12, font)
    y = 30.0
    for line in a.lines:
        _text(c, 24, y, line, 11, font)
        y += 5.5
    _text(c, 24, y + 4, f"{a.name} 様", 16, font)
    x = 24.0
    for symbol in _barcode_symbols(data):
        c.rect(x * mm, PAGE_H - (y + 12) * mm, 0.6 * mm, symbol * mm, stroke=0, fill=1)
        x += 1.2
    c.rect(24 * mm, PAGE_H - 20 * mm, 20 * mm, 7 * mm, stroke=1, fill=0)
    _text(c, 27, 18, "転送不要", 10, font)
    # Sender and office.
    c.drawRightString(190 * mm, PAGE_H - 18 * mm, _era(data.issued_on))
    _text(c, 120, 12.5, f"照会番号 {data.reference_code}", 9, font)
    _text(c, 150, 24.5, office.sender, 11, font)
    y = 34.5
    for line, size in (
        ("お問い合わせ・窓口", 9),
        (office.office, 11),
        (office.address, 9),
        (f"電話 {office.phone}", 12),
        *((hours, 9) for hours in office.hours),
    ):
        _text(c, 120, y, line, size, font)
        y += 5.0
    # Title, opening and the table of what was applied for.
    c.setLineWidth(1.2)
    c.line(20 * mm, PAGE_H - 64 * mm, 190 * mm, PAGE_H - 64 * mm)
    _text(c, 45, 72, f"{short}についての照会書兼回答書", 16, font)
    _text(
        c,
        20,
        79.5,
        "あなたのマイナンバーカードについて、代理人から次の申請がありました。",
        11,
        font,
    )
    _text(
        c,
        20,
        84.8,
        "あなたが代理人に頼んだかどうかを確かめるため、この手紙をお送りします。",
        11,
        font,
    )
    values = (
        long,
        f"{data.agent_name} 様",
        _era(data.first_visit),
        f"{_era(data.deadline)} まで",
    )
    c.setLineWidth(0.4)
    for i, (label, value) in enumerate(zip(TABLE_LABELS, values, strict=True)):
        top = 88 + i * 7.5
        c.setFillGray(0.9)
        c.rect(20 * mm, PAGE_H - (top + 7.5) * mm, 40 * mm, 7.5 * mm, fill=1)
        c.setFillGray(0)
        c.rect(60 * mm, PAGE_H - (top + 7.5) * mm, 130 * mm, 7.5 * mm, fill=0)
        _text(c, 23, top + 5.3, label, 11, font)
        _text(c, 63, top + 5.3, value, 11, font)
    y = 126.0
    for heading, lines in (
        ("■ あなたが頼んだ申請のとき", STEPS),
        (
            "■ 心あたりがないとき",
            ("回答書は書かずに、上のお問い合わせ先へすぐにお電話ください。",),
        ),
        ("■ 代理人が期限までに窓口へ持ってくるもの", BRING),
    ):
        _text(c, 20, y, heading, 12, font)
        y += 6.0
        for line in lines:
            _text(c, 23, y, line, 11, font)
            y += 5.3
        y += 1.5
    _text(
        c,
        23,
        y,
        "期限を過ぎると、この回答書は使えません。もう一度申請が必要です。",
        10,
        font,
    )
    # Cut line, answer sheet and its QR code.
    _text(c, 20, 200, "きりとり", 8, font)
    c.setDash(2, 2)
    c.line(33 * mm, PAGE_H - 199 * mm, 190 * mm, PAGE_H - 199 * mm)
    c.setDash()
    _text(c, 20, 212, "回答書", 16, font)
    _text(c, 44, 212, f"（{long}）", 10, font)
    _text(c, 20, 220, "私は、上の手続きを代理人に頼みました。", 12, font)
    _text(c, 20, 230, "記入日　令和　　年　　月　　日", 11, font)
    _text(c, 20, 240, "お名前", 11, font)
    _text(c, 20, 244.5, "ご本人が書く", 8, font)
    c.rect(60 * mm, PAGE_H - 248 * mm, 100 * mm, 12 * mm)
    _text(c, 20, 256, "代理人のお名前", 11, font)
    c.rect(60 * mm, PAGE_H - 262 * mm, 100 * mm, 10 * mm)
    _text(c, 140, 209, f"照会番号 {data.reference_code}", 10, font)
    qr = QrCodeWidget(data.reference_code, barLevel="M")
    x0, y0, x1, y1 = qr.getBounds()
    side = 22 * mm
    drawing = Drawing(
        side, side, transform=[side / (x1 - x0), 0, 0, side / (y1 - y0), 0, 0]
    )
    drawing.add(qr)
    renderPDF.draw(drawing, c, 166 * mm, PAGE_H - 245 * mm)


def _barcode_symbols(data: Any) -> list[float]:
    """Bar heights (mm) of a postal customer bar code: long, half and timing bars."""
    digits = "".join(ch for ch in data.address.postal_code if ch.isdigit())
    pattern = {"0": "144", "1": "114", "2": "132", "3": "312", "4": "123"}
    heights = {"1": 3.6, "2": 2.2, "3": 2.2, "4": 1.2}
    bars: list[float] = [3.6, 1.2]
    for ch in (digits + data.reference_code.replace("-", ""))[:20]:
        bars += [heights[s] for s in pattern[str(int(ch) % 5)]]
    return bars + [1.2, 3.6]


def _canvas(buffer: io.BytesIO, font: str) -> Canvas:
    return Canvas(buffer, pagesize=A4, invariant=1, initialFontName=font)


def letter_pdf_plain(data: Any, *, font_name: str) -> bytes:
    """One letter, one document."""
    buffer = io.BytesIO()
    canvas = _canvas(buffer, font_name)
    _draw(canvas, data, font_name)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def letters_pdf_plain(letters: Iterable[Any], *, font_name: str) -> bytes:
    """A print run: one canvas, one page per letter."""
    buffer = io.BytesIO()
    canvas = _canvas(buffer, font_name)
    for data in letters:
        _draw(canvas, data, font_name)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
