# ruff: noqa: F811 - pytest fixtures imported from test_agent_fixtures
"""A desk agent that dies mid-operation never runs a card change twice.

The agent process (``python -m jpki_ops.agent``) is killed with SIGKILL while the
resident is at the PIN pad; the restarted agent announces a new session and the
server fails the PIN change with ``agent-restarted`` (the card is untouched), while
a read is simply run again (docs/reference/architecture.md: "nothing is lost when a
process
restarts").
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jpki_ops.agent.testing import pinpad_state
from jpki_ops.pcsc.client import CardSession
from jpki_ops.pcsc.pin import Pin

from .test_agent_fixtures import desk_agent  # noqa: F401

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _agent_process(
    harness, port: int, log: Path, **extra_env: str
) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update({"MADOGUCHI_AGENT_TOKEN": harness.token, "PYTHONPATH": str(REPO)})
    env.update(extra_env)
    announced = log.read_text().count(ANNOUNCED) if log.exists() else 0
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jpki_ops.agent",
                "--server",
                harness.server_url,
                "--reader",
                harness.reader,
                "--pinpad-port",
                str(port),
                "--poll-wait",
                "1",
            ],
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=out,
        )
    # The clerk acts once the agent has announced its session: a request made
    # before that is never run by it (it expires, issue 17).
    deadline = time.monotonic() + 30
    while log.read_text().count(ANNOUNCED) <= announced:
        assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
        time.sleep(0.1)
    return proc


ANNOUNCED = "desk agent session for desk"


def _wait_for_prompt(port: int, proc: subprocess.Popen[bytes], log: Path) -> dict:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()
        try:
            state = pinpad_state(f"http://127.0.0.1:{port}/")
        except OSError:
            state = {"prompt": None}
        if state["prompt"]:
            return state["prompt"]
        time.sleep(0.1)
    raise AssertionError(f"no PIN prompt; agent log:\n{log.read_text()}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def test_a_pin_change_in_flight_is_failed_not_repeated_after_a_kill(
    desk_agent, tmp_path
):
    desk_agent.stop()  # this test runs the agent as its own process instead
    port, log = _free_port(), tmp_path / "agent.log"
    first = _agent_process(desk_agent, port, log)
    try:
        op = desk_agent.request("pin_change", {"pin_kind": "authentication"})
        prompt = _wait_for_prompt(port, first, log)
        assert prompt["kind"] == "authentication"
        first.send_signal(signal.SIGKILL)  # mid-operation, the resident at the pad
        first.wait(10)
        op.refresh_from_db()
        assert op.state == "claimed"
        second = _agent_process(desk_agent, port, log)
        try:
            op = desk_agent.wait(op)
            assert (op.state, op.error_code) == ("failed", "agent-restarted")
            assert op.attempts == 1  # never handed out again
        finally:
            _stop(second)
    finally:
        _stop(first)
    with CardSession(desk_agent.reader) as card:
        assert card.pin_status("authentication").tries_left == 3
        card.pin_verify(Pin("authentication", desk_agent.card.pins["auth_pin"]))


def test_a_read_in_flight_is_resumed_by_the_restarted_agent(desk_agent):
    op = desk_agent.request("read_card", {"read_signing_certificate": True})
    assert desk_agent.prompt()["kind"] == "signing"
    old = desk_agent.agent
    old.abandon()  # dies as it is: nothing more reaches the server
    desk_agent.start_agent()
    old.pinpad.cancel_current()
    # The new agent claims the read again and asks on its own PIN pad.
    deadline = time.monotonic() + 20
    while desk_agent.prompt()["kind"] != "signing" and time.monotonic() < deadline:
        time.sleep(0.1)
    desk_agent.type_pin(desk_agent.card.pins["signing_password"])
    op = desk_agent.wait(op)
    assert op.state == "succeeded", op.error_message
    assert op.attempts == 2
    assert "signing" in op.result["certificates"]
