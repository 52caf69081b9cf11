"""What the letter says and where it puts it (docs/rules/06-agents.md §6.2, §15;
docs/reference/letters-design.md §9).

Text is read back from the PDF with pypdf; positions with pdfplumber.
"""

from __future__ import annotations

import io

import pdfplumber
import pytest
from pypdf import PdfReader

from counter.constants import Procedure
from counter.errors import ApplicationError
from counter.letters import layout
from counter.letters.content import (
    LETTER_PROCEDURES,
    PROCEDURE_NAME,
    TITLE,
    pin_rows_for,
)
from counter.letters.printability import check_pdf
from counter.letters.render import letter_pdf, letters_pdf

from .conftest import make_letter


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def squeeze(text: str) -> str:
    return "".join(text.split())


@pytest.mark.parametrize("procedure", LETTER_PROCEDURES)
def test_each_kind_names_procedure_agent_dates_office_and_reference(procedure):
    data = make_letter(procedure=procedure)
    text = squeeze(text_of(letter_pdf(data)))
    for expected in [
        TITLE[procedure],
        "照会書兼回答書",
        "回答書",
        PROCEDURE_NAME[procedure],
        "代理太郎様",  # the agent
        "令和8年11月26日",  # first visit
        "令和8年12月10日（木）まで",  # deadline, era form
        "〒243-0018",
        "神奈川県厚木市中町3丁目17-8郵便ビル403号",
        "見本花子様",
        "転送不要",
        "厚木市役所市民課",
        "電話046-225-2111",
        "平日8時30分～17時15分",
        "照会番号2611-2600-0017",
        "代理人が期限までに窓口へ持ってくるもの",
        "あなたのマイナンバーカード",
        "同封の封筒",
    ]:
        assert expected in text, expected


def test_pin_letters_have_pin_boxes_and_sealing_instructions():
    text = squeeze(text_of(letter_pdf(make_letter(procedure=Procedure.PIN_CHANGE))))
    assert "利用者証明用（数字4けた）今の番号" in text
    assert "新しい番号" in text
    assert "暗証番号は代理人に見せないでください" in text
    assert "のりで封をしてください" in text
    other = squeeze(text_of(letter_pdf(make_letter(procedure=Procedure.CERT_ISSUE))))
    # §6.3: the signing password is set with the certificate
    assert "署名用（英数字6～16文字）新しい番号" in other
    assert "委任状" in other


@pytest.mark.parametrize(
    ("procedure", "kinds", "lines"),
    [
        ("pin_reset", ["authentication", "resident_register", "card_info"], 3),
        ("pin_change", ["signing", "authentication"], 3),
        ("pin_reset", ["signing"], 1),
    ],
)
def test_pin_boxes_follow_the_pins_of_the_case_and_still_print(procedure, kinds, lines):
    rows = pin_rows_for(procedure, kinds)
    assert len(rows) == lines
    pdf = letter_pdf(make_letter(procedure=procedure, pin_rows=rows))
    text = squeeze(text_of(pdf))
    for row in rows:
        assert squeeze(row.label) in text
    assert check_pdf(pdf, expected_pages=1).ok


def test_too_many_pins_for_one_sheet_are_refused():
    rows = pin_rows_for("pin_change", ["signing", "authentication", "card_info"])
    with pytest.raises(ApplicationError) as exc:
        letter_pdf(make_letter(procedure="pin_change", pin_rows=rows))
    assert exc.value.code == "letter-too-many-pins"


def test_signature_or_name_and_seal():
    text = squeeze(text_of(letter_pdf(make_letter())))
    assert "ご本人が書く" in text
    assert "お名前を書いて印鑑を押してください" in text


def test_address_block_lies_inside_the_window_minus_the_shift_tolerance():
    """docs/reference/letters-design.md §8: every address-block glyph and bar is inside
    the window."""
    pdf = letter_pdf(make_letter(name="見本 " + "花" * 10))
    to_mm = 25.4 / 72
    block = layout.ADDRESS_BLOCK
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        page = doc.pages[0]
        address_words = [
            w for w in page.extract_words()
            if any(s in w["text"] for s in ("〒", "神奈川", "様", "転送不要"))
            and w["top"] * to_mm < layout.WINDOW.bottom
        ]  # fmt: skip
        assert len(address_words) >= 4
        for w in address_words:
            box = layout.Box(
                w["x0"] * to_mm,
                w["top"] * to_mm,
                (w["x1"] - w["x0"]) * to_mm,
                (w["bottom"] - w["top"]) * to_mm,
            )
            assert block.contains(box), (w["text"], box)
        bars = [
            r
            for r in page.rects
            if r["height"] * to_mm < 4 and r["top"] * to_mm < layout.WINDOW.bottom
        ]
        assert len(bars) == 67
        for r in bars:
            box = layout.Box(r["x0"] * to_mm, r["top"] * to_mm,
                             r["width"] * to_mm, r["height"] * to_mm)  # fmt: skip
            assert block.inset(layout.BARCODE_QUIET_ZONE_MM - 0.01).contains(box)


def test_every_font_is_embedded_and_no_helvetica_is_left():
    pdf = letter_pdf(make_letter())
    reader = PdfReader(io.BytesIO(pdf))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    assert fonts
    for ref in fonts.values():
        font = ref.get_object()
        assert "BIZUDGothic" in font["/BaseFont"]
        assert "/FontFile2" in font["/FontDescriptor"]
        assert "/ToUnicode" in font
    assert b"Helvetica" not in pdf
    assert check_pdf(pdf, expected_pages=1).ok


def test_single_letter_is_small_and_the_same_every_time():
    """Re-rendering gives the same bytes, so a re-run stores the same letter."""
    data = make_letter()
    first, second = letter_pdf(data), letter_pdf(data)
    assert first == second
    assert len(first) <= 40_000


def test_print_run_is_one_pdf_in_order_and_every_page_prints():
    letters = [
        make_letter(reference_code=f"2611-2600-{i:04d}", procedure=p)
        for i, p in enumerate(LETTER_PROCEDURES * 3)
    ]
    pdf = letters_pdf(letters)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == len(letters)
    last = squeeze(reader.pages[-1].extract_text())
    assert f"照会番号{letters[-1].reference_code}" in last
    assert TITLE[letters[-1].procedure] in last
    report = check_pdf(pdf, expected_pages=len(letters))
    assert report.ok, report.problems


def test_names_with_rare_but_covered_kanji_print_and_extract():
    text = squeeze(text_of(letter_pdf(make_letter(name="髙﨑 剝子"))))
    assert "髙﨑剝子様" in text


@pytest.mark.xfail(
    strict=True,
    reason="reportlab 5.1.0 ToUnicode, docs/reference/letters-design.md §3.2",
)
def test_non_bmp_names_extract_from_the_pdf():
    text = squeeze(text_of(letter_pdf(make_letter(name="\U00029e3d 花子"))))
    assert "\U00029e3d花子様" in text
