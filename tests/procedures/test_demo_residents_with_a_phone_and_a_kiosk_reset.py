"""The demo's 小林 翔 (D0014) registered an iPhone for smartphone certificates
(§12.1) on the day the demo's cards are made; 田中 誠 (D0009), whose signing
password is locked, can be sent to a kiosk with ``demo_card kiosk-reset``
(§11.1): his virtual card's tries are full again and reception learns it (§11.2)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from counter.demo import load_demo_data
from counter.models import Desk, Office, Resident
from counter.models.residents import SmartphoneCertificate
from counter.services.case_opening import case_open
from jpki_ops.cardsim import constants as c
from jpki_ops.cardsim.state import CardFile

pytestmark = pytest.mark.django_db

demo_cards = pytest.importorskip("counter.demo_cards")


@pytest.fixture
def demo(settings: Any, tmp_path: Path, issuer_state_dir: Path) -> None:
    settings.BASE_DIR = tmp_path  # the demo's card files, not the checkout's
    settings.JPKI_ISSUER_STATE_DIR = str(issuer_state_dir)
    settings.JPKI_ISSUER_BACKEND = "simulator"
    load_demo_data()
    if demo_cards.public_key_fingerprint is None:
        pytest.skip("pyscard is not installed")
    demo_cards.card_files_create()


def _open(register_id: str, procedure: str, **kw: Any) -> Any:
    resident = Resident.objects.get(register_id=register_id)
    office = Office.objects.get(municipality=resident.municipality, code="honcho")
    return case_open(
        resident=resident,
        office=office,
        desk=Desk.objects.get(office=office, code="desk-1"),
        procedure=procedure,
        applicant_role="holder",
        actor=get_user_model().objects.get(username="clerk"),
        card=resident.cards.get(),
        **kw,
    )


def test_the_demo_has_a_resident_with_a_smartphone_certificate_registered_today(
    demo: None,
) -> None:
    phones = SmartphoneCertificate.objects.filter(card__resident__register_id="D0014")
    assert {(p.kind, p.platform, p.status) for p in phones} == {
        ("signing", "iphone", "active"),
        ("authentication", "iphone", "active"),
    }
    assert {timezone.localtime(p.registered_at).date() for p in phones} == {
        timezone.localdate()
    }
    assert not SmartphoneCertificate.objects.exclude(
        card__resident__register_id="D0014"
    ).exists()


def test_a_demo_kiosk_reset_fills_the_tries_and_reception_learns_of_it(
    demo: None,
) -> None:
    card_file = demo_cards.demo_dir() / "cards" / "D0009.json"
    assert CardFile(card_file).load().pins[c.PIN_SIGN].tries_left == 0
    demo_cards.kiosk_reset("D0009", "signing")
    pin = CardFile(card_file).load().pins[c.PIN_SIGN]
    assert pin.tries_left == pin.max_tries
    assert pin.matches(demo_cards.DEMO_PINS["signing_password"].encode("ascii"))
    case = _open("D0009", "pin_reset", pin_kinds=["signing"])
    signing = case.card.certificates.get(kind="signing")
    assert signing.kiosk_pin_reset_at is not None
    assert signing.pin_locked is False
