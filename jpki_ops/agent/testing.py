"""A desk agent wired to a live server, for tests, the bench and the demo.

It is the *real* agent (HTTP to the desk API, pyscard to pcscd, the PIN pad on
127.0.0.1); this module only adds the hands of the people around it: the clerk
who requests operations and reads their status, and the resident who types on the
PIN pad (an HTTP POST to 127.0.0.1, never to the server).
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http import HTTPStatus
from typing import Any

from jpki_ops.models import CARD_OPERATION_OPEN_STATES, CardOperation
from jpki_ops.services import card_operation_request

from .main import DeskAgent


class _PadPage(HTMLParser):
    """Reads the session secret out of the pad's page, as its script does
    (``document.querySelector('meta[name="pinpad-token"]').content``)."""

    def __init__(self) -> None:
        super().__init__()
        self.token = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "meta" and found.get("name") == "pinpad-token":
            self.token = found.get("content") or ""


_pad_tokens: dict[str, str] = {}


def pinpad_origin(pad_url: str) -> str:
    parts = urllib.parse.urlsplit(pad_url)
    return f"{parts.scheme}://{parts.netloc}"


def pinpad_token(pad_url: str) -> str:
    """The secret the page served by the pad carries (a fresh read of the page)."""
    with urllib.request.urlopen(pad_url.rstrip("/") + "/", timeout=10) as r:  # noqa: S310
        parser = _PadPage()
        parser.feed(r.read().decode("utf-8"))
    if not parser.token:
        raise RuntimeError("the PIN pad page carries no session secret")
    _pad_tokens[pinpad_origin(pad_url)] = parser.token
    return parser.token


def _pad_call(
    pad_url: str, path: str, body: dict[str, Any] | None
) -> tuple[int, dict[str, Any]]:
    """One request as the page makes it: its origin and the page's secret. A pad
    started again on the same port has a new secret: the page is read once more."""
    origin = pinpad_origin(pad_url)
    for attempt in (1, 2):
        token = _pad_tokens.get(origin) or pinpad_token(pad_url)
        headers = {"X-Pinpad-Token": token}
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers |= {"Content-Type": "application/json", "Origin": origin}
        request = urllib.request.Request(  # noqa: S310 - loopback only
            pad_url.rstrip("/") + path,
            data=data,
            method="GET" if body is None else "POST",
            headers=headers,
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            if exc.code == HTTPStatus.FORBIDDEN and attempt == 1:
                _pad_tokens.pop(origin, None)
                continue
            return exc.code, json.loads(exc.read() or b"{}")
    raise AssertionError("unreachable")


def pinpad_post(
    pad_url: str, path: str, body: dict[str, Any]
) -> tuple[int, dict[str, Any]]:
    """What the resident's finger does: the page's POST to the PIN pad on 127.0.0.1."""
    return _pad_call(pad_url, path, body)


def pinpad_state(pad_url: str) -> dict[str, Any]:
    """What the page polls: the open prompt (its id, never a PIN) and the message."""
    status, state = _pad_call(pad_url, "/state", None)
    if status != HTTPStatus.OK:
        raise RuntimeError(f"the PIN pad refused /state: {status}")
    return state


@dataclass
class AgentHarness:
    server_url: str
    token: str
    reader: str
    desk: Any
    agents: list[DeskAgent] = field(default_factory=list)

    @property
    def agent(self) -> DeskAgent:
        return self.agents[-1]

    @property
    def pad_url(self) -> str:
        return self.agent.pinpad.url

    def start_agent(self) -> DeskAgent:
        agent = DeskAgent(
            server_url=self.server_url,
            token=self.token,
            reader=self.reader,
            pinpad_port=0,
            poll_wait=1,
            pin_timeout=30,
        ).start()
        self.agents.append(agent)
        # Requests made before the session is announced would expire (never run by
        # an agent that started after them): the clerk acts once the agent is up.
        agent.announced.wait(15)
        return agent

    def stop(self) -> None:
        for agent in self.agents:
            if not agent.stop_event.is_set():
                agent.stop()
            else:
                agent.pinpad.stop()

    # -- the clerk ------------------------------------------------------------------

    def request(
        self,
        kind: str,
        parameters: dict[str, Any] | None = None,
        *,
        case: Any = None,
        user: Any = None,
    ) -> CardOperation:
        return card_operation_request(
            desk=self.desk,
            kind=kind,
            parameters=parameters or {},
            case=case,
            requested_by=user,
            idempotency_key=uuid.uuid4().hex,
        )

    def wait(self, operation: CardOperation, timeout: float = 30) -> CardOperation:
        """Until the operation is finished (the clerk's screen polling)."""
        deadline = time.monotonic() + timeout
        while True:
            operation.refresh_from_db()
            if operation.state not in CARD_OPERATION_OPEN_STATES:
                return operation
            if time.monotonic() > deadline:
                raise TimeoutError(f"operation {operation.pk} still {operation.state}")
            time.sleep(0.05)

    def wait_claimed(
        self, operation: CardOperation, timeout: float = 15
    ) -> CardOperation:
        deadline = time.monotonic() + timeout
        while True:
            operation.refresh_from_db()
            if operation.state != "requested":
                return operation
            if time.monotonic() > deadline:
                raise TimeoutError(f"operation {operation.pk} never claimed")
            time.sleep(0.05)

    # -- the resident ---------------------------------------------------------------

    def prompt(self, timeout: float = 15) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = pinpad_state(self.pad_url)
            if state["prompt"]:
                return dict(state["prompt"])
            time.sleep(0.05)
        raise TimeoutError("the PIN pad never asked for a PIN")

    def type_pin(
        self, value: str, *, confirm: str | None = None
    ) -> tuple[int, dict[str, Any]]:
        """Type ``value`` and press 決定; on the last try the resident also answers
        the pad's 「よろしいですか」 with 送信する, as the page asks."""
        prompt = self.prompt()
        body: dict[str, Any] = {"prompt_id": prompt["prompt_id"], "pin": value}
        if prompt["confirm"]:
            body["confirm"] = value if confirm is None else confirm
        if prompt["last_try"]:
            body["last_try_confirmed"] = True
        return pinpad_post(self.pad_url, "/entry", body)

    def cancel_pin(self) -> tuple[int, dict[str, Any]]:
        prompt = self.prompt()
        return pinpad_post(self.pad_url, "/cancel", {"prompt_id": prompt["prompt_id"]})
