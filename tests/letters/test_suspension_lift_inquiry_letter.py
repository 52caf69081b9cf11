"""The inquiry letter for a voluntary agent lifting a suspension
(docs/rules/05-identity-documents.md §5.2, §10).

The seed profile uses the inquiry method for this case: the holder confirms the
found card with its resident-register PIN on the sealed answer sheet (§6.2, §10);
a suspension itself is a phone call and has no letter.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from counter.constants import Procedure
from counter.errors import ApplicationError
from counter.letters import services
from counter.letters.content import LetterKind, pin_rows_for
from counter.letters.printability import check_pdf
from counter.letters.render import letter_pdf, letters_pdf

from .conftest import make_letter

DEADLINE = dt.date(2026, 12, 26)


def text_of(pdf: bytes) -> str:
    pages = PdfReader(io.BytesIO(pdf)).pages
    return "".join("".join(page.extract_text().split()) for page in pages)


def test_lifting_a_suspension_has_its_own_letter_kind():
    data = make_letter(procedure=Procedure.SUSPENSION_LIFT)
    assert data.kind is LetterKind.SUSPENSION_LIFT
    text = text_of(letter_pdf(data))
    assert "一時停止の解除についての照会書兼回答書" in text
    assert "マイナンバーカードの一時停止の解除" in text


def test_the_answer_sheet_asks_for_the_current_resident_register_pin_only():
    """§10: the found card and its PIN; nothing new is set, so no new PIN."""
    rows = pin_rows_for(Procedure.SUSPENSION_LIFT, ())
    assert [(r.label, r.moments) for r in rows] == [
        ("住民基本台帳用（数字4けた）", ("今の番号",))
    ]
    text = text_of(letter_pdf(make_letter(procedure=Procedure.SUSPENSION_LIFT)))
    assert "住民基本台帳用（数字4けた）今の番号" in text
    assert "新しい番号" not in text
    assert "回答書の暗証番号の欄に、暗証番号を書いてください。" in text
    assert "暗証番号は代理人に見せないでください" in text


def test_the_agent_brings_the_sealed_answer_the_found_card_and_id_no_attorney():
    text = text_of(letter_pdf(make_letter(procedure=Procedure.SUSPENSION_LIFT)))
    for item in (
        "・封をした回答書",
        "・見つかったあなたのマイナンバーカード",
        "・代理人の本人確認書類（運転免許証など）",
    ):
        assert item in text
    assert "委任状" not in text  # §6.2: the seed asks for it for issuance only
    assert "代理人のお名前" not in text  # the PIN frame takes that place


def test_the_letter_prints_alone_and_in_a_mixed_print_run():
    single = letter_pdf(make_letter(procedure=Procedure.SUSPENSION_LIFT))
    assert check_pdf(single, expected_pages=1).ok
    run = letters_pdf(
        make_letter(reference_code=f"2611-2600-{i:04d}", procedure=p)
        for i, p in enumerate(
            (Procedure.PIN_RESET, Procedure.SUSPENSION_LIFT, Procedure.CERT_ISSUE)
        )
    )
    assert check_pdf(run, expected_pages=3).ok
    page = "".join(PdfReader(io.BytesIO(run)).pages[1].extract_text().split())
    assert "一時停止の解除についての照会書兼回答書" in page


@pytest.mark.django_db
def test_a_suspension_lift_case_queues_and_renders_its_letter(make_case):
    case = make_case(procedure=Procedure.SUSPENSION_LIFT)
    letter = services.letter_request(case=case, deadline=DEADLINE)
    assert letter.kind == "suspension_lift"
    letter = services.letter_render(letter_id=letter.pk)
    assert letter.state == "rendered"
    text = text_of(bytes(letter.pdf))
    assert "一時停止の解除についての照会書兼回答書" in text
    assert "住民基本台帳用（数字4けた）今の番号" in text


@pytest.mark.django_db
def test_a_suspension_by_phone_still_has_no_letter(make_case):
    """§10: suspending is a call to the call centre; nothing is mailed."""
    case = make_case(procedure=Procedure.SUSPENSION)
    with pytest.raises(ApplicationError) as exc:
        services.letter_request(case=case, deadline=DEADLINE)
    assert exc.value.code == "letter-procedure-without-inquiry"
