"""Two cities on one installation (厚木市 and 狭山市) and one login per role.

The roles are those of docs/security/roles.md: a clerk of each of Atsugi's two
offices, a supervisor, an auditor, the register integration, a desk agent's
credential, Sayama's supervisor (another municipality's staff) and the
installation administrator ("operator").
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from counter.models import Case, Desk, Municipality, Office
from counter.roles import ROLE_AUDITOR, ROLE_CLERK, ROLE_REGISTER_INTEGRATION
from counter.services.municipalities import municipality_create
from jpki_ops.services import desk_agent_credential_issue
from tests import factories as f


@pytest.fixture
def sayama(db: Any) -> Municipality:
    return municipality_create(
        code="112151",
        name="狭山市",
        main_office={"code": "honcho", "name": "狭山市 本庁", "phone": "04-2953-1111"},
    )


@pytest.fixture
def branch(city: Municipality) -> Office:
    """Atsugi's second office (office B)."""
    return f.OfficeFactory(municipality=city, code="minami", name="南支所")


@pytest.fixture
def sayama_supervisor(sayama: Municipality) -> User:
    return f.supervisor(sayama)


@pytest.fixture
def sayama_case(sayama: Municipality) -> Case:
    return f.CaseFactory(resident=f.ResidentFactory(municipality=sayama))


@pytest.fixture
def atsugi_case(city: Municipality) -> Case:
    return f.CaseFactory(resident=f.ResidentFactory(municipality=city))


@pytest.fixture
def logins(
    city: Municipality,
    office: Office,
    branch: Office,
    desk: Desk,
    supervisor: User,
    sayama_supervisor: User,
) -> dict[str, Client]:
    """A logged-in client per role of the matrix ("anonymous": nobody)."""
    users = {
        "clerk_a": f.staff_user(ROLE_CLERK, city, office, username="clerk-a"),
        "clerk_b": f.staff_user(ROLE_CLERK, city, branch, username="clerk-b"),
        "supervisor": supervisor,
        "auditor": f.staff_user(ROLE_AUDITOR, city, None, username="auditor"),
        "register": f.staff_user(
            ROLE_REGISTER_INTEGRATION, city, None, username="register"
        ),
        "other_city": sayama_supervisor,
    }
    clients = {"anonymous": Client()}
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        clients[role] = client
    _credential, token = desk_agent_credential_issue(desk=desk)
    clients["desk_agent"] = Client(HTTP_AUTHORIZATION=f"DeskAgent {token}")
    # The installation administrator: a superuser without a staff profile, the
    # only cross-city role (ADR 0023).
    operator = User.objects.create_superuser("operator", "", "Operator-Pass-2026!")
    clients["operator"] = Client()
    clients["operator"].force_login(operator)
    return clients
