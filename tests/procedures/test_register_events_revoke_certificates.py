"""Events from the resident register (§8): a change of the four basic items
revokes the signing certificate only; a minor correction does not; move-out,
death and card return as §8.2, §8.4, §8.5 say; an event sent twice counts once."""

from __future__ import annotations

import datetime as dt

import pytest

from counter.constants import CardStatus, CertificateStatus, RegistrationStatus
from counter.errors import ApplicationError
from counter.models.cases import CaseState, RegisterEvent
from counter.services.register_events import register_event_apply
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def certs(card):
    return (
        f.CertificateFactory(card=card),
        f.CertificateFactory(card=card, authentication=True),
    )


def apply(city, resident, kind, event_id="ev-1", **kw):
    return register_event_apply(
        municipality=city,
        event_id=event_id,
        kind=kind,
        register_id=resident.register_id,
        occurred_on=dt.date(2026, 11, 20),
        **kw,
    )


@pytest.mark.parametrize(
    "changes",
    [
        {"address": "神奈川県厚木市旭町2-2-2"},  # also a move within the city
        {"name": "本厚木 花子", "name_kana": "ホンアツギ ハナコ"},
        {"gender": "female"},
        {"birth_date": "1980-01-02"},
    ],
)
def test_a_change_of_a_basic_item_revokes_the_signing_certificate(
    city, resident, certs, changes
):
    signing, auth = certs
    event = apply(city, resident, "basic_items_changed", changes=changes)
    signing.refresh_from_db()
    auth.refresh_from_db()
    assert signing.status == CertificateStatus.REVOKED
    assert signing.status_reason == "basic_items_changed"
    assert auth.status == CertificateStatus.ACTIVE  # §8.1: survives
    assert event.outcome["revoked"] == [signing.pk]


def test_a_minor_correction_does_not_revoke(city, resident, certs):
    signing, _ = certs
    apply(
        city,
        resident,
        "basic_items_changed",
        changes={"address": "神奈川県厚木市中町1-1 "},
        minor_correction=True,
    )
    signing.refresh_from_db()
    assert signing.status == CertificateStatus.ACTIVE


def test_the_same_event_twice_is_applied_once(city, resident, certs):
    first = apply(city, resident, "basic_items_changed", changes={"gender": "female"})
    second = apply(city, resident, "basic_items_changed", changes={"gender": "female"})
    assert first.pk == second.pk
    assert RegisterEvent.objects.count() == 1


def test_moving_out_lapses_the_signing_certificate_and_ends_open_cases(
    city, resident, card, certs, office, clerk, desk, counter_case
):
    signing, auth = certs
    case = counter_case(procedure="pin_reset", pin_kinds=["signing"])
    event = apply(city, resident, "moved_out", changes={"address": "東京都新宿区1-1"})
    resident.refresh_from_db()
    signing.refresh_from_db()
    auth.refresh_from_db()
    case.refresh_from_db()
    assert resident.registration_status == RegistrationStatus.MOVED_OUT
    assert signing.status == CertificateStatus.REVOKED
    assert auth.status == CertificateStatus.ACTIVE  # §8.2: goes with the card
    assert case.state == CaseState.CANCELLED
    assert event.outcome["cancelled_cases"] == [case.reference]


def test_death_revokes_both_and_invalidates_the_card(city, resident, card, certs):
    apply(city, resident, "deceased")
    card.refresh_from_db()
    assert card.status == CardStatus.LAPSED
    for cert in certs:
        cert.refresh_from_db()
        assert cert.status == CertificateStatus.REVOKED
        assert cert.status_reason == "cessation"


def test_a_returned_card_ends_both_certificates(city, resident, card, certs):
    apply(city, resident, "card_returned")
    card.refresh_from_db()
    assert card.status == CardStatus.RETURNED
    assert {c.status for c in card.certificates.all()} == {CertificateStatus.REVOKED}


def test_an_unknown_person_or_kind_is_refused(city, resident):
    with pytest.raises(ApplicationError) as exc:
        register_event_apply(
            municipality=city,
            event_id="x",
            kind="moved_out",
            register_id="nobody",
            occurred_on=dt.date(2026, 1, 1),
        )
    assert exc.value.code == "resident-unknown"
    with pytest.raises(ApplicationError) as exc:
        apply(city, resident, "married")
    assert exc.value.code == "register-event-unknown-kind"
    assert not RegisterEvent.objects.exists()
