"""The API against its own OpenAPI schema (issue 11 item 6): schemathesis
generates valid and invalid calls for every operation, signed in as each role,
and every check runs. No call may answer 5xx, break the schema, or answer a
status the schema does not document.

Run with ``pytest -m fuzz tests/fuzz``; ``FUZZ_EXAMPLES`` sets the examples per
operation (default enough for ≥ 1000 calls per role).
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from django.conf import settings
from django.test import Client

from counter.roles import (
    ROLE_AUDITOR,
    ROLE_CLERK,
    ROLE_REGISTER_INTEGRATION,
    ROLE_SUPERVISOR,
)
from tests import factories as f

from .harness import fuzz

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

#: Examples per operation; 35 operations x 32 ≈ 1100 calls per role.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "32"))
MINIMUM_CALLS_PER_ROLE = 1000
ROLES = [ROLE_CLERK, ROLE_SUPERVISOR, ROLE_AUDITOR, ROLE_REGISTER_INTEGRATION]
CSRF = "fuzz" * 8  # a CSRF secret: 32 letters, as Django checks them


@pytest.fixture
def world(city: Any, office: Any, desk: Any, resident: Any, card: Any) -> None:
    """Rows the generated calls can find: a case, a desk, a resident with a card."""
    f.CaseFactory(resident=resident, card=card, office=office)


def _signed_in(role: str, city: Any, office: Any) -> dict[str, str]:
    """Cookies of a browser session of a new user with ``role``: the session and
    the CSRF cookie whose pair the API asks for on unsafe methods."""
    user = f.staff_user(role, city, office if role == ROLE_CLERK else None)
    browser = Client()
    browser.force_login(user)
    session = browser.cookies[settings.SESSION_COOKIE_NAME].value
    return {settings.SESSION_COOKIE_NAME: session, settings.CSRF_COOKIE_NAME: CSRF}


@pytest.mark.parametrize("role", ROLES)
def test_the_api_keeps_its_schema_for_every_generated_call(
    role: str, app: Any, world: None, city: Any, office: Any
) -> None:
    cookies = _signed_in(role, city, office)
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", app)

    @schema.auth()
    class SessionAuth:
        """The role's session, declared to schemathesis so that its auth checks
        know what to take away when they probe a call without it."""

        def get(self, case: Any, context: Any) -> dict[str, str]:
            return cookies

        def set(self, case: Any, data: dict[str, str], context: Any) -> None:
            case.cookies = {**(case.cookies or {}), **data}
            case.headers = {**(case.headers or {}), "X-CSRFToken": CSRF}

    statuses, failures = fuzz(schema, EXAMPLES)
    calls = sum(statuses.values())
    print(f"{role}: {calls} calls, statuses {dict(sorted(statuses.items()))}")
    assert not failures, "\n\n".join(failures[:10])
    assert calls >= MINIMUM_CALLS_PER_ROLE
    assert not any(code >= 500 for code in statuses)
