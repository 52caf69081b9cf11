"""A holder whose signing password is locked resets it at the counter (§5.2, §11).

The clerk finds the resident, opens a PIN reset, ticks the card and one class A
document besides it, starts the card operation; the resident types the new
password twice on the desk's PIN pad; the simulated issuer authorises the reset;
the clerk completes the case and prints the receipt. The new password works on
the card and is nowhere in the database.
"""

from __future__ import annotations

from typing import Any

import pytest

from counter.models import Case, Certificate
from jpki_ops.cardsim import constants as c
from tests import factories as f

from .helpers import (
    holder_of,
    lock_signing_password,
    pin_found_in_database,
    register_card,
)
from .pages import ClerkScreens, PinPad

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NEW_SIGNING_PASSWORD = "RESET7CANARY"


def test_pin_reset_by_holder(
    counter_world: Any,
    make_virtual_card: Any,
    desk_agent: Any,
    browser_context: Any,
    live_server: Any,
    shots: Any,
    server_requests: list[str],
) -> None:
    resident = f.ResidentFactory(
        municipality=counter_world.municipality,
        name="田中 誠",
        name_kana="タナカ マコト",
    )
    card = make_virtual_card(holder=holder_of(resident))
    assert lock_signing_password(card) == 0
    register_card(resident, card, signing_pin_locked=True)
    agent = desk_agent(card.reader)

    clerk = ClerkScreens(browser_context.new_page(), live_server.url, shots)
    pad = PinPad(browser_context.new_page(), agent.pinpad_url)
    pad.open()

    clerk.log_in("clerk")
    clerk.choose_desk(counter_world.desk)
    clerk.shot("queue")
    clerk.search("たなか")
    clerk.shot("reception-search")
    clerk.choose_first_result()
    reference = clerk.open_case(procedure="pin_reset", pin_kinds=("signing",))
    assert clerk.state() == "received"
    clerk.shot("case-opened")

    clerk.tick_documents("my_number_card@holder", "passport@holder")
    clerk.shot("documents-ticked")
    clerk.record_documents()
    assert clerk.state() == "documents_checked"
    clerk.shot("documents-recorded")

    clerk.start_card_operation()
    pad.wait_for_prompt()
    clerk.wait_for_card_stage("awaiting_pin")
    clerk.shot("card-waiting-for-pin-pad")
    shots(pad.page, "pin-pad-new-password")
    pad.enter_new_pin(NEW_SIGNING_PASSWORD)

    clerk.wait_for_state("ready_to_complete")
    clerk.shot("card-operation-done")
    clerk.complete()
    clerk.shot("receipt")
    assert clerk.shot_printed_receipt()

    case = Case.objects.get(reference=reference)
    assert case.state == "completed"
    state = card.state.pins[c.PIN_SIGN]
    assert state.tries_left == state.max_tries
    assert state.matches(NEW_SIGNING_PASSWORD.encode())
    assert not Certificate.objects.get(card=case.card, kind="signing").pin_locked
    assert pin_found_in_database(NEW_SIGNING_PASSWORD) == []
    assert NEW_SIGNING_PASSWORD not in agent.log.read_text()
    assert server_requests
    assert not [r for r in server_requests if NEW_SIGNING_PASSWORD in r]

    # The supervisor sees the day's count for the procedure and office.
    supervisor = ClerkScreens(browser_context.new_page(), live_server.url, shots)
    supervisor.log_in("supervisor")
    supervisor.page.goto(f"{live_server.url}/counter/console/")
    counts = supervisor.page.locator("#counts table").inner_text()
    assert "暗証番号の初期化" in counts
    supervisor.shot("supervisor-console")
