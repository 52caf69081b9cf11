"""Before カード処理を開始 the clerk sees whether the card in the desk's reader is the
resident's (issue 17; docs/adr/0020-card-manufacture-numbers-and-the-reader-watch.md).

Real chain: the desk agent (its idle reader watch) → pyscard → pcscd → vpcd → the
virtual card; the agent reports to the live server, and the clerk's card-step
fragment says 本人のカード / 別のカード / カードがありません. None of the cards has a
recorded fingerprint: the server matches as the identify step does (the issuer's
record of the certificate, the manufacture number). No PIN is asked, no card
operation is made, and the card is unchanged.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from counter.models import AuditEvent
from counter.roles import sync_roles
from counter.screens.common import DESK_SESSION_KEY
from jpki_ops.agent.main import DeskAgent
from jpki_ops.agent.testing import pinpad_state
from jpki_ops.cardsim.state import CardFile
from jpki_ops.models import CardManufactureRecord, CardOperation
from jpki_ops.services import desk_agent_credential_issue
from tests import factories as f
from tests.fixtures.card import make_card_file

from .test_card_identified_before_any_pin import OTHER_HOLDER

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def watching_agent(
    live_server: Any, make_virtual_card: Any
) -> Iterator[tuple[DeskAgent, Any, Any]]:
    """A desk agent with its reader watch on, the resident's card in its reader."""
    card_in_reader = make_virtual_card()
    desk = f.DeskFactory(reader_name=card_in_reader.reader)
    _credential, token = desk_agent_credential_issue(desk=desk)
    agent = DeskAgent(
        server_url=f"{live_server.url}/api/v1/desk/",
        token=token,
        reader=card_in_reader.reader,
        pinpad_port=0,
        poll_wait=1,
        reader_watch=0.3,
    ).start()
    agent.announced.wait(15)
    try:
        yield agent, desk, card_in_reader
    finally:
        agent.stop()


def _case(desk: Any, manufacture_id: str) -> Any:
    """A case at the desk whose card was never read, its number on record."""
    resident = f.ResidentFactory(municipality=desk.office.municipality)
    card = f.CardFactory(resident=resident, auth_key_fingerprint="")
    CardManufactureRecord.objects.create(card=card, manufacture_id=manufacture_id)
    return f.CaseFactory(
        resident=resident, card=card, office=desk.office, state="card_operation"
    )


def _clerk(desk: Any) -> Client:
    sync_roles()  # a transactional test's flushed database lost the groups
    client = Client()
    client.force_login(f.clerk(desk.office.municipality, desk.office))
    session = client.session
    session[DESK_SESSION_KEY] = desk.pk
    session.save()
    return client


def _panel_says(client: Client, case: Any, verdict: str) -> str:
    url = reverse("counter:reader-card", args=[case.reference])
    deadline = time.monotonic() + 20
    html = ""
    while time.monotonic() < deadline:
        html = client.get(url).content.decode()
        if f'data-reader="{verdict}"' in html:
            return html
        time.sleep(0.2)
    raise AssertionError(f"the panel never said {verdict}: {html}")


def test_the_clerk_sees_the_right_card_another_card_and_no_card(
    watching_agent: Any, tmp_path: Any, simulated_issuer: Any
):
    agent, desk, card_in_reader = watching_agent
    files_before = dict(card_in_reader.state.files)
    pins_before = {k: p.tries_left for k, p in card_in_reader.state.pins.items()}
    clerk = _clerk(desk)

    right = _case(desk, card_in_reader.card_id)
    page = clerk.get(reverse("counter:case", args=[right.reference])).content.decode()
    assert reverse("counter:reader-card", args=[right.reference]) in page
    html = _panel_says(clerk, right, "holders")
    assert "この窓口の読取機のカードは本人のカードです" in html

    # Another resident's case: their card (same issuer) lies at home.
    path, _pins = make_card_file(
        tmp_path / "other.json", simulated_issuer, holder=OTHER_HOLDER
    )
    other = _case(desk, CardFile(path).load().card_id)
    html = _panel_says(clerk, other, "other")
    assert "別のカードです" in html
    assert "本人のカードです" not in html

    card_in_reader.remove()
    html = _panel_says(clerk, right, "absent")
    assert "カードがありません" in html

    # Nothing but looking: no PIN asked, no operation, the card unchanged.
    assert pinpad_state(agent.pinpad.url)["prompt"] is None
    assert not CardOperation.objects.exists()
    assert dict(card_in_reader.state.files) == files_before
    assert {
        k: p.tries_left for k, p in card_in_reader.state.pins.items()
    } == pins_before
    changes = AuditEvent.objects.filter(action="card_reader_card_changed")
    assert [e.data["present"] for e in changes.order_by("seq")] == [True, False]
    assert all(set(e.data) == {"present"} for e in changes)


def test_without_a_report_the_panel_says_it_does_not_know():
    desk = f.DeskFactory()
    case = _case(desk, "0123ABCD")
    html = _panel_says(_clerk(desk), case, "unknown")
    assert "窓口端末から読取機のカードの報告がありません" in html
