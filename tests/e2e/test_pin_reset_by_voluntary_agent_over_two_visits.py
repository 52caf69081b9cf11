"""A voluntary agent resets the holder's signing password in two visits (§6.2).

Visit 1: the agent brings the holder's card and their own class A document; the
clerk sends the inquiry letter, which a real Celery worker renders. The holder
writes the new password on the answer sheet and seals it. Visit 2: the clerk scans
the letter's reference code (typed into the pickup field, as a scanner does),
checks the sealed answer sheet, the card, the agent's document and the proof
that the holder cannot come, and types the written password on the PIN pad.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from typing import Any

import pdfplumber
import pytest

from counter.letters.models import InquiryLetter, LetterState
from counter.letters.services import letter_mark_mailed, print_run_create
from counter.models import Case
from jpki_ops.cardsim import constants as c
from tests import factories as f
from tests.fixtures.celery_worker import wait_until

from .helpers import holder_of, pin_found_in_database, register_card
from .pages import ClerkScreens, PinPad

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WRITTEN_ON_ANSWER_SHEET = "SHEET5CANARY"
REFERENCE = re.compile(r"\d{4}-\d{4}-\d{4}")


def _letter_page_image(letter: InquiryLetter, shots: Any, step: str) -> str:
    """Page 1 of the rendered PDF as a PNG among the steps; its reference text."""
    pdf = shots.dir / f"{letter.reference}.pdf"
    pdf.write_bytes(bytes(letter.pdf))
    shots.n += 1
    stem = shots.dir / f"{shots.n:02d}-{step}"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile",
         str(pdf), str(stem)],
        check=True,
    )  # fmt: skip
    with pdfplumber.open(pdf) as document:
        return "\n".join(page.extract_text() or "" for page in document.pages)


def test_pin_reset_by_voluntary_agent_over_two_visits(
    counter_world: Any,
    make_virtual_card: Any,
    desk_agent: Any,
    celery_worker: Any,
    browser_context: Any,
    live_server: Any,
    shots: Any,
    server_requests: list[str],
) -> None:
    resident = f.ResidentFactory(
        municipality=counter_world.municipality,
        name="松本 隆",
        name_kana="マツモト タカシ",
    )
    card = make_virtual_card(holder=holder_of(resident))
    register_card(resident, card)
    agent = desk_agent(card.reader)

    clerk = ClerkScreens(browser_context.new_page(), live_server.url, shots)
    pad = PinPad(browser_context.new_page(), agent.pinpad_url)
    pad.open()
    clerk.log_in("clerk")
    clerk.choose_desk(counter_world.desk)

    # --- visit 1: the agent applies; the city mails the inquiry letter.
    clerk.search("まつもと")
    clerk.choose_first_result()
    reference = clerk.open_case(
        procedure="pin_reset",
        role="voluntary_agent",
        pin_kinds=("signing",),
        agent={
            "name": "松本 花子",
            "relationship": "長女",
            "address": "神奈川県厚木市旭町1-1-1",
        },
    )
    clerk.shot("visit1-case-opened")
    clerk.tick_documents("my_number_card@holder", "driving_licence@applicant")
    clerk.record_documents()
    clerk.shot("visit1-documents-recorded")
    clerk.send_inquiry()
    clerk.shot("visit1-inquiry-letter-requested")

    case = Case.objects.get(reference=reference)
    assert wait_until(
        lambda: InquiryLetter.objects.filter(
            case=case, state=LetterState.RENDERED
        ).exists(),
        timeout=90,
    ), celery_worker.log()[-3000:]
    letter = InquiryLetter.objects.get(case=case)
    text = _letter_page_image(letter, shots, "letter-page-1")
    printed = REFERENCE.findall(text.replace(" ", ""))
    assert letter.reference in printed
    clerk.page.reload()
    clerk.page.wait_for_selector(f"tr[data-letter-state={LetterState.RENDERED}]")
    clerk.shot("visit1-letter-rendered")

    # The back office prints the day's run and posts the letter; the agent can
    # only come back another day (docs/rules/06-agents.md §6.3). The first visit
    # moves one day back: the browser and the server share no clock to freeze.
    print_run_create(municipality=letter.municipality, actor=case.created_by)
    letter.refresh_from_db()
    letter_mark_mailed(letter=letter, actor=case.created_by)
    Case.objects.filter(pk=case.pk).update(
        created_at=case.created_at - dt.timedelta(days=1)
    )

    # --- visit 2: the agent returns with the sealed answer sheet.
    clerk.pickup(printed[0])
    assert clerk.state() == "received"
    clerk.shot("visit2-found-by-reference")
    clerk.tick_documents(
        "inquiry_answer_sheet@holder",
        "my_number_card@holder",
        "driving_licence@applicant",
        "medical_certificate@holder",
    )
    clerk.tick_detail("sealed_inquiry_answer_sheet@holder")
    clerk.shot("visit2-documents-ticked")
    clerk.record_documents()
    assert clerk.state() == "documents_checked"

    clerk.start_card_operation()
    pad.wait_for_prompt()
    clerk.wait_for_card_stage("awaiting_pin")
    clerk.shot("visit2-clerk-types-the-written-password")
    shots(pad.page, "pin-pad-written-password")
    pad.enter_new_pin(WRITTEN_ON_ANSWER_SHEET)
    clerk.wait_for_state("ready_to_complete")
    clerk.complete()
    clerk.shot("visit2-receipt")

    case.refresh_from_db()
    assert case.state == "completed"
    assert case.visit == 2
    letter.refresh_from_db()
    assert letter.state == LetterState.ANSWERED
    assert card.state.pins[c.PIN_SIGN].matches(WRITTEN_ON_ANSWER_SHEET.encode())
    assert pin_found_in_database(WRITTEN_ON_ANSWER_SHEET) == []
    assert not [r for r in server_requests if WRITTEN_ON_ANSWER_SHEET in r]
