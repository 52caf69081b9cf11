"""What is drawn on an inquiry letter: the fixed part and the variable part.

The fixed part (:func:`draw_fixed`) is everything that is the same for all
residents of one procedure and office — sender, office, title, instructions, the
answer sheet's frame and PIN boxes — and is cached per process
(:mod:`counter.letters.fixed`). The variable part (:func:`draw_variable`) is the
address block with its barcode, the dates, the agent's name and the reference
with its QR code. Positions come from :mod:`counter.letters.layout`.
"""

from __future__ import annotations

import segno
from django.utils.translation import gettext_lazy as _

from counter.errors import ApplicationError

from . import layout as L  # noqa: N812 (reads like a ruler: L.WINDOW)
from .barcode import bar_rectangles, customer_barcode
from .content import (
    MAX_PIN_LINES,
    PROCEDURE_NAME,
    TITLE,
    LetterData,
    OfficeInfo,
    PinRow,
)
from .era import wareki, wareki_with_weekday
from .pen import GREY, LIGHT, Item, Pen, Placed, stack

# The labels of the table of what was applied for; the values are variable.
TABLE_ROWS = ("手続き", "代理人", "申請を受けた日", "回答書の期限")


def draw_fixed(pen: Pen, data: LetterData) -> None:
    """Everything that is the same for all residents of one procedure and office."""
    office = data.office
    right = L.ISSUER_RIGHT_MM
    # 転送不要 marking inside the window (docs/rules/06-agents.md §6.2:
    # 普通郵便・転送不要).
    box = L.NON_FORWARDABLE_BOX
    pen.rect(box.left, box.top, box.width, box.height, stroke=0.6)
    pen.text(box.left + box.width / 2, box.top + 4.4, "転送不要", 10, align="center")

    # Sender and office (top panel, right of the window), clear of the title rule.
    for placed in _sender_block(office):
        x = right if placed.align == "right" else L.ISSUER_LEFT_MM
        pen.text(
            x,
            placed.baseline,
            placed.text,
            placed.size,
            align=placed.align,
            colour=placed.colour,
        )

    # Title and opening (below the window; hidden in the envelope).
    pen.line(
        L.BODY_LEFT_MM, L.TITLE_RULE_MM, L.BODY_RIGHT_MM, L.TITLE_RULE_MM, stroke=1.2
    )
    pen.text(
        L.PAGE_WIDTH_MM / 2,
        L.TITLE_BASELINE_MM,
        TITLE[data.procedure],
        L.TITLE_SIZE_PT,
        align="center",
    )
    pen.text(
        L.BODY_LEFT_MM,
        L.INTRO_BASELINE_MM,
        "あなたのマイナンバーカードについて、代理人から次の申請がありました。",
        L.BODY_SIZE_PT,
    )
    pen.text(
        L.BODY_LEFT_MM,
        L.INTRO_BASELINE_MM + L.BODY_LEADING_MM,
        "あなたが代理人に頼んだかどうかを確かめるため、この手紙をお送りします。",
        L.BODY_SIZE_PT,
    )

    # What was applied for: a table whose values are variable.
    for i, label in enumerate(TABLE_ROWS):
        top = L.TABLE_TOP_MM + i * L.TABLE_ROW_MM
        pen.rect(
            L.BODY_LEFT_MM,
            top,
            L.TABLE_LABEL_WIDTH_MM,
            L.TABLE_ROW_MM,
            fill=LIGHT,
            stroke=0.4,
        )
        pen.rect(
            L.BODY_LEFT_MM + L.TABLE_LABEL_WIDTH_MM,
            top,
            L.BODY_RIGHT_MM - L.BODY_LEFT_MM - L.TABLE_LABEL_WIDTH_MM,
            L.TABLE_ROW_MM,
            stroke=0.4,
        )
        pen.text(L.BODY_LEFT_MM + 3.0, top + 5.3, label, L.BODY_SIZE_PT)
    deadline_top = L.TABLE_TOP_MM + 3 * L.TABLE_ROW_MM
    pen.rect(
        L.BODY_LEFT_MM,
        deadline_top,
        L.BODY_RIGHT_MM - L.BODY_LEFT_MM,
        L.TABLE_ROW_MM,
        stroke=1.2,
    )
    x_value = L.BODY_LEFT_MM + L.TABLE_LABEL_WIDTH_MM + 3.0
    pen.text(
        x_value, L.TABLE_TOP_MM + 5.3, PROCEDURE_NAME[data.procedure], L.BODY_SIZE_PT
    )

    width = L.BODY_RIGHT_MM - L.BODY_LEFT_MM
    y = L.TABLE_TOP_MM + len(TABLE_ROWS) * L.TABLE_ROW_MM + 7.0
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
            L.BODY_LEFT_MM + 3.0,
            y,
            width - 3.0,
            step,
            L.BODY_SIZE_PT,
            L.BODY_LEADING_MM,
        )
    y += 1.5
    y = _section(pen, y, "■ 心あたりがないとき")
    y = pen.lines(
        L.BODY_LEFT_MM + 3.0,
        y,
        width - 3.0,
        "回答書は書かずに、上のお問い合わせ先へすぐにお電話ください。",
        L.BODY_SIZE_PT,
        L.BODY_LEADING_MM,
    )
    y += 1.5
    y = _section(pen, y, "■ 代理人が期限までに窓口へ持ってくるもの")
    for item in data.things_to_bring:
        y = pen.lines(
            L.BODY_LEFT_MM + 3.0,
            y,
            width - 3.0,
            f"・{item}",
            L.BODY_SIZE_PT,
            L.BODY_LEADING_MM,
        )
    assert y < L.ANSWER_TOP_MM - 8.0, "letter body runs into the answer sheet"
    pen.text(
        L.BODY_LEFT_MM + 3.0,
        y,
        "期限を過ぎると、この回答書は使えません。もう一度申請が必要です。",
        10,
    )

    # Cut line and the answer sheet.
    cut = L.ANSWER_TOP_MM - 4.0
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


def _sender_block(office: OfficeInfo) -> list[Placed]:
    """The sender block at the largest size that keeps every line within the
    issuer column and above the title rule; first the space under the sender
    closes up, then the block is set smaller (layout.ISSUER_SCALES)."""
    for scale in L.ISSUER_SCALES:
        for gap in (10.0, 6.0):
            items = [
                Item(office.sender, 11, 0.0, align="right"),
                Item("お問い合わせ・窓口", 9, gap, colour=GREY),
                Item(office.office, 11, 5.5),
                Item(office.address, 9, 5.0),
                Item(f"電話 {office.phone}", 12, 5.5),
                *(Item(hours, 9, 4.8) for hours in office.hours),
            ]
            placed = stack(
                items,
                first_baseline=L.ISSUER_SENDER_BASELINE_MM,
                width=L.ISSUER_WIDTH_MM,
                bottom=L.ISSUER_BOTTOM_MM,
                scale=scale,
            )
            if placed is not None:
                return placed
    raise ApplicationError(
        "letter-sender-block-too-long",
        _(
            "The office's address and opening hours do not fit on the letter; "
            "shorten them in the municipal profile."
        ),
        extra={"hours_lines": len(office.hours)},
    )


def _section(pen: Pen, y: float, heading: str) -> float:
    pen.text(L.BODY_LEFT_MM, y, heading, 12)
    return y + L.BODY_LEADING_MM + 0.4


def _draw_fixed_answer(pen: Pen, data: LetterData) -> None:
    left, right = L.BODY_LEFT_MM, L.BODY_RIGHT_MM
    y = L.ANSWER_TOP_MM + 6.0
    pen.text(left, y, "回答書", L.TITLE_SIZE_PT)
    pen.text(left + 24.0, y, f"（{PROCEDURE_NAME[data.procedure]}）", 10)
    y += 7.5
    pen.text(left, y, "私は、上の手続きを代理人に頼みました。", 12)
    y += 4.0
    # Date: fixed boxes, never runs of spaces (docs/reference/letters-design.md §3.3).
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


def _draw_pin_rows(pen: Pen, y: float, rows: tuple[PinRow, ...]) -> None:
    """PIN boxes, one line per PIN, inside a heavy frame
    (docs/rules/06-agents.md §6.2)."""
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


def draw_variable(pen: Pen, data: LetterData) -> None:
    """Everything that differs from one resident to the next."""
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

    x_value = L.BODY_LEFT_MM + L.TABLE_LABEL_WIDTH_MM + 3.0
    pen.text(
        x_value,
        L.TABLE_TOP_MM + L.TABLE_ROW_MM + 5.3,
        f"{data.agent_name} 様",
        L.BODY_SIZE_PT,
    )
    pen.text(
        x_value,
        L.TABLE_TOP_MM + 2 * L.TABLE_ROW_MM + 5.3,
        wareki(data.first_visit),
        L.BODY_SIZE_PT,
    )
    pen.text(
        x_value,
        L.TABLE_TOP_MM + 3 * L.TABLE_ROW_MM + 5.5,
        f"{wareki_with_weekday(data.deadline)} まで",
        12.5,
    )

    pen.text(
        L.BODY_RIGHT_MM,
        L.ANSWER_TOP_MM + 6.0,
        f"照会番号 {data.reference_code}",
        10,
        align="right",
    )
    _draw_qr(pen, data.reference_code)


def _draw_barcode(pen: Pen, data: LetterData) -> None:
    a = data.address
    barcode = customer_barcode(postal_code=a.postal_code, block=a.block)
    if barcode is None or pen.c is None:
        return
    bars = bar_rectangles(barcode, point_size=L.BARCODE_POINT_SIZE)
    pen.fill_rects(
        ((L.BARCODE_LEFT_MM + x, L.BARCODE_TOP_MM + y, w, h) for x, y, w, h in bars),
    )


def _draw_qr(pen: Pen, reference: str) -> None:
    """The reference as a QR code of vector squares, one rectangle per dark run."""
    if pen.c is None:
        return
    qr = segno.make_qr(reference, error="m", boost_error=False, mask=pen.qr_mask)
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
                        L.QR_TOP_MM + row * size,
                        (col - start) * size,
                        size,
                    )
                )
            else:
                col += 1
    pen.fill_rects(runs)
