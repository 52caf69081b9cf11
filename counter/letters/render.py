"""reportlab renderer for the inquiry-letter kinds (照会書兼回答書).

One A4 page per letter, folded in three for a 長形3号 window envelope:

* top panel: the address block inside the window (〒 code, address, name + 様,
  customer barcode, 転送不要), the sender and the office with hours and phone;
* middle panel: what was applied for, by whom, the deadline, what to do;
* bottom panel: the answer sheet (回答書) with the reference code and its QR code,
  signature or name-and-seal, and for PIN procedures the PIN boxes.

What is drawn is :mod:`counter.letters.drawing` (with the primitives of
:mod:`counter.letters.pen`, at the positions of :mod:`counter.letters.layout`);
the fixed part comes from the per-process cache of :mod:`counter.letters.fixed`.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from typing import Any

from reportlab import rl_config
from reportlab.pdfgen.canvas import Canvas

from counter.constants import Procedure

from .address import PostalAddress
from .content import SEED_OFFICE, LetterData
from .drawing import draw_variable
from .fixed import (
    Fixed,
    begin,
    fixed_chars,
    fixed_key,
    fixed_part,
    new_canvas,
    repertoire,
)
from .fonts import printable_or_raise
from .pen import Pen

# Binary Flate streams, not ASCII85 on top: a quarter smaller and faster to write.
# Process-wide reportlab setting; harmless for any other PDF made in the process.
rl_config.useA85 = 0


def _check_variable_text(data: LetterData) -> None:
    printable_or_raise(data.agent_name, field="agent_name")
    office = data.office
    printable_or_raise(
        "".join(
            (office.sender, office.office, office.address, office.phone, *office.hours)
        ),
        field="office",
    )


def _draw_page(canvas: Canvas, data: LetterData, fixed: Fixed) -> None:
    canvas._code.extend(fixed.code)
    draw_variable(Pen(canvas), data)
    canvas.showPage()


def letter_pdf(data: LetterData) -> bytes:
    """One letter as its own PDF (stored, re-issued, sent singly)."""
    _check_variable_text(data)
    key = fixed_key(data)
    fixed = fixed_part(key, data, repertoire(fixed_chars(key, data)))
    buffer = io.BytesIO()
    canvas = new_canvas(buffer)
    begin(canvas, fixed.repertoire)
    _draw_page(canvas, data, fixed)
    canvas.save()
    return buffer.getvalue()


def warm_up() -> int:
    """Parse the font and draw a sample letter, so a process's first real letter
    does not pay for them (100–150 ms). Called in the Celery worker's parent
    before it forks its children, which inherit the caches; returns the bytes."""
    sample = LetterData(
        reference_code="0000-0000-0000",
        procedure=Procedure.PIN_CHANGE,
        address=PostalAddress.build(
            postal_code="243-0018",
            town_area="神奈川県厚木市中町",
            block="3丁目17-17",
            name="見本 花子",
        ),
        agent_name="見本 太郎",
        first_visit=dt.date(2026, 1, 6),
        deadline=dt.date(2026, 2, 6),
        issued_on=dt.date(2026, 1, 6),
        office=SEED_OFFICE,
    )
    return len(letter_pdf(sample))


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
        samples.setdefault(fixed_key(data), data)
    keys = sorted(samples, key=repr)
    pinned = repertoire(*(fixed_chars(k, samples[k]) for k in keys))
    buffer = io.BytesIO()
    canvas = new_canvas(buffer)
    begin(canvas, pinned)
    for data in letters:
        _draw_page(canvas, data, fixed_part(fixed_key(data), data, pinned))
    canvas.save()
    return buffer.getvalue()
