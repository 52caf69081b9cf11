"""Page geometry of the inquiry letter, in millimetres from the top-left of A4.

The anchors of the letter are named constants here — the window and the address
block inside it, the barcode, the issuer block, the body margins, the middle
panel's title and table, the answer sheet and its QR code — measured from the
top-left corner of the sheet the way a ruler on the paper reads it. The drawing
code (:mod:`counter.letters.drawing`) places each line relative to these anchors;
:func:`pt` and :func:`pt_y` are the only places that convert to reportlab's
bottom-left points (docs/reference/style.md §3.9).

Source of the window geometry (docs/reference/letters-design.md §8): **no measured
envelope yet.** The
window below is the trial layout's 90 × 45 mm block, 20 mm from the left and
15 mm from the top of the A4 sheet, for a 長形3号 (120 × 235 mm) window envelope
with the sheet folded in three (panels of 99 mm). These are placeholders, not a
supplier specification; measure the procured envelope before the first print run
and record product name and date in ``docs/letters.md`` next to the new values.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.units import mm

PAGE_WIDTH_MM = 210.0
PAGE_HEIGHT_MM = 297.0


@dataclass(frozen=True)
class Box:
    """A rectangle in millimetres, top-left origin (x right, y down)."""

    left: float
    top: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.left + self.width

    @property
    def bottom(self) -> float:
        return self.top + self.height

    def inset(self, margin: float) -> Box:
        return Box(
            self.left + margin,
            self.top + margin,
            self.width - 2 * margin,
            self.height - 2 * margin,
        )

    def contains(self, other: Box) -> bool:
        return (
            other.left >= self.left - 1e-6
            and other.top >= self.top - 1e-6
            and other.right <= self.right + 1e-6
            and other.bottom <= self.bottom + 1e-6
        )


# 長形3号 window (placeholder, docs/reference/letters-design.md §8 trial layout; see
# module docstring).
WINDOW = Box(left=20.0, top=15.0, width=90.0, height=45.0)
# How far the folded sheet may shift inside the envelope in any direction.
WINDOW_SHIFT_TOLERANCE_MM = 3.0
# Everything printed for the address must stay inside this rectangle.
ADDRESS_BLOCK = WINDOW.inset(WINDOW_SHIFT_TOLERANCE_MM)

# Address block content (inside ADDRESS_BLOCK).
NON_FORWARDABLE_BOX = Box(
    left=ADDRESS_BLOCK.right - 18.0, top=ADDRESS_BLOCK.top + 1.0, width=17.0, height=6.0
)
POSTAL_CODE_BASELINE_MM = ADDRESS_BLOCK.top + 4.5
POSTAL_CODE_SIZE_PT = 11.0
ADDRESS_FIRST_BASELINE_MM = ADDRESS_BLOCK.top + 11.0
ADDRESS_SIZE_PT = 10.5
ADDRESS_LEADING_MM = 4.6
ADDRESS_MAX_LINES = 3
ADDRESS_TEXT_LEFT_MM = ADDRESS_BLOCK.left + 1.0
ADDRESS_TEXT_WIDTH_MM = ADDRESS_BLOCK.width - 2.0
NAME_SIZE_PT = 15.0
NAME_MAX_SIZE_PT = NAME_SIZE_PT
NAME_MIN_SIZE_PT = 11.0
NAME_GAP_MM = 2.0  # between the last address line and the name's cap height

# Japan Post customer barcode (docs/reference/letters-design.md §5.2, §5.6): 9 pt
# symbol, 2 mm clear.
BARCODE_POINT_SIZE = 9.0
BARCODE_QUIET_ZONE_MM = 2.0
BARCODE_LEFT_MM = ADDRESS_BLOCK.left + BARCODE_QUIET_ZONE_MM
BARCODE_TOP_MM = ADDRESS_BLOCK.bottom - BARCODE_QUIET_ZONE_MM - 3.6 * 0.9

# Issuer block and reference (top panel, right of the window).
ISSUER_LEFT_MM = 122.0
ISSUER_RIGHT_MM = 195.0
ISSUER_TOP_BASELINE_MM = 20.0
ISSUER_WIDTH_MM = ISSUER_RIGHT_MM - ISSUER_LEFT_MM
# The sender block (sender, office, address, phone, hours) starts below the date
# and ends clear of the title rule; when it does not fit at full size it is set
# smaller, never below ISSUER_MIN_SCALE of its sizes (9 pt hours → 6.75 pt).
ISSUER_SENDER_BASELINE_MM = ISSUER_TOP_BASELINE_MM + 6.5
ISSUER_SCALES = (1.0, 0.95, 0.9, 0.85, 0.8, 0.75)

# Body (middle panel) and answer sheet (bottom panel).
MARGIN_LEFT_MM = 15.0
MARGIN_RIGHT_MM = 15.0
BODY_LEFT_MM = MARGIN_LEFT_MM
BODY_RIGHT_MM = PAGE_WIDTH_MM - MARGIN_RIGHT_MM
TITLE_SIZE_PT = 16.0
BODY_SIZE_PT = 11.0
BODY_LEADING_MM = 5.3

# Middle panel: title rule and line, the opening, the table of what was applied
# for (label column, value column); shared by the fixed and the variable drawing.
TITLE_RULE_MM = 64.0
ISSUER_BOTTOM_MM = TITLE_RULE_MM - 1.0  # the sender block's lowest descender
TITLE_BASELINE_MM = 72.0
INTRO_BASELINE_MM = 79.5
TABLE_TOP_MM = 88.0
TABLE_ROW_MM = 7.5
TABLE_LABEL_WIDTH_MM = 40.0

# Bottom panel: the answer sheet starts below the cut line; its QR code (the
# reference) sits at the right edge of the body.
ANSWER_TOP_MM = 203.0
QR_SIZE_MM = 20.0
QR_TOP_MM = ANSWER_TOP_MM + 9.0

# Everything the printer may put ink on: a 5 mm border all round (printability).
PRINTABLE_AREA = Box(
    left=5.0, top=5.0, width=PAGE_WIDTH_MM - 10.0, height=PAGE_HEIGHT_MM - 10.0
)


def pt(value_mm: float) -> float:
    """Millimetres to points (a length, no axis flip)."""
    return value_mm * mm


def pt_y(top_mm: float) -> float:
    """A distance from the top edge in mm to reportlab's y coordinate in points.

    The one place the top-left → bottom-left axis flip happens.
    """
    return (PAGE_HEIGHT_MM - top_mm) * mm
