"""Clerk screens through Django's test client: a city whose counter is open (a
weekday morning), a desk chosen in the session, a resident with a card."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from freezegun import freeze_time

from counter.screens.common import DESK_SESSION_KEY
from tests import factories as f

#: Thursday 26 November 2026, 10:00 JST: a weekday, not a holiday (§16).
OPEN_MORNING = "2026-11-26 10:00:00+09:00"


@pytest.fixture
def open_counter() -> Iterator[Any]:
    with freeze_time(OPEN_MORNING, tick=True) as frozen:
        yield frozen


@pytest.fixture
def city(db: Any, open_counter: Any) -> Any:
    return f.MunicipalityFactory(code="142123", name="厚木市")


@pytest.fixture
def desk(city: Any) -> Any:
    return f.DeskFactory(office=f.main_office(city), code="desk1", name="1番窓口")


@pytest.fixture
def resident(city: Any) -> Any:
    return f.ResidentFactory(
        municipality=city, name="田中 誠", name_kana="タナカ マコト"
    )


@pytest.fixture
def card(resident: Any) -> Any:
    card = f.CardFactory(resident=resident)
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
def clerk(city: Any, desk: Any) -> Any:
    return f.clerk(city, desk.office)


@pytest.fixture
def clerk_client(clerk: Any, desk: Any) -> Client:
    return _logged_in(clerk, desk)


@pytest.fixture
def supervisor_client(city: Any, desk: Any) -> Client:
    return _logged_in(f.supervisor(city), desk)


@pytest.fixture
def login() -> Any:
    return _logged_in
