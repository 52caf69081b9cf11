"""A holder's PIN reset with the keyboard only (issue 15), at a counter PC's 1366×768.

The same walk as test_pin_reset_by_holder_in_the_browser, but nobody touches a mouse:
the clerk reaches every control with Tab, presses buttons and links with Enter,
ticks boxes with Space, moves inside a radio group with the arrow keys and types
text; the resident types the new signing password on the PIN pad's keyboard and
confirms with Enter. A page script counts pointer events on every page; there
must be none. Real server, desk agent, pcscd and virtual card; only the issuer
is simulated.
"""

from __future__ import annotations

from typing import Any

import pytest

from counter.models import Case
from jpki_ops.cardsim import constants as c
from tests import factories as f

from .conftest import PASSWORD
from .helpers import holder_of, lock_signing_password, register_card

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NEW_SIGNING_PASSWORD = "KEYS2FREE"
COUNTER_PC = {"width": 1366, "height": 768}

# Runs before any page script: counts what only a pointer makes.
_COUNT_POINTERS = """
window.__pointerEvents = 0;
for (const type of ["pointerdown", "mousedown", "touchstart"]) {
  document.addEventListener(type, () => { window.__pointerEvents += 1; }, true);
}
"""


class Keyboard:
    """The clerk's hands on the keyboard of one page."""

    def __init__(self, page: Any) -> None:
        self.page = page

    def focus_on(self, selector: str) -> bool:
        found = self.page.locator(selector)
        return bool(found.count()) and bool(
            found.evaluate_all("els => els.includes(document.activeElement)")
        )

    def tab_to(self, selector: str, *, limit: int = 250) -> None:
        """Tab (forward) until the focus is on ``selector``; fails if Tab never
        gets there, which is what a keyboard-only clerk would find."""
        for _ in range(limit):
            if self.focus_on(selector):
                return
            self.page.keyboard.press("Tab")
        pytest.fail(f"Tab never reaches {selector} on {self.page.url}")

    def press_on(self, selector: str, key: str = "Enter") -> None:
        self.tab_to(selector)
        self.page.keyboard.press(key)

    def type_into(self, selector: str, text: str) -> None:
        self.tab_to(selector)
        self.page.keyboard.type(text)

    def choose_radio(self, name: str, value: str) -> None:
        """Tab into the group, then the arrow keys to the wanted choice."""
        self.tab_to(f"input[type=radio][name={name}]")
        wanted = f"input[name={name}][value={value}]"
        for _ in range(12):
            if self.focus_on(wanted):
                break
            self.page.keyboard.press("ArrowDown")
        assert self.focus_on(wanted), wanted
        self.page.keyboard.press("Space")
        assert self.page.locator(wanted).is_checked()

    def choose_option(self, select: str, value: str) -> None:
        self.tab_to(select)
        for _ in range(20):
            if self.page.locator(select).input_value() == value:
                return
            self.page.keyboard.press("ArrowDown")
        pytest.fail(f"{select} has no option {value}")

    def pointer_events(self) -> int:
        return int(self.page.evaluate("() => window.__pointerEvents"))


def _settled(page: Any) -> None:
    page.locator(".htmx-request, .htmx-settling, .htmx-swapping").first.wait_for(
        state="detached"
    )


def test_a_holders_pin_reset_is_done_with_the_keyboard_only(
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
    browser_context.add_init_script(_COUNT_POINTERS)

    pad_page = browser_context.new_page()
    pad_page.set_viewport_size(COUNTER_PC)
    pad_page.goto(agent.pinpad_url)
    page = browser_context.new_page()
    page.set_viewport_size(COUNTER_PC)
    keys = Keyboard(page)

    # Log in: the address typed, then the form.
    page.goto(f"{live_server.url}/accounts/login/?next=/counter/")
    keys.type_into("#id_username", counter_world.clerk.username)
    keys.type_into("#id_password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/counter/")

    # The desk.
    keys.choose_option("#id_desk", str(counter_world.desk.pk))
    keys.press_on("form[action$='/desk/'] button[type=submit]")
    page.wait_for_selector(".desk-chip")
    shots(page, "keyboard-desk-chosen")

    # Reception: the menu link, the search, the first result.
    keys.press_on("nav.mainnav a[href$='/counter/reception/']")
    page.wait_for_url("**/counter/reception/")
    keys.type_into("#id_q", "たなか")
    page.keyboard.press("Enter")
    page.wait_for_selector("table.results")
    page.keyboard.press("Enter")  # the first result's 選択 has the focus
    page.wait_for_selector("#case-open")

    # The case: procedure, the signing password, the holder in person.
    keys.choose_radio("procedure", "pin_reset")
    keys.press_on("#pin-kinds input[value=signing]", "Space")
    assert page.locator("#pin-kinds input[value=signing]").is_checked()
    holder = page.locator("input[name=applicant_role][value=holder]")
    if not holder.is_checked():
        keys.choose_radio("applicant_role", "holder")
    shots(page, "keyboard-procedure-and-role")
    keys.press_on("#case-open button[type=submit]")
    page.wait_for_selector("#case-state[data-state=received]")
    reference = page.locator("h1 .ref").inner_text().strip()

    # Documents: Space ticks, the checklist re-evaluates, Enter records.
    for key in ("my_number_card@holder", "passport@holder"):
        keys.press_on(f"#id-checklist input[name=doc][value='{key}']", "Space")
        page.wait_for_selector(
            f"#id-checklist tr[data-key='{key}'].used, "
            f"#id-checklist tr[data-key='{key}'].rejected"
        )
        _settled(page)
    shots(page, "keyboard-documents-ticked")
    keys.press_on("#id-checklist form[method=post] button")
    page.wait_for_selector("#case-state[data-state=documents_checked]")

    # The card operation.
    keys.press_on("#card-form button[type=submit]")
    page.wait_for_selector(".card-op[data-stage=awaiting_pin]", timeout=30_000)

    # The resident types on the pad's keyboard: the new password, Enter, again.
    pad_page.bring_to_front()
    pad_page.wait_for_selector("#entry:not([hidden])")
    pad_page.keyboard.type(NEW_SIGNING_PASSWORD.lower())  # upper-cased by the pad
    pad_page.keyboard.press("Enter")
    pad_page.wait_for_selector("#step:has-text('確認')")
    pad_page.keyboard.type(NEW_SIGNING_PASSWORD)
    shots(pad_page, "keyboard-pin-pad")
    pad_page.keyboard.press("Enter")

    # The result, the completion and the receipt.
    page.bring_to_front()
    page.wait_for_selector("#case-state[data-state=ready_to_complete]", timeout=60_000)
    shots(page, "keyboard-card-done")
    keys.press_on("#next-step form button[type=submit]")
    page.wait_for_selector("#receipt")
    shots(page, "keyboard-receipt")
    assert keys.focus_on("[data-print]")  # Enter prints

    assert keys.pointer_events() == 0
    assert Keyboard(pad_page).pointer_events() == 0
    case = Case.objects.get(reference=reference)
    assert case.state == "completed"
    signing = card.state.pins[c.PIN_SIGN]
    assert signing.tries_left == signing.max_tries
    assert signing.matches(NEW_SIGNING_PASSWORD.encode())
    assert not [r for r in server_requests if NEW_SIGNING_PASSWORD in r.upper()]
