"""The resident-facing PIN pad: a small page served by the desk agent on 127.0.0.1.

When an operation needs a PIN, the agent opens a *prompt* here (which PIN, tries
left, a warning before the last try) and blocks until the resident submits or
cancels. The submitted PIN goes straight into a :class:`~jpki_ops.pcsc.pin.Pin`
and from there to the card; it is never written to a log, echoed in a response or
sent to the server (docs/reference/architecture.md "PINs stay at the desk").

The page is plain HTML + a little JavaScript polling ``/state``. Submitting is an
ordinary POST to ``/entry`` on 127.0.0.1, which is also how automated tests act as
the resident. Who may read the prompt and type is decided in
:mod:`jpki_ops.agent.pinpad_http`: the pad's own Host and Origin, and this pad's
session secret, which only the page it serves carries. A POST must also name the
current prompt's random id.

On the last try the page asks the resident to confirm before it sends, and the pad
refuses a last-try entry that does not say it was confirmed (a wrong entry then
locks the PIN; docs/rules/02-certificates-and-pins.md §2).
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import ThreadingHTTPServer
from typing import Any

from django.utils.translation import gettext_lazy as _

from counter.errors import ApplicationError
from jpki_ops.pcsc.errors import CardError
from jpki_ops.pcsc.pin import Pin
from jpki_ops.pcsc.policy import pin_shape_check

from .pinpad_http import handler_for

logger = logging.getLogger(__name__)


class PinEntryCancelled(CardError):
    default_code = "pin-entry-cancelled"

    def __init__(self) -> None:
        from django.utils.translation import gettext_lazy

        super().__init__(gettext_lazy("The PIN entry was cancelled on the PIN pad."))


class PinEntryTimeout(CardError):
    default_code = "pin-entry-timeout"

    def __init__(self) -> None:
        from django.utils.translation import gettext_lazy

        super().__init__(gettext_lazy("Nobody entered the PIN in time."))


@dataclass
class Prompt:
    """One open request for a PIN; ``pin`` is set by the HTTP thread."""

    kind: str
    title: str
    tries_left: int | None
    max_tries: int | None
    confirm: bool = False
    # Whose operation this is: procedure, name in kana, case reference (nothing
    # else personal), so resident and clerk see it at once.
    heading: dict[str, str] = field(default_factory=dict)
    prompt_id: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    pin: Pin | None = None
    cancelled: bool = False
    error: str = ""
    done: threading.Event = field(default_factory=threading.Event)

    @property
    def last_try(self) -> bool:
        return self.tries_left == 1

    def public(self) -> dict[str, Any]:
        """What the page may show: never the PIN."""
        return {
            "prompt_id": self.prompt_id,
            "kind": self.kind,
            "title": self.title,
            "tries_left": self.tries_left,
            "max_tries": self.max_tries,
            "last_try": self.last_try,
            "confirm": self.confirm,
            "alphanumeric": self.kind == "signing",
            "error": self.error,
            "heading": dict(self.heading),
        }


HEADING_KEYS = ("procedure", "name_kana", "case_reference")

PIN_TITLES = {
    "signing": _("Signing password (6–16 capital letters and digits)"),
    "authentication": _("User-authentication PIN (4 digits)"),
    "resident_register": _("Resident-register PIN (4 digits)"),
    "card_info": _("Card-info PIN (4 digits)"),
}


class PinPad:
    """Serves the page and hands PINs from the page to the agent's operation thread."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        if host not in ("127.0.0.1", "::1", "localhost"):
            raise ValueError("the PIN pad listens on loopback only")
        self._lock = threading.Lock()
        self._prompt: Prompt | None = None
        self._message = ""
        # This pad's session secret: put into the page it serves, required on
        # every other request (see pinpad_http).
        self.session_token = secrets.token_urlsafe(32)
        # Called with (PIN kind, refusal code) when a PIN of the wrong shape is typed.
        self.on_refused: Callable[[str, str], None] | None = None
        self._server = ThreadingHTTPServer((host, port), handler_for(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="pinpad", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self.cancel_current()
        self._server.shutdown()
        self._server.server_close()

    # -- agent side ------------------------------------------------------------

    def show_message(self, text: str) -> None:
        with self._lock:
            self._message = text

    def request_pin(
        self,
        kind: str,
        *,
        tries_left: int | None = None,
        max_tries: int | None = None,
        confirm: bool = False,
        title: str | None = None,
        timeout: float = 300.0,
        heading: dict[str, Any] | None = None,
    ) -> Pin:
        """Block until the resident enters a PIN of ``kind`` (or cancels).

        A PIN of the wrong shape is refused here, on the pad, with the foundation's
        message, and the prompt stays open: it never reaches the card, so it costs
        no try (docs/rules/02-certificates-and-pins.md §2).
        """
        prompt = Prompt(
            kind=kind,
            title=str(title or PIN_TITLES.get(kind, kind)),
            tries_left=tries_left,
            max_tries=max_tries,
            confirm=confirm,
            heading={
                k: str(v)[:80]
                for k, v in (heading or {}).items()
                if k in HEADING_KEYS and v
            },
        )
        with self._lock:
            if self._prompt is not None:
                self._prompt.cancelled = True
                self._prompt.done.set()
            self._prompt = prompt
        try:
            if not prompt.done.wait(timeout):
                raise PinEntryTimeout()
            if prompt.cancelled or prompt.pin is None:
                raise PinEntryCancelled()
            pin, prompt.pin = prompt.pin, None
            return pin
        finally:
            with self._lock:
                if self._prompt is prompt:
                    self._prompt = None

    def cancel_current(self) -> None:
        with self._lock:
            if self._prompt is not None:
                self._prompt.cancelled = True
                self._prompt.done.set()

    # -- page side -------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        with self._lock:
            # An answered prompt is no longer asking: the page (and a second tap)
            # must not answer it again while the agent is still at the card.
            open_prompt = self._prompt
            if open_prompt is not None and open_prompt.done.is_set():
                open_prompt = None
            prompt = open_prompt.public() if open_prompt else None
            return {"prompt": prompt, "message": self._message}

    def submit(
        self,
        prompt_id: str,
        value: str,
        confirm_value: str | None,
        *,
        last_try_confirmed: bool = False,
    ) -> tuple[int, str]:
        """Called by the HTTP thread; returns (HTTP status, message for the page)."""
        with self._lock:
            prompt = self._prompt
            if (
                prompt is None
                or prompt.done.is_set()
                or not secrets.compare_digest(prompt.prompt_id, prompt_id)
            ):
                return HTTPStatus.CONFLICT, str(_("No PIN is being asked for."))
            if prompt.last_try and not last_try_confirmed:
                # Nothing is kept and nothing is spent: the page asks first.
                return HTTPStatus.PRECONDITION_REQUIRED, str(
                    _("This is the last try: confirm it on the pad before sending.")
                )
            if prompt.confirm and (confirm_value is None or confirm_value != value):
                prompt.error = str(
                    _("The two entries do not match. Please enter the PIN again.")
                )
                return HTTPStatus.BAD_REQUEST, prompt.error
            try:
                pin = Pin(prompt.kind, value)
            except (UnicodeEncodeError, ValueError):
                prompt.error = _pin_shape_message(prompt.kind)
                return HTTPStatus.BAD_REQUEST, prompt.error
            try:
                pin_shape_check(pin)
            except ApplicationError as exc:
                pin.wipe()
                prompt.error = str(exc.message)
                refused = (prompt.kind, exc.code)
            else:
                prompt.pin = pin
                prompt.error = ""
                prompt.done.set()
                return HTTPStatus.OK, str(_("Accepted."))
        # Outside the lock: the agent reports the refusal (its code, never the
        # value) for the audit trail; the resident types again on the same prompt.
        if self.on_refused is not None:
            self.on_refused(*refused)
        return HTTPStatus.BAD_REQUEST, prompt.error

    def cancel(self, prompt_id: str) -> tuple[int, str]:
        with self._lock:
            prompt = self._prompt
            if prompt is None or not secrets.compare_digest(
                prompt.prompt_id, prompt_id
            ):
                return HTTPStatus.CONFLICT, str(_("No PIN is being asked for."))
            prompt.cancelled = True
            prompt.done.set()
            return HTTPStatus.OK, str(_("Cancelled."))


def _pin_shape_message(kind: str) -> str:
    if kind == "signing":
        return str(
            _("Enter 6 to 16 capital letters and digits, with at least one of each.")
        )
    return str(_("Enter the PIN as 4 digits."))
