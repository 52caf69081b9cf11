"""The demo's cards pass the identify step (issue 17): the demo records each card's
manufacture number through the supervisor's service, so no walkthrough card is
refused with ``card-identity-unrecorded`` — not even a card whose fingerprint was
never recorded or that holds no certificate (D0008, certificates expired).

The reading is what the desk agent would send for the card file (manufacture id,
the user-authentication certificate's key fingerprint and serial); the decision is
the identify step's own (:func:`jpki_ops.services.identity.card_match`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cryptography import x509

from counter.demo import load_demo_data
from counter.models import AuditEvent, Card
from jpki_ops.cardsim import constants as c
from jpki_ops.cardsim.state import CardFile
from jpki_ops.services.identity import CardReading, card_evidence, card_match

pytestmark = pytest.mark.django_db

demo_cards = pytest.importorskip("counter.demo_cards")

WALKTHROUGH_CARDS = ("D0009", "D0018", "D0012")
AUTH_CERT = f"jpki:{c.EF_AUTH_CERT:04X}"


@pytest.fixture
def demo(settings: Any, tmp_path: Path, issuer_state_dir: Path) -> Path:
    settings.BASE_DIR = tmp_path  # the demo's card files, not the checkout's
    settings.JPKI_ISSUER_STATE_DIR = str(issuer_state_dir)
    settings.JPKI_ISSUER_BACKEND = "simulator"
    load_demo_data()
    if demo_cards.public_key_fingerprint is None:
        pytest.skip("pyscard is not installed")
    demo_cards.card_files_create()
    return tmp_path / "var" / "demo" / "cards"


def _reading(card_file: Path) -> CardReading:
    """What the agent reads from this card without a PIN."""
    state = CardFile(card_file).load()
    der = state.files.get(AUTH_CERT)
    if not der:
        return CardReading(state.card_id, None, None)
    serial = f"{x509.load_der_x509_certificate(der).serial_number:x}"
    return CardReading(state.card_id, demo_cards.public_key_fingerprint(der), serial)


def _decision(register_id: str, cards_dir: Path) -> tuple[str | None, str]:
    card = Card.objects.get(resident__register_id=register_id)
    return card_match(card, card_evidence(_reading(cards_dir / f"{register_id}.json")))


def test_each_walkthrough_card_passes_identification_even_the_first_time(
    demo: Path,
):
    for register_id in WALKTHROUGH_CARDS:
        assert _decision(register_id, demo) == (None, "recorded-fingerprint")
    # Seen for the first time (no fingerprint recorded): the issuer's record of
    # its certificate and the recorded manufacture number identify it.
    Card.objects.filter(resident__register_id__in=WALKTHROUGH_CARDS).update(
        auth_key_fingerprint=""
    )
    for register_id in WALKTHROUGH_CARDS:
        assert _decision(register_id, demo) == (None, "issuer-record")
    # And someone else's demo card is still refused.
    card = Card.objects.get(resident__register_id="D0009")
    other = card_evidence(_reading(demo / "D0018.json"))
    assert card_match(card, other) == ("card-not-holders", "")
    # A card without certificates (D0008: expired) by its manufacture number.
    assert _reading(demo / "D0008.json").fingerprint is None
    assert _decision("D0008", demo) == (None, "manufacture-id")


def test_every_demo_card_has_its_number_recorded_by_the_supervisor(demo: Path):
    files = sorted(demo.glob("*.json"))
    assert files
    for card_file in files:
        card = Card.objects.get(resident__register_id=card_file.stem)
        assert (
            card.manufacture_record.manufacture_id == CardFile(card_file).load().card_id
        )
    entries = AuditEvent.objects.filter(action="card_manufacture_id_recorded")
    assert entries.count() == len(files)
    assert set(entries.values_list("actor_label", flat=True)) == {"supervisor"}
    # Made again (the demo restarts): nothing recorded twice, nothing refused.
    demo_cards.card_files_create()
    assert entries.count() == len(files)
    assert not AuditEvent.objects.filter(
        action="card_manufacture_id_recorded_refused"
    ).exists()
