"""Page objects: what a clerk and a resident do on the screens, step by step.

Selectors are ids and names the templates promise (counter/screens); text is
matched only where the clerk reads it (Japanese), so a broken translation shows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .conftest import PASSWORD, Shots


@dataclass
class ClerkScreens:
    page: Any
    base_url: str
    shots: Shots

    def shot(self, step: str) -> None:
        self.shots(self.page, step)

    def log_in(self, username: str) -> None:
        self.page.goto(f"{self.base_url}/accounts/login/?next=/counter/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", PASSWORD)
        self.page.press("#id_password", "Enter")
        self.page.wait_for_url(re.compile(r"/counter/$"))

    def choose_desk(self, desk: Any) -> None:
        self.page.select_option("#id_desk", value=str(desk.pk))
        self.page.click("form[action$='/desk/'] button[type=submit]")
        self.page.wait_for_selector(".desk-chip")

    def search(self, text: str) -> None:
        self.page.goto(f"{self.base_url}/counter/reception/")
        self.page.fill("#id_q", text)
        self.page.press("#id_q", "Enter")
        self.page.wait_for_selector("table.results")

    def choose_first_result(self) -> None:
        # Keyboard: the first result's "Choose" has the focus after a search.
        self.page.keyboard.press("Enter")
        self.page.wait_for_selector("#case-open")

    def open_case(
        self,
        *,
        procedure: str,
        role: str = "holder",
        pin_kinds: tuple[str, ...] = (),
        certificate_kinds: tuple[str, ...] = (),
        agent: dict[str, str] | None = None,
    ) -> str:
        form = self.page.locator("#case-open")
        form.locator(f"input[name=procedure][value={procedure}]").check()
        form.locator(f"input[name=applicant_role][value={role}]").check()
        for kind in pin_kinds:
            form.locator(f"input[name=pin_kinds][value={kind}]").check()
        for kind in certificate_kinds:
            form.locator(f"input[name=certificate_kinds][value={kind}]").check()
        for field, value in (agent or {}).items():
            form.locator(f"[name=agent_{field}]").fill(value)
        self.shot("procedure-and-role")
        form.locator("button[type=submit]").click()
        self.page.wait_for_selector("#case-state")
        return self.reference()

    def reference(self) -> str:
        return str(self.page.locator("h1 .ref").inner_text()).strip()

    def state(self) -> str:
        return str(self.page.locator("#case-state").get_attribute("data-state"))

    def tick_documents(self, *keys: str) -> None:
        """Tick ``code@owner`` rows; the checklist re-evaluates after each tick."""
        for key in keys:
            self.page.locator(f"#id-checklist input[name=doc][value='{key}']").check()
            self.page.wait_for_selector(
                f"#id-checklist tr[data-key='{key}'].used, "
                f"#id-checklist tr[data-key='{key}'].rejected"
            )

    def tick_detail(self, name: str) -> None:
        """A detail checkbox of a row (``sealed_<key>``, ``copy_<key>``)."""
        self.page.locator(f"#id-checklist input[name='{name}']").check()
        self.htmx_settled()
        self.page.wait_for_selector(f"#id-checklist input[name='{name}']:checked")

    def htmx_settled(self) -> None:
        # A locator wait, not a script string: the pages' CSP forbids eval.
        self.page.locator(
            ".htmx-request, .htmx-settling, .htmx-swapping"
        ).first.wait_for(state="detached")

    def record_documents(self) -> None:
        self.htmx_settled()
        self.page.locator("#id-checklist form[method=post] button").click()
        self.page.wait_for_selector("#case-state")

    def start_card_operation(self) -> str:
        """Press the card step's button; returns the new operation's element id."""
        boxes = self.page.locator(".card-op")
        old = boxes.first.get_attribute("id") if boxes.count() else None
        self.page.locator("#card-form button[type=submit]").click()
        selector = f".card-op:not(#{old})" if old else ".card-op"
        self.page.wait_for_selector(selector)
        return str(self.page.locator(selector).first.get_attribute("id"))

    def wait_for_operation_failure(self, box_id: str, code: str) -> None:
        self.page.wait_for_selector(
            f"#{box_id}[data-state=failed][data-error-code={code}]", timeout=30_000
        )

    def wait_for_card_stage(self, stage: str, timeout: float = 20_000) -> None:
        """``awaiting_pin``, ``issuer``, ``card_io`` (what the agent reports)."""
        self.page.wait_for_selector(f".card-op[data-stage={stage}]", timeout=timeout)

    def wait_for_state(self, state: str, timeout: float = 30_000) -> None:
        self.page.wait_for_selector(f"#case-state[data-state={state}]", timeout=timeout)

    def complete(self) -> None:
        self.page.locator("#next-step form button[type=submit]").click()
        self.page.wait_for_selector("#receipt")

    def shot_printed_receipt(self) -> bool:
        """The receipt as the printer gets it (print CSS: no menus, A4); whether
        the screen's menus were left out."""
        self.page.emulate_media(media="print")
        self.shot("receipt-as-printed")
        menus_hidden = self.page.locator(".topbar").is_hidden()
        self.page.emulate_media(media="screen")
        return bool(menus_hidden)

    def send_inquiry(self) -> None:
        self.page.locator("#next-step form button[type=submit]").click()
        self.wait_for_state("awaiting_second_visit")

    def pickup(self, reference_code: str) -> None:
        self.page.goto(f"{self.base_url}/counter/pickup/")
        # A barcode scanner types the code and presses Enter; so does this.
        self.page.fill("#id_reference", reference_code)
        self.shot("second-visit-scan")
        self.page.press("#id_reference", "Enter")
        self.page.wait_for_selector("#case-state")


@dataclass
class PinPad:
    """The resident-facing PIN pad page the desk agent serves on 127.0.0.1."""

    page: Any
    url: str

    def open(self) -> None:
        self.page.goto(self.url)

    def wait_for_prompt(self, timeout: float = 20_000) -> str:
        self.page.wait_for_selector("#entry:not([hidden])", timeout=timeout)
        return str(self.page.locator("#title").inner_text())

    def type_pin(self, value: str) -> None:
        for ch in value:
            keys = "#digits" if ch.isdigit() else "#letters"
            self.page.locator(f"{keys} button", has_text=re.compile(f"^{ch}$")).click()
        self.page.click("#ok")

    def enter_new_pin(self, value: str) -> None:
        """New PIN and its confirmation, as the pad asks for them."""
        self.type_pin(value)
        self.page.wait_for_selector("#step:has-text('確認')")
        self.type_pin(value)
