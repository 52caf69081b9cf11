# ruff: noqa: F811 - pytest fixtures imported from test_agent_fixtures
"""Someone else's card in the reader is refused before anything changes on it
(issue 6 "Bad input"; docs/rules/11-pin-reset-channels.md §11, §16).

Real chain: pyscard → pcscd → vpcd → the virtual card. The operation names the
holder's card (``expected_card_fingerprint``, the SHA-256 of its
user-authentication public key); the agent reads the user-authentication
certificate (no PIN needed) and, when the card is another one, fails with
``card-not-holders`` without asking for a PIN or sending a command.
"""

from __future__ import annotations

import datetime as dt

import pytest

from counter.models import AuditEvent
from jpki_ops.agent.testing import pinpad_state
from jpki_ops.cardsim import CardHolder
from jpki_ops.cardsim import constants as c
from jpki_ops.cardsim.state import CardFile
from jpki_ops.pcsc.client import CardSession, public_key_fingerprint
from jpki_ops.pcsc.pin import Pin
from tests.fixtures.card import make_card_file

from .test_agent_fixtures import desk_agent  # noqa: F401

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

AUTH_CERT = f"jpki:{c.EF_AUTH_CERT:04X}"


@pytest.fixture
def holders_card_fingerprint(tmp_path, simulated_issuer) -> str:
    """The resident's own card, at home in a drawer: not the one in the reader."""
    path, _pins = make_card_file(
        tmp_path / "holders-card.json",
        simulated_issuer,
        holder=CardHolder(
            name="田中\u3000誠",
            address="神奈川県厚木市中町三丁目１７番１７号",
            birth_date=dt.date(1975, 6, 1),
            gender="1",
        ),
    )
    return public_key_fingerprint(CardFile(path).load().files[AUTH_CERT])


def _card_now(desk_agent) -> tuple[dict, dict]:
    state = desk_agent.card.state
    return {k: v.to_json() for k, v in state.pins.items()}, dict(state.files)


def test_a_pin_reset_on_someone_elses_card_changes_nothing(
    desk_agent, holders_card_fingerprint
):
    # The card in the reader has spent one try: a reset would restore it.
    with CardSession(desk_agent.reader) as card, pytest.raises(Exception):  # noqa: B017
        card.pin_verify(Pin("authentication", "0000"))  # WrongPin
    pins_before, files_before = _card_now(desk_agent)
    assert holders_card_fingerprint != public_key_fingerprint(files_before[AUTH_CERT])

    op = desk_agent.wait(
        desk_agent.request(
            "pin_reset",
            {
                "pin_kind": "authentication",
                "expected_card_fingerprint": holders_card_fingerprint,
            },
        )
    )

    assert (op.state, op.error_code) == ("failed", "card-not-holders")
    assert op.error_message  # the Japanese message for the clerk
    assert op.progress.get("stage") != "awaiting_pin"
    assert pinpad_state(desk_agent.pad_url)["prompt"] is None  # no PIN asked
    assert not AuditEvent.objects.filter(action="card_command_authorised").exists()
    assert _card_now(desk_agent) == (pins_before, files_before)
    with CardSession(desk_agent.reader) as card:
        assert card.pin_status("authentication").tries_left == 2
        card.pin_verify(Pin("authentication", desk_agent.card.pins["auth_pin"]))
    failed = AuditEvent.objects.get(
        action="card_operation_failed",
        object_type="jpki_ops.cardoperation",
        object_id=str(op.pk),
    )
    assert failed.data["error_code"] == "card-not-holders"


def test_the_holders_own_card_goes_ahead(desk_agent):
    own = public_key_fingerprint(desk_agent.card.state.files[AUTH_CERT])
    op = desk_agent.request(
        "pin_reset",
        {"pin_kind": "authentication", "expected_card_fingerprint": own},
    )
    desk_agent.type_pin("2468")
    op = desk_agent.wait(op)
    assert op.state == "succeeded", op.error_message
    assert op.result["card_fingerprint"] == own
    with CardSession(desk_agent.reader) as card:
        card.pin_verify(Pin("authentication", "2468"))
