"""The resident's PIN pad in real Chromium at a counter PC's 1366×768 (issue 15).

The pad is the desk agent's own page on 127.0.0.1 (jpki_ops.agent.pinpad), served
here by a real :class:`PinPad` with the agent's side played by a thread that asks
for a PIN, as the agent does before it goes to the card. The page runs under its
own Content-Security-Policy, except where axe-core is injected.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from jpki_ops.agent.pinpad import PinPad
from tests.a11y.test_axe_on_every_screen import serious_violations

pytestmark = [pytest.mark.a11y, pytest.mark.e2e]

COUNTER_PC = {"width": 1366, "height": 768}
# The same screen with Chromium maximised, not full screen: the taskbar, the tab
# strip and the address bar take about 120 px.
COUNTER_PC_WINDOW = {"width": 1366, "height": 648}
HEADING = {
    "procedure": "暗証番号の初期化",
    "name_kana": "ヤマモト ハナコ",
    "case_reference": "C261205-ABC123",
}


class Resident:
    """The agent's thread waiting for the resident's PIN on the pad."""

    def __init__(self, pad: PinPad, kind: str, **kwargs: Any) -> None:
        self.box: dict[str, Any] = {}
        self.thread = threading.Thread(target=self._run, args=(pad, kind, kwargs))
        self.thread.start()

    def _run(self, pad: PinPad, kind: str, kwargs: dict[str, Any]) -> None:
        try:
            self.box["pin"] = pad.request_pin(kind, timeout=60, **kwargs)
        except Exception as exc:  # noqa: BLE001
            self.box["error"] = exc

    def entered(self, timeout: float = 10) -> bytes:
        self.thread.join(timeout)
        assert "pin" in self.box, self.box
        return bytes(self.box["pin"].apdu_bytes())


@pytest.fixture
def pad() -> Iterator[PinPad]:
    pad = PinPad(port=0)
    pad.start()
    yield pad
    pad.stop()


@pytest.fixture
def browser(chromium: Any) -> Iterator[Any]:
    """A counter PC's browser: Japanese, 1366×768, the page's own CSP in force."""
    context = chromium.new_context(locale="ja-JP", viewport=COUNTER_PC)
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def axe_browser(chromium: Any) -> Iterator[Any]:
    """The same, with CSP bypassed only so that axe-core can be injected."""
    context = chromium.new_context(locale="ja-JP", viewport=COUNTER_PC, bypass_csp=True)
    context.set_default_timeout(10_000)
    yield context
    context.close()


def _open(context: Any, pad: PinPad) -> Any:
    page = context.new_page()
    page.goto(pad.url)
    return page


def _shown(page: Any) -> None:
    page.wait_for_selector("#entry:not([hidden])")


def _in_view(page: Any, selector: str) -> list[str]:
    """Every element of ``selector`` that is not wholly inside the viewport."""
    size = page.viewport_size
    outside = []
    for index, element in enumerate(page.locator(selector).all()):
        box = element.bounding_box()
        if box is None or not (
            box["x"] >= 0
            and box["y"] >= 0
            and box["x"] + box["width"] <= size["width"]
            and box["y"] + box["height"] <= size["height"]
        ):
            outside.append(f"{selector}[{index}] {box}")
    return outside


def _press_keys(page: Any, value: str) -> None:
    for ch in value:
        keys = "#digits" if ch.isdigit() else "#letters"
        page.locator(f"{keys} button", has_text=re.compile(f"^{ch}$")).click()


PROMPTS = {
    "4-digit PIN": {"kind": "authentication", "tries_left": 3, "max_tries": 3},
    "4-digit PIN, last try": {"kind": "authentication", "tries_left": 1},
    "signing password": {"kind": "signing", "tries_left": 5, "max_tries": 5},
    "signing password, last try": {"kind": "signing", "tries_left": 1},
    "new signing password": {"kind": "signing", "confirm": True},
}


@pytest.mark.parametrize("viewport", [COUNTER_PC, COUNTER_PC_WINDOW], ids=str)
@pytest.mark.parametrize("name", list(PROMPTS))
def test_cancel_correct_and_enter_are_in_view_at_1366x768_without_scrolling(
    pad: PinPad, browser: Any, name: str, viewport: dict[str, int]
) -> None:
    options = dict(PROMPTS[name])
    resident = Resident(pad, str(options.pop("kind")), heading=HEADING, **options)
    page = _open(browser, pad)
    page.set_viewport_size(viewport)
    _shown(page)
    page.locator("#whose").wait_for()
    if options.get("tries_left") == 1:
        page.locator("#warning").wait_for()
    outside = [
        *_in_view(page, "#cancel, #clear, #ok"),
        *_in_view(page, "#digits button"),
        *_in_view(page, "#letters:not([hidden]) button"),
        *_in_view(page, "#title, #display"),
    ]
    assert outside == [], name
    scroll = page.locator("html").evaluate("e => e.scrollHeight")
    assert scroll <= viewport["height"], "the pad scrolls"
    buttons = page.locator(".actions button").all_inner_texts()
    assert buttons == ["取消", "訂正", "決定"]
    if "signing" in name:
        assert page.locator("#letters button:visible").count() == 26
    else:
        assert page.locator("#letters").is_hidden()  # no A–Z for a 4-digit PIN
    pad.cancel_current()
    resident.thread.join(5)


def test_the_last_try_asks_before_sending_also_after_a_refused_entry(
    pad: PinPad, browser: Any
) -> None:
    resident = Resident(pad, "authentication", tries_left=1, max_tries=3)
    page = _open(browser, pad)
    _shown(page)
    dialog = page.locator("#last-try")

    _press_keys(page, "2468")
    page.click("#ok")
    dialog.wait_for()
    assert "最後の1回です。よろしいですか。" in dialog.inner_text()
    assert _in_view(page, "#last-try-send, #last-try-back") == []
    page.click("#last-try-back")  # the resident hesitates: nothing is sent
    dialog.wait_for(state="hidden")
    page.wait_for_timeout(300)
    assert resident.box == {} and pad.state()["prompt"] is not None

    # A wasted round: the wrong shape is refused on the pad, the try is kept ...
    page.click("#clear")
    _press_keys(page, "24")
    page.click("#ok")
    dialog.wait_for()
    page.click("#last-try-send")
    page.wait_for_selector("#error:has-text('4')")
    assert resident.box == {}
    # ... and the next entry asks again before it is sent.
    _press_keys(page, "2468")
    page.click("#ok")
    dialog.wait_for()
    assert resident.box == {}
    page.click("#last-try-send")
    assert resident.entered() == b"2468"


def test_the_pad_is_typed_on_with_a_keyboard(pad: PinPad, browser: Any) -> None:
    """A USB numeric keypad or a keyboard: digits, letters, Backspace, Enter."""
    resident = Resident(pad, "signing", tries_left=5, max_tries=5)
    page = _open(browser, pad)
    _shown(page)
    page.keyboard.type("abc12x")
    page.keyboard.press("Backspace")
    assert page.locator("#display").inner_text() == "●" * 5
    page.keyboard.type("3Z")
    page.keyboard.press("Enter")
    assert resident.entered() == b"ABC123Z"


def _axe(page: Any, state: str) -> None:
    assert page.locator("html").get_attribute("lang") == "ja"
    found = serious_violations(page)
    assert found == [], f"{state}: " + json.dumps(found, ensure_ascii=False, indent=1)
    unnamed = [
        b.get_attribute("id") or b.inner_html()
        for b in page.locator("button:visible").all()
        if not b.inner_text().strip() and not b.get_attribute("aria-label")
    ]
    assert unnamed == [], state


def test_the_idle_pad_has_no_serious_accessibility_violation(
    pad: PinPad, axe_browser: Any
) -> None:
    page = _open(axe_browser, pad)
    page.wait_for_selector("#idle:not([hidden])")
    assert "職員の案内" in page.locator("#idle").inner_text()
    _axe(page, "idle")


@pytest.mark.parametrize("name", ["4-digit PIN", "signing password"])
def test_a_pin_prompt_has_no_serious_accessibility_violation(
    pad: PinPad, axe_browser: Any, name: str
) -> None:
    options = dict(PROMPTS[name])
    resident = Resident(pad, str(options.pop("kind")), heading=HEADING, **options)
    page = _open(axe_browser, pad)
    _shown(page)
    page.locator("#whose").wait_for()
    _axe(page, name)
    pad.cancel_current()
    resident.thread.join(5)


def test_the_last_try_warning_and_question_have_no_serious_accessibility_violation(
    pad: PinPad, axe_browser: Any
) -> None:
    resident = Resident(pad, "authentication", tries_left=1, max_tries=3)
    page = _open(axe_browser, pad)
    _shown(page)
    page.locator("#warning").wait_for()
    assert "残り" in page.locator("#tries").inner_text()
    _axe(page, "last-try warning")
    _press_keys(page, "1357")
    page.click("#ok")
    page.locator("#last-try").wait_for()
    _axe(page, "last-try question")
    page.click("#last-try-back")
    pad.cancel_current()
    resident.thread.join(5)
    assert "error" in resident.box  # cancelled, never sent
