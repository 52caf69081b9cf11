"""What the clerk sees when the card step goes wrong (§2): the card pulled out of
the reader, a wrong PIN with the tries left, and the warning before the last try.

A holder changes the user-authentication PIN (4 digits, locked after 3 wrong
tries). Each fault leaves the case at "documents checked", so the clerk can try
again, and nothing on the card changes except the spent tries.
"""

from __future__ import annotations

from typing import Any

import pytest

from counter.models import AuditEvent, Case
from jpki_ops.cardsim import constants as c
from tests import factories as f

from .helpers import holder_of, register_card
from .pages import ClerkScreens, PinPad

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CURRENT_PIN = "4826"


def test_card_faults_shown_to_the_clerk(
    counter_world: Any,
    make_virtual_card: Any,
    desk_agent: Any,
    browser_context: Any,
    live_server: Any,
    shots: Any,
) -> None:
    resident = f.ResidentFactory(
        municipality=counter_world.municipality,
        name="小林 翔",
        name_kana="コバヤシ ショウ",
    )
    card = make_virtual_card(holder=holder_of(resident), pins={"auth_pin": CURRENT_PIN})
    register_card(resident, card)
    agent = desk_agent(card.reader)

    clerk = ClerkScreens(browser_context.new_page(), live_server.url, shots)
    pad = PinPad(browser_context.new_page(), agent.pinpad_url)
    pad.open()
    clerk.log_in("clerk")
    clerk.choose_desk(counter_world.desk)
    clerk.search("こばやし")
    clerk.choose_first_result()
    reference = clerk.open_case(procedure="pin_change", pin_kinds=("authentication",))
    clerk.tick_documents("my_number_card@holder")
    clerk.record_documents()

    # The card is pulled out while the resident types.
    box = clerk.start_card_operation()
    pad.wait_for_prompt()
    card.remove()
    pad.type_pin(CURRENT_PIN)
    clerk.wait_for_operation_failure(box, "card-removed")
    assert clerk.state() == "documents_checked"
    clerk.shot("card-removed")
    card.insert()

    # A wrong current PIN: one try spent, two left.
    box = clerk.start_card_operation()
    pad.wait_for_prompt()
    pad.type_pin("1111")
    clerk.wait_for_operation_failure(box, "pin-wrong")
    assert "2" in clerk.page.locator(f"#{box} .op-line").inner_text()
    clerk.shot("wrong-pin-two-tries-left")

    # Another wrong PIN: the clerk is warned before the last try.
    box = clerk.start_card_operation()
    pad.wait_for_prompt()
    pad.type_pin("2222")
    clerk.wait_for_operation_failure(box, "pin-wrong")
    assert clerk.page.locator(f"#{box} .last-try").is_visible()
    clerk.shot("wrong-pin-last-try-warning")

    # With one try left the agent stops before spending it.
    box = clerk.start_card_operation()
    clerk.wait_for_operation_failure(box, "pin-last-try-unconfirmed")
    clerk.shot("last-try-not-spent")

    assert card.state.pins[c.PIN_AUTH].tries_left == 1
    assert card.state.pins[c.PIN_AUTH].matches(CURRENT_PIN.encode())
    case = Case.objects.get(reference=reference)
    assert case.state == "documents_checked"
    failures = AuditEvent.objects.filter(case=case, action="card_operation_failed")
    assert {e.data["error_code"] for e in failures} == {
        "card-removed",
        "pin-wrong",
        "pin-last-try-unconfirmed",
    }
