# ruff: noqa: F811 - pytest fixtures imported from test_agent_fixtures
"""Faults at the desk reach the clerk as their own error
(docs/reference/pcsc-testing.md §8).

The agent runs as its own process (``python -m jpki_ops.agent``); what it meets on
the desk PC comes back to the clerk's screen as a stable code and a message.
"""

from __future__ import annotations

import pytest

from .test_agent_fixtures import desk_agent  # noqa: F401
from .test_agent_restarted_mid_operation import _agent_process, _free_port, _stop

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_pcscd_not_running_at_the_desk_reaches_the_clerk_as_its_own_error(
    desk_agent, tmp_path
):
    """libpcsclite finds pcscd through PCSCLITE_CSOCK_NAME: this agent finds none."""
    desk_agent.stop()
    port, log = _free_port(), tmp_path / "agent.log"
    agent = _agent_process(
        desk_agent, port, log, PCSCLITE_CSOCK_NAME=str(tmp_path / "no-pcscd.comm")
    )
    try:
        op = desk_agent.wait(desk_agent.request("read_card"))
    finally:
        _stop(agent)
    assert (op.state, op.error_code) == ("failed", "pcsc-unavailable"), log.read_text()
    assert "pcscd" in op.error_message
