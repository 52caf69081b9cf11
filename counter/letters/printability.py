"""Printability checks for rendered letters (docs/reference/style.md §3.9).

The pixel check follows GOV.UK Notify's template preview: render each page, paint
the zones where ink is allowed white, and fail if anything dark is left. On top of
that, structural checks on the PDF: A4 portrait, the expected page count, every font
embedded. Each failure has a stable kebab-case code.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import pypdfium2 as pdfium
from PIL import Image, ImageDraw
from pypdf import PdfReader

from . import layout as L  # noqa: N812 (reads like a ruler: L.WINDOW)

RENDER_DPI = 72
INK_THRESHOLD = 200  # 0 black … 255 white; lighter pixels are anti-aliasing
A4_TOLERANCE_MM = 2.0


@dataclass(frozen=True)
class Problem:
    code: str
    page: int  # 1-based; 0 for the whole document
    detail: str = ""


@dataclass
class PrintabilityReport:
    pages: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def codes(self) -> list[str]:
        return sorted({p.code for p in self.problems})


def _px(value_mm: float, scale: float) -> int:
    return round(value_mm * scale)


def _ink_box(image: Image.Image) -> tuple[int, int, int, int] | None:
    """Bounding box of dark pixels, or None if the image is blank."""
    mask = image.point(lambda v: 255 if v < INK_THRESHOLD else 0)
    return mask.getbbox()


def _check_page_pixels(
    image: Image.Image, page: int, *, first_page: bool
) -> list[Problem]:
    scale = image.width / L.PAGE_WIDTH_MM
    problems = []

    # 1. Nothing outside the printable area.
    outside = image.copy()
    draw = ImageDraw.Draw(outside)
    area = L.PRINTABLE_AREA
    draw.rectangle(
        (
            _px(area.left, scale),
            _px(area.top, scale),
            _px(area.right, scale) - 1,
            _px(area.bottom, scale) - 1,
        ),
        fill=255,
    )
    box = _ink_box(outside)
    if box:
        problems.append(Problem("content-outside-printable-area", page, f"px {box}"))

    # 2. Inside the window, ink only within the address block (window minus the
    #    shift tolerance), or the envelope may cut it off.
    if first_page:
        w = L.WINDOW
        ring = image.crop(
            (
                _px(w.left, scale),
                _px(w.top, scale),
                _px(w.right, scale),
                _px(w.bottom, scale),
            )
        )
        draw = ImageDraw.Draw(ring)
        b = L.ADDRESS_BLOCK
        draw.rectangle(
            (
                _px(b.left - w.left, scale),
                _px(b.top - w.top, scale),
                _px(b.right - w.left, scale) - 1,
                _px(b.bottom - w.top, scale) - 1,
            ),
            fill=255,
        )
        box = _ink_box(ring)
        if box:
            problems.append(Problem("address-outside-window-margin", page, f"px {box}"))
        # 3. The address block must not be empty (a letter with no addressee).
        block = image.crop(
            (
                _px(b.left, scale),
                _px(b.top, scale),
                _px(b.right, scale),
                _px(b.bottom, scale),
            )
        )
        if _ink_box(block) is None:
            problems.append(Problem("address-block-empty", page))
    return problems


def _unembedded_fonts(reader: PdfReader) -> list[str]:
    names = []
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        fonts = resources.get("/Font") or {}
        for ref in fonts.values():
            font = ref.get_object()
            descriptors = [font.get("/FontDescriptor")] + [
                d.get_object().get("/FontDescriptor")
                for d in font.get("/DescendantFonts") or []
            ]
            embedded = any(
                d is not None
                and any(
                    k in d.get_object()
                    for k in ("/FontFile", "/FontFile2", "/FontFile3")
                )
                for d in descriptors
            )
            if not embedded:
                names.append(str(font.get("/BaseFont")))
    return sorted(set(names))


def check_pdf(pdf: bytes, *, expected_pages: int | None = None) -> PrintabilityReport:
    """Check a letter or print-run PDF; every page is a letter's first page."""
    report = PrintabilityReport()
    reader = PdfReader(io.BytesIO(pdf))
    report.pages = len(reader.pages)
    if report.pages == 0:
        report.problems.append(Problem("letter-has-no-pages", 0))
        return report
    if expected_pages is not None and report.pages != expected_pages:
        report.problems.append(
            Problem("wrong-page-count", 0, f"{report.pages} != {expected_pages}")
        )
    for name in _unembedded_fonts(reader):
        report.problems.append(Problem("font-not-embedded", 0, name))
    document = pdfium.PdfDocument(pdf)
    try:
        for index in range(len(document)):
            page = document[index]
            width_mm = page.get_width() / 72 * 25.4
            height_mm = page.get_height() / 72 * 25.4
            if (
                abs(width_mm - L.PAGE_WIDTH_MM) > A4_TOLERANCE_MM
                or abs(height_mm - L.PAGE_HEIGHT_MM) > A4_TOLERANCE_MM
            ):
                report.problems.append(
                    Problem(
                        "page-not-a4-portrait",
                        index + 1,
                        f"{width_mm:.1f} x {height_mm:.1f} mm",
                    )
                )
                continue
            bitmap = page.render(scale=RENDER_DPI / 72, grayscale=True)
            image = bitmap.to_pil().convert("L")
            # Every page is a letter's first page: one page per letter.
            report.problems += _check_page_pixels(image, index + 1, first_page=True)
    finally:
        document.close()
    return report
