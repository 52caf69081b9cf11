"""Clerk screens through Django's test client: the shared city (its counter open,
a weekday morning), a desk chosen in the session, 田中 誠 with a card and its
certificates."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from counter.screens.common import DESK_SESSION_KEY
from tests import factories as f


@pytest.fixture(autouse=True)
def _the_counter_is_open(request: pytest.FixtureRequest) -> None:
    """A screen test with the city runs on a weekday morning when the counter is
    open (``open_counter``)."""
    if "city" in request.fixturenames:
        request.getfixturevalue("open_counter")


@pytest.fixture
def tanaka(city: Any) -> Any:
    """田中 誠, the resident the screens search for and serve."""
    return f.ResidentFactory(
        municipality=city, name="田中 誠", name_kana="タナカ マコト"
    )


@pytest.fixture
def card_with_certificates(tanaka: Any) -> Any:
    """Tanaka's card, with its user-authentication and signing certificates."""
    card = f.CardFactory(resident=tanaka)
    f.CertificateFactory(card=card, authentication=True)
    f.CertificateFactory(card=card)
    return card


def _logged_in(user: Any, desk: Any | None) -> Client:
    client = Client()
    client.force_login(user)
    if desk is not None:
        session = client.session
        session[DESK_SESSION_KEY] = desk.pk
        session.save()
    return client


@pytest.fixture
def clerk_client(clerk: Any, desk: Any) -> Client:
    return _logged_in(clerk, desk)


@pytest.fixture
def supervisor_client(city: Any, desk: Any) -> Client:
    return _logged_in(f.supervisor(city), desk)


@pytest.fixture
def login() -> Any:
    return _logged_in
