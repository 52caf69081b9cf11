"""§8.2 / §8.3: a move-in with the card continued (継続利用) and emigration (国外転出)
are not an ordinary move-out. The signing certificate ends with the address; the
card and its user-authentication certificate go on only when the move's dates keep
the rules, else the card lapses with both certificates. Each event is audited."""

from __future__ import annotations

import datetime as dt

import pytest

from counter.constants import CardStatus, CertificateStatus, RegistrationStatus
from counter.errors import ApplicationError
from counter.models import AuditEvent
from counter.services.register_events import register_event_apply
from tests import factories as f

pytestmark = pytest.mark.django_db

D = dt.date
NOTIFIED = D(2026, 11, 20)  # the move-in notification (転入届) / the departure


@pytest.fixture
def certs(card):
    return (
        f.CertificateFactory(card=card),
        f.CertificateFactory(card=card, authentication=True),
    )


def _event(city, resident, kind, details, event_id="ev-move"):
    return register_event_apply(
        municipality=city,
        event_id=event_id,
        kind=kind,
        register_id=resident.register_id,
        occurred_on=NOTIFIED,
        details=details,
    )


def _states(card, certs):
    card.refresh_from_db()
    for c in certs:
        c.refresh_from_db()
    return card.status, [c.status for c in certs]


def test_a_move_in_within_14_and_30_days_continues_the_card_and_authentication(
    city, resident, card, certs
):
    event = _event(
        city,
        resident,
        "moved_in",
        {
            "moved_in_on": NOTIFIED - dt.timedelta(days=14),
            "planned_move_out_on": NOTIFIED - dt.timedelta(days=30),
            "continuation_registered_on": NOTIFIED,
        },
    )
    status, (signing, auth) = _states(card, certs)
    assert status == CardStatus.ACTIVE and auth == CertificateStatus.ACTIVE
    assert signing == CertificateStatus.REVOKED  # ended with the address
    assert event.outcome["card_continues"] is True
    resident.refresh_from_db()
    assert resident.registration_status == RegistrationStatus.REGISTERED
    assert AuditEvent.objects.filter(action="register_event_applied").exists()


@pytest.mark.parametrize(
    ("details", "lapse"),
    [
        (
            {"moved_in_on": D(2026, 11, 5), "planned_move_out_on": D(2026, 11, 1)},
            "move-in-notified-late",
        ),
        (
            {"moved_in_on": D(2026, 11, 18), "planned_move_out_on": D(2026, 10, 20)},
            "move-in-after-planned-move-out",
        ),
        (
            {
                "moved_in_on": D(2026, 11, 18),
                "planned_move_out_on": D(2026, 11, 1),
                "continuation_registered_on": D(2027, 2, 19),
            },
            "continuation-registered-late",
        ),
    ],
)
def test_a_move_in_outside_the_deadlines_lapses_the_card_and_both_certificates(
    city, resident, card, certs, details, lapse
):
    event = _event(city, resident, "moved_in", details)
    status, states = _states(card, certs)
    assert status == CardStatus.LAPSED
    assert states == [CertificateStatus.REVOKED, CertificateStatus.REVOKED]
    assert event.outcome["lapse"] == lapse


def test_emigration_with_continuation_registered_the_day_before_keeps_the_card(
    city, resident, card, certs
):
    event = _event(
        city,
        resident,
        "emigrated",
        {"continuation_registered_on": NOTIFIED - dt.timedelta(days=1)},
    )
    status, (signing, auth) = _states(card, certs)
    assert signing == CertificateStatus.REVOKED  # ends on the departure date
    assert status == CardStatus.ACTIVE and auth == CertificateStatus.ACTIVE
    assert event.outcome["card_continues"] is True


@pytest.mark.parametrize(
    ("nationality", "details", "lapse"),
    [
        ("", {}, "emigration-continuation-missing"),
        ("", {"continuation_registered_on": NOTIFIED}, "emigration-continuation-late"),
        (
            "USA",
            {"continuation_registered_on": NOTIFIED - dt.timedelta(days=3)},
            "foreign-national-emigrated",
        ),
    ],
)
def test_emigration_without_timely_continuation_revokes_both_and_lapses_the_card(
    city, nationality, details, lapse
):
    person = f.ResidentFactory(municipality=city, nationality=nationality)
    card = f.CardFactory(resident=person)
    certs = (
        f.CertificateFactory(card=card),
        f.CertificateFactory(card=card, authentication=True),
    )
    event = _event(city, person, "emigrated", details)
    status, states = _states(card, certs)
    assert status == CardStatus.LAPSED
    assert states == [CertificateStatus.REVOKED, CertificateStatus.REVOKED]
    assert event.outcome["lapse"] == lapse
    person.refresh_from_db()
    assert person.registration_status == RegistrationStatus.MOVED_OUT


def test_a_move_in_without_its_dates_is_refused_and_audited(city, resident, card):
    with pytest.raises(ApplicationError) as exc:
        _event(city, resident, "moved_in", {"moved_in_on": "2026-11-10"})
    assert exc.value.code == "register-event-date-missing"
    refused = AuditEvent.objects.get(action="register_event_apply_refused")
    assert refused.data["code"] == "register-event-date-missing"
