"""The demo's 森 浩二 (D0024) revoked his signing certificate at home with the
利用者クライアントソフト: the counter's rows still say active, J-LIS knows. Reception
asks J-LIS first (docs/rules/09-revocation.md §9.1), so his new certificate is
accepted and the local row follows the issuer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from counter.demo import load_demo_data
from counter.models import AuditEvent, Desk, Office, Resident
from counter.services.case_opening import case_open

pytestmark = pytest.mark.django_db

demo_cards = pytest.importorskip("counter.demo_cards")


def test_a_certificate_revoked_at_home_is_seen_at_reception_and_blocks_nothing(
    settings: Any, tmp_path: Path, issuer_state_dir: Path
) -> None:
    settings.BASE_DIR = tmp_path  # the demo's card files, not the checkout's
    settings.JPKI_ISSUER_STATE_DIR = str(issuer_state_dir)
    settings.JPKI_ISSUER_BACKEND = "simulator"
    load_demo_data()
    if demo_cards.public_key_fingerprint is None:
        pytest.skip("pyscard is not installed")
    demo_cards.card_files_create()
    resident = Resident.objects.get(register_id="D0024")
    card = resident.cards.get()
    signing = card.certificates.get(kind="signing")
    assert signing.status == "active"  # the counter does not know yet
    office = Office.objects.get(municipality=resident.municipality, code="honcho")
    case = case_open(
        resident=resident,
        office=office,
        desk=Desk.objects.get(office=office, code="desk-1"),
        procedure="cert_issue",
        applicant_role="holder",
        certificate_kinds=["signing"],
        actor=get_user_model().objects.get(username="clerk"),
        card=card,
    )
    assert case.state == "received"
    signing.refresh_from_db()
    assert signing.status == "revoked"
    assert AuditEvent.objects.filter(action="certificate_revoked_at_issuer").exists()
    # Everyone else's serial is the card's own: J-LIS shows them active.
    other = Resident.objects.get(register_id="D0001").cards.get()
    assert other.certificates.get(kind="signing").status == "active"
