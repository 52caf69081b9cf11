"""A card operation requested while no desk agent runs expires, and the agent
started later does not run it (issue 17; docs/adr/0006-card-identity-before-any-pin.md).

The clerk presses カード処理を開始 with no agent on the desk's PC. Past the claim
limit the request expires with its own state and message; the case is back at
"documents checked". The agent started afterwards leaves it alone: no PIN is asked,
the card is untouched. Only after the clerk confirms again does the operation run,
and the PIN pad then names the case.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from jpki_ops.models import CardOperation
from jpki_ops.pcsc.client import CardSession
from jpki_ops.services import card_operations_time_out
from tests import factories as f

from .helpers import holder_of, register_card
from .pages import ClerkScreens, PinPad

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CURRENT_PIN = "4826"


def test_an_operation_requested_with_no_agent_expires_and_is_never_run(
    counter_world: Any,
    make_virtual_card: Any,
    desk_agent: Any,
    browser_context: Any,
    live_server: Any,
    shots: Any,
    settings: Any,
) -> None:
    settings.JPKI_CARD_OPERATION_CLAIM_LIMIT = 2
    resident = f.ResidentFactory(
        municipality=counter_world.municipality,
        name="小林 翔",
        name_kana="コバヤシ ショウ",
    )
    card = make_virtual_card(holder=holder_of(resident), pins={"auth_pin": CURRENT_PIN})
    register_card(resident, card)

    clerk = ClerkScreens(browser_context.new_page(), live_server.url, shots)
    clerk.log_in("clerk")
    clerk.choose_desk(counter_world.desk)
    clerk.search("こばやし")
    clerk.choose_first_result()
    reference = clerk.open_case(procedure="pin_change", pin_kinds=("authentication",))
    clerk.tick_documents("my_number_card@holder")
    clerk.record_documents()

    # No desk agent runs: the request waits, then passes the limit.
    box = clerk.start_card_operation()
    stale = CardOperation.objects.get(pk=int(box.removeprefix("card-op-")))
    time.sleep(2.5)
    assert card_operations_time_out() >= 1  # the beat sweep
    stale.refresh_from_db()
    assert (stale.state, stale.error_code) == ("expired", "card-operation-expired")
    clerk.page.wait_for_selector(f"#{box}[data-state=expired]", timeout=15_000)
    assert "実行していません" in clerk.page.locator(f"#{box}").inner_text()
    clerk.wait_for_state("documents_checked")
    clerk.shot("expired-before-any-agent")

    # The agent starts later: it does not run the stale request.
    settings.JPKI_CARD_OPERATION_CLAIM_LIMIT = 120
    with CardSession(card.reader) as session:
        tries_before = session.pin_status("authentication").tries_left
    agent = desk_agent(card.reader)
    pad = PinPad(browser_context.new_page(), agent.pinpad_url)
    pad.open()
    time.sleep(3)  # several long-poll rounds
    stale.refresh_from_db()
    assert stale.state == "expired" and stale.claimed_by == ""
    assert pad.page.locator("#entry").is_hidden()  # no PIN asked
    with CardSession(card.reader) as session:
        assert session.pin_status("authentication").tries_left == tries_before

    # The clerk confirms again: now it runs, and the pad says whose it is.
    box = clerk.start_card_operation()
    pad.wait_for_prompt()
    whose = pad.page.locator("#whose").inner_text()
    assert "コバヤシ ショウ" in whose and reference in whose
    clerk.page.wait_for_selector(f"#{box} .card-match", timeout=15_000)
    clerk.shot("confirmed-again-card-identified")
