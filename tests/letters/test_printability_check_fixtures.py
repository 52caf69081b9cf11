"""The printability check: one named fixture PDF per failure code
(docs/reference/style.md §3.9)."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfWriter
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.pdfgen.canvas import Canvas

from counter.letters import layout
from counter.letters.fonts import FONT_NAME, letter_font
from counter.letters.printability import check_pdf
from counter.letters.render import letter_pdf

from .conftest import make_letter


def pdf_with(draw, *, pagesize=A4, pages=1, font=FONT_NAME) -> bytes:
    letter_font()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=pagesize, initialFontName=font)
    for _ in range(pages):
        # a valid address so only the drawn defect is reported
        canvas.setFont(font, 10)
        canvas.drawString(layout.pt(25), layout.pt_y(30), "〒243-0018")
        draw(canvas)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def nothing(canvas):
    pass


def ink_at(left_mm, top_mm, size_mm=3.0):
    def draw(canvas):
        canvas.rect(layout.pt(left_mm), layout.pt_y(top_mm + size_mm),
                    layout.pt(size_mm), layout.pt(size_mm), fill=1)  # fmt: skip

    return draw


def unembedded_font(canvas):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont("HeiseiKakuGo-W5"))
    canvas.setFont("HeiseiKakuGo-W5", 10)
    canvas.drawString(layout.pt(40), layout.pt_y(150), "照会書")


FIXTURES = {
    "valid_minimal_letter": (lambda: pdf_with(nothing), []),
    "ink_in_the_left_margin": (
        lambda: pdf_with(ink_at(1, 150)), ["content-outside-printable-area"]),
    "ink_at_the_bottom_edge": (
        lambda: pdf_with(ink_at(100, 294)), ["content-outside-printable-area"]),
    "address_touching_the_window_edge": (
        lambda: pdf_with(ink_at(layout.WINDOW.left + 0.5, 30, 1.5)),
        ["address-outside-window-margin"]),
    "empty_address_block": (
        lambda: _empty(),
        ["address-block-empty"]),
    "us_letter_page": (
        lambda: pdf_with(nothing, pagesize=LETTER), ["page-not-a4-portrait"]),
    "landscape_page": (
        lambda: pdf_with(nothing, pagesize=(A4[1], A4[0])), ["page-not-a4-portrait"]),
    "unembedded_cid_font": (lambda: pdf_with(unembedded_font), ["font-not-embedded"]),
}  # fmt: skip


def _empty() -> bytes:
    buffer = io.BytesIO()
    letter_font()
    canvas = Canvas(buffer, pagesize=A4, initialFontName=FONT_NAME)
    canvas.rect(layout.pt(40), layout.pt_y(150), 20, 20, fill=1)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


@pytest.mark.parametrize("name", FIXTURES)
def test_named_fixture_gives_its_failure_code(name):
    build, expected = FIXTURES[name]
    report = check_pdf(build())
    assert report.codes == expected, report.problems


def test_wrong_page_count():
    report = check_pdf(pdf_with(nothing, pages=2), expected_pages=1)
    assert report.codes == ["wrong-page-count"]


def test_a_pdf_without_pages():
    buffer = io.BytesIO()
    PdfWriter().write(buffer)
    assert check_pdf(buffer.getvalue()).codes == ["letter-has-no-pages"]


def test_a_rendered_letter_passes():
    assert check_pdf(letter_pdf(make_letter()), expected_pages=1).ok
