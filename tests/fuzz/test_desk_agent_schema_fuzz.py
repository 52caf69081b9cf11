"""The desk agent's side of the API against its own OpenAPI schema (issue 11
item 6, the desk-agent role): schemathesis generates valid and invalid calls for
every operation the desk credential opens, signed in as a desk agent whose key
is bound to its credential, as production has it. No call may answer 5xx,
break the schema, or answer a status the schema does not document; an input the
schema calls valid is never refused as malformed, and one it calls invalid is
never accepted.

Each generated ``X-Agent-Session`` that the schema calls valid is proven with
the agent's key first (a restarted agent does the same with its new session),
so the calls reach the views instead of stopping at the key check.
"""

from __future__ import annotations

import os
import re
from typing import Any

import pytest
import schemathesis
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from jpki_ops.agent.proof import agent_public_key, agent_sign
from jpki_ops.api import views
from jpki_ops.api.serializers import AGENT_SESSION_PATTERN
from jpki_ops.services import (
    card_operation_request,
    desk_agent_challenge,
    desk_agent_credential_issue,
    desk_agent_prove,
)
from tests import factories as f

from .harness import fuzz

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

#: Examples per agent operation; 10 operations x 110 ≈ 1100 calls (operations
#: with a small input space, like the challenge, make fewer).
EXAMPLES = int(os.environ.get("FUZZ_DESK_AGENT_EXAMPLES", "110"))
#: Calls per operation the schema calls invalid: each must be refused.
NEGATIVE_EXAMPLES = EXAMPLES // 3
MINIMUM_CALLS = 1000
SESSION = re.compile(AGENT_SESSION_PATTERN)


def _agent_operation(operation: Any) -> bool:
    return any(
        "deskAgentToken" in requirement
        for requirement in operation.definition.raw.get("security", [])
    )


def test_the_desk_agent_api_keeps_its_schema_for_every_generated_call(
    app: Any,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    city: Any,
    office: Any,
    desk: Any,
    resident: Any,
    card: Any,
) -> None:
    settings.DESK_AGENT_ALLOW_UNBOUND = False
    # A held long poll answers as an unheld one does, only later.
    monkeypatch.setattr(views, "LONG_POLL_HOLD_LIMIT", 0)
    key = Ed25519PrivateKey.generate()
    credential, token = desk_agent_credential_issue(
        desk=desk, public_key=agent_public_key(key)
    )
    case: Any = f.CaseFactory(resident=resident, card=card, office=office)
    for number in range(5):  # work for the generated polls to claim
        card_operation_request(
            desk=desk, kind="read_card", case=case, idempotency_key=f"fuzz-{number}"
        )
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", app)

    @schema.auth()
    class DeskAgentAuth:
        """The desk credential, declared to schemathesis so that its auth checks
        know what to take away when they probe a call without it."""

        def get(self, case: Any, context: Any) -> dict[str, str]:
            return {"Authorization": f"DeskAgent {token}"}

        def set(self, case: Any, data: dict[str, str], context: Any) -> None:
            case.headers = {**(case.headers or {}), **data}
            session = (case.headers or {}).get("X-Agent-Session")
            if isinstance(session, str) and SESSION.fullmatch(session):
                credential.refresh_from_db()
                challenge = desk_agent_challenge(credential=credential)
                desk_agent_prove(
                    credential=credential,
                    agent_session=session,
                    challenge=challenge,
                    signature=agent_sign(key, challenge, session),
                )

    statuses, failures = fuzz(
        schema,
        EXAMPLES,
        include=_agent_operation,
        negative_examples=NEGATIVE_EXAMPLES,
    )
    calls = sum(statuses.values())
    print(f"desk agent: {calls} calls, statuses {dict(sorted(statuses.items()))}")
    assert not failures, "\n\n".join(failures[:10])
    assert calls >= MINIMUM_CALLS
    assert not any(code >= 500 for code in statuses)
    assert statuses[200] and statuses[400], "the calls never got past the door"
