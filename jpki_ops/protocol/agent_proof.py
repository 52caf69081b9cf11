"""What a desk agent signs to prove it holds its key: one definition for the
agent and the server (docs/security/input-and-desk.md)."""

from __future__ import annotations

#: Names the purpose, so a signature made for anything else never fits.
PROOF_CONTEXT = b"madoguchi desk agent proof v1"


def proof_message(challenge: str, agent_session: str) -> bytes:
    """The context, the server's challenge and the agent's session, one a line."""
    return b"\n".join(
        [PROOF_CONTEXT, challenge.encode("utf-8"), agent_session.encode("utf-8")]
    )
