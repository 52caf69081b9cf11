"""One whole procedure through the production stack (issue 16): a holder's PIN
change, with a desk agent process and the virtual card in a real pcscd.

The stack is the one of ``test_production_smoke`` (real start scripts, production
settings, fresh database). Before the counter day the city's records are seeded
through the services (``procedure_seed``): the card's certificates are issued by
the stack's own simulated issuer, so its register knows them, and the supervisor
records the card's manufacture number. The card was never read by the system, so
the identify step recognises it by the issuer's record (ADR 0006).

Then, as at the counter: the clerk opens the case and records the documents through
the API, requests the card operation, the resident types the current and a new PIN
on the PIN pad (127.0.0.1, never the server), and the case is completed. The new
PIN works on the card afterwards, read through pcscd.

The desk agent runs as on a desk PC (``python -m jpki_ops.agent``, no project
settings) and reaches the server through a stand-in for the TLS-terminating
ingress, which forwards with ``X-Forwarded-Proto: https``.
Uses the shared card reader: run under ``flock /tmp/madoguchi-card.lock``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from jpki_ops.agent.testing import pinpad_post, pinpad_state
from jpki_ops.pcsc.client import CardSession
from jpki_ops.pcsc.pin import Pin
from tests.fixtures.card import VirtualCardHandle, insert_card

from .conftest import HTTPS, ROOT, Stack, free_port, http, manage, wait_until

pytestmark = [pytest.mark.deploy, pytest.mark.integration]

NEW_PIN = "7395"


class Ingress(ThreadingHTTPServer):
    """What the ingress does for the desk PC: HTTPS ends here; the request goes on
    to gunicorn with the site's host and ``X-Forwarded-Proto: https``."""

    daemon_threads = True

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        super().__init__(("127.0.0.1", 0), _Forward)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Forward(BaseHTTPRequestHandler):
    server: Ingress

    def _forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {
            k: v
            for k, v in self.headers.items()
            if k.lower() not in ("host", "connection", "content-length")
        }
        request = urllib.request.Request(  # noqa: S310 - loopback upstream
            self.server.upstream + self.path,
            data=body,
            method=self.command,
            headers={**headers, **HTTPS},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                status, reply = response.status, response.headers
                payload = response.read()
        except urllib.error.HTTPError as error:
            status, reply, payload = error.code, error.headers, error.read()
        self.send_response(status)
        for key, value in reply.items():
            if key.lower() not in ("connection", "transfer-encoding", "content-length"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _forward  # noqa: N815 - http.server's names

    def log_message(self, *args: Any) -> None:  # quiet
        return


@pytest.fixture(scope="module")
def seeded(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("procedure")
    out.chmod(0o700)
    manage(
        {**stack.env, "SMOKE_DIR": str(out)},
        "shell",
        "-c",
        "from tests.deploy.procedure_seed import main; main()",
    )
    seed = json.loads((out / "seed.json").read_text())
    return {**seed, "dir": out}


@pytest.fixture(scope="module")
def ingress(stack: Stack) -> Iterator[Ingress]:
    server = Ingress(stack.base_url)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def card_in_reader(pcscd: Any, seeded: dict[str, Any]) -> Iterator[VirtualCardHandle]:
    handle = insert_card(seeded["dir"] / "card.json", seeded["pins"])
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture
def desk_agent(
    seeded: dict[str, Any], ingress: Ingress, card_in_reader: VirtualCardHandle
) -> Iterator[str]:
    """The agent process as on the desk PC; yields its PIN pad's URL."""
    port = free_port()
    log = seeded["dir"] / "agent.log"
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "CELERY_"))
    }
    env.update(
        MADOGUCHI_AGENT_TOKEN_FILE=str(seeded["dir"] / "agent-token"),
        MADOGUCHI_AGENT_KEY_FILE=str(seeded["dir"] / "agent-key.pem"),
    )
    with log.open("wb") as out:
        agent = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jpki_ops.agent",
                "--server",
                f"{ingress.url}/api/v1/desk/",
                "--reader",
                card_in_reader.reader,
                "--pinpad-port",
                str(port),
                "--poll-wait",
                "2",
                "--pin-timeout",
                "60",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until(
            lambda: b"desk agent session" in log.read_bytes(),
            60,
            "the desk agent's session",
            lambda: log.read_text(errors="replace")[-2000:],
        )
        yield f"http://127.0.0.1:{port}"
    finally:
        agent.terminate()
        try:
            agent.wait(15)
        except subprocess.TimeoutExpired:
            agent.kill()
            agent.wait(5)


def _api(
    stack: Stack, seeded: dict[str, Any], method: str, path: str, body: Any = None
) -> tuple[int, Any]:
    status, _, raw = http(
        f"{stack.base_url}/api/v1/{path}",
        data=None if body is None else json.dumps(body).encode(),
        headers={
            **HTTPS,
            "Authorization": f"Token {seeded['api_token']}",
            "Accept": "application/json",
            "Content-Type": "application/json",
        },
    )
    return status, json.loads(raw) if raw else None


def _type(pad: str, pin: str, *, timeout: float = 30) -> dict[str, Any]:
    """The resident types ``pin`` on the PIN pad when it asks."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        prompt = pinpad_state(pad)["prompt"]
        if prompt:
            body = {"prompt_id": prompt["prompt_id"], "pin": pin}
            if prompt["confirm"]:
                body["confirm"] = pin
            status, answer = pinpad_post(pad, "/entry", body)
            assert status == 200, answer
            return dict(prompt)
        time.sleep(0.1)
    raise AssertionError("the PIN pad never asked for a PIN")


def test_a_holders_pin_change_runs_whole_through_the_production_stack(
    stack: Stack, seeded: dict[str, Any], desk_agent: str, card_in_reader: Any
):
    desk = seeded["desk"]
    status, case = _api(
        stack,
        seeded,
        "POST",
        "cases/",
        {
            "resident": seeded["resident"],
            "card": seeded["card"],
            "desk": desk,
            "procedure": "pin_change",
            "applicant_role": "holder",
            "pin_kinds": ["authentication"],
            "idempotency_key": "smoke-case-1",
        },
    )
    assert status == 201, case
    reference = case["reference"]
    status, recorded = _api(
        stack,
        seeded,
        "POST",
        f"cases/{reference}/documents/",
        {"desk": desk, "documents": [{"code": "my_number_card", "owner": "holder"}]},
    )
    assert status == 200, recorded
    status, requested = _api(
        stack,
        seeded,
        "POST",
        f"cases/{reference}/card-operations/",
        {"desk": desk, "idempotency_key": "smoke-op-1"},
    )
    assert status == 201, requested
    assert requested["kind"] == "pin_change"

    current = _type(desk_agent, seeded["pins"]["auth_pin"])
    new = _type(desk_agent, NEW_PIN)
    assert reference in json.dumps(current["heading"], ensure_ascii=False)
    assert new["confirm"] is True

    def card_step_done() -> bool:
        return _api(stack, seeded, "GET", f"cases/{reference}/")[1]["state"] != (
            "card_operation"
        )

    wait_until(card_step_done, 60, "the card operation's result")
    status, detail = _api(stack, seeded, "GET", f"cases/{reference}/")
    assert detail["state"] == "ready_to_complete", detail
    status, done = _api(
        stack, seeded, "POST", f"cases/{reference}/complete/", {"desk": desk}
    )
    assert (status, done["state"]) == (200, "completed"), done

    # The new PIN is on the card (read through pcscd), the old one no longer.
    with CardSession(card_in_reader.reader) as card:
        card.pin_verify(Pin("authentication", NEW_PIN))
        assert card.pin_status("authentication").tries_left == 3
    # The first positive identification recorded the card's key.
    result = manage(
        stack.env,
        "shell",
        "-c",
        "from counter.models import Card;"
        f"print(bool(Card.objects.get(pk={seeded['card']}).auth_key_fingerprint))",
    )
    assert result.stdout.strip().splitlines()[-1] == "True"
