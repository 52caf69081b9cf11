"""Fixtures shared by the desk-agent tests (no tests here).

``desk_agent``: a desk with an agent credential, the live server, a virtual card in
pcscd, and a real desk agent thread talking to both (jpki_ops.agent.testing).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import Group, User

from counter.models import StaffProfile
from counter.roles import sync_roles
from jpki_ops.agent.testing import AgentHarness
from jpki_ops.services import desk_agent_credential_issue
from tests.factories import DeskFactory


@pytest.fixture
def desk_agent(live_server: Any, virtual_card: Any) -> Iterator[AgentHarness]:
    desk = DeskFactory(reader_name=virtual_card.reader)
    _credential, token = desk_agent_credential_issue(desk=desk)
    harness = AgentHarness(
        server_url=f"{live_server.url}/api/v1/desk/",
        token=token,
        reader=virtual_card.reader,
        desk=desk,
    )
    harness.card = virtual_card  # type: ignore[attr-defined]
    harness.start_agent()
    try:
        yield harness
    finally:
        harness.stop()


@pytest.fixture
def clerk_user(desk_agent: AgentHarness) -> User:
    user = User.objects.create_user("clerk-jpki", password="x")
    office = desk_agent.desk.office
    StaffProfile.objects.create(
        user=user, municipality=office.municipality, office=office
    )
    sync_roles()  # a transactional test's flushed database lost the groups
    user.groups.add(Group.objects.get(name="clerk"))  # counter work is the clerk's
    return user
