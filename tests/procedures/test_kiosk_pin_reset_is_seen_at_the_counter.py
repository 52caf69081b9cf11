"""§11.1 / §11.2: a kiosk PIN reset (コンビニ等のキオスク端末での暗証番号初期化) —
J-LIS's conditions in the simulated issuer, the status query by card reporting it,
reception recording it (the reported lock cleared), and the clerk told whether the
kiosk route fits this resident's PIN reset case."""

from __future__ import annotations

import datetime as dt

import pytest

from counter.errors import ApplicationError
from counter.letters.models import InquiryLetter
from counter.models import AuditEvent
from counter.screens.case_notices import kiosk_reset_notices
from counter.services.visits import case_second_visit
from jpki_ops.issuer.gateway import get_issuer
from jpki_ops.issuer.types import CertificateMedium

from .by_post import letter_mailed
from .jlis_holder import both_on_card, issuer_card_id

pytestmark = pytest.mark.django_db


def test_the_issuer_reports_a_kiosk_reset_in_its_status_query_by_card(card, clerk):
    both_on_card(card)
    info = get_issuer().simulate_kiosk_pin_reset(
        card_id=issuer_card_id(card), pin_kind="signing"
    )
    assert info.kind == "signing" and info.kiosk_pin_reset_at is not None
    report = get_issuer().status_by_card(card_id=issuer_card_id(card))
    signing = [r for r in report if r.kind == "signing"]
    assert signing[0].kiosk_pin_reset_at == info.kiosk_pin_reset_at
    assert all(r.medium == CertificateMedium.CARD for r in report)
    assert AuditEvent.objects.filter(action="issuer_sim_kiosk_pin_reset").exists()


@pytest.mark.parametrize("pin_kind", ["resident_register", "card_info"])
def test_the_4_digit_register_and_card_info_pins_are_never_reset_at_a_kiosk(
    card, pin_kind
):
    both_on_card(card)
    with pytest.raises(ApplicationError) as exc:
        get_issuer().simulate_kiosk_pin_reset(
            card_id=issuer_card_id(card), pin_kind=pin_kind
        )
    assert exc.value.code == "kiosk-pin-not-resettable"


def test_a_kiosk_reset_needs_both_certificates_valid(card):
    both_on_card(card)
    report = get_issuer().status_by_card(card_id=issuer_card_id(card))
    auth = next(r for r in report if r.kind == "authentication")
    get_issuer().simulate_revoked_at_home(serial=auth.serial)
    with pytest.raises(ApplicationError) as exc:
        get_issuer().simulate_kiosk_pin_reset(
            card_id=issuer_card_id(card), pin_kind="signing"
        )
    assert exc.value.code == "kiosk-reset-needs-valid-certificates"


def test_kiosks_reset_the_user_authentication_pin_only_from_2024(card):
    both_on_card(card)
    with pytest.raises(ApplicationError) as exc:
        get_issuer().simulate_kiosk_pin_reset(
            card_id=issuer_card_id(card),
            pin_kind="authentication",
            at=dt.datetime(2023, 6, 1, tzinfo=dt.UTC),
        )
    assert exc.value.code == "kiosk-reset-not-yet-offered"


def test_reception_records_a_kiosk_reset_and_the_reported_lock_is_cleared(
    card, counter_case
):
    signing, auth = both_on_card(card)
    signing.pin_locked = True
    signing.save()
    reset = get_issuer().simulate_kiosk_pin_reset(
        card_id=issuer_card_id(card), pin_kind="signing"
    )
    case = counter_case(procedure="pin_reset", pin_kinds=["signing"])
    signing.refresh_from_db()
    auth.refresh_from_db()
    assert signing.kiosk_pin_reset_at == reset.kiosk_pin_reset_at
    assert signing.pin_locked is False
    assert auth.kiosk_pin_reset_at is None
    entry = AuditEvent.objects.get(action="certificate_pin_reset_at_kiosk")
    assert entry.data["was_locked"] is True and entry.data["kind"] == "signing"
    notices = " ".join(kiosk_reset_notices(case))
    assert "§11.2" in notices
    # Asked again, the same reset is not recorded twice.
    counter_case(procedure="pin_change", pin_kinds=["authentication"])
    assert (
        AuditEvent.objects.filter(action="certificate_pin_reset_at_kiosk").count() == 1
    )


def test_the_clerk_is_told_the_kiosk_reset_fits_when_the_other_pin_is_known(
    card, counter_case
):
    both_on_card(card)
    case = counter_case(procedure="pin_reset", pin_kinds=["signing"])
    (notice,) = kiosk_reset_notices(case)
    assert "§11.1" in notice and "キオスク" in notice and "利用者証明用" in notice
    assert "できません" not in notice


def test_no_kiosk_reset_when_both_pins_are_forgotten(card, counter_case):
    both_on_card(card)
    case = counter_case(procedure="pin_reset", pin_kinds=["signing", "authentication"])
    notices = kiosk_reset_notices(case)
    assert len(notices) == 2
    assert all("できません" in n and "§11.1" in n for n in notices)


def test_no_kiosk_reset_when_the_other_pin_is_locked(card, counter_case):
    signing, auth = both_on_card(card)
    auth.pin_locked = True
    auth.save()
    case = counter_case(procedure="pin_reset", pin_kinds=["signing"])
    (notice,) = kiosk_reset_notices(case)
    assert "できません" in notice and "ロック" in notice


def test_the_resident_register_pin_gets_no_kiosk_notice(card, counter_case):
    both_on_card(card)
    case = counter_case(procedure="pin_reset", pin_kinds=["resident_register"])
    assert kiosk_reset_notices(case) == []


def test_a_kiosk_reset_between_an_agents_two_visits_is_seen_at_visit_2(
    card, clerk, desk, open_counter, counter_case
):
    """§11.2: J-LIS is asked again at visit 2; the clerk learns the holder reset
    the PIN at a kiosk meanwhile and asks whether the agent's reset is still
    needed. Nothing is cancelled by the counter on its own."""
    signing, _ = both_on_card(card)
    case = counter_case(
        procedure="pin_reset",
        applicant_role="voluntary_agent",
        pin_kinds=["signing"],
        awaiting_second_visit=True,
    )
    letter = letter_mailed(InquiryLetter.objects.get(case=case).pk)
    open_counter.move_to(dt.datetime(2026, 12, 10, 1, 30, tzinfo=dt.UTC))
    get_issuer().simulate_kiosk_pin_reset(
        card_id=issuer_card_id(card), pin_kind="signing"
    )
    case = case_second_visit(reference=letter.reference, actor=clerk, desk=desk)
    signing.refresh_from_db()
    assert signing.kiosk_pin_reset_at is not None
    assert case.state == "received"
    assert any("§11.2" in n for n in kiosk_reset_notices(case))
