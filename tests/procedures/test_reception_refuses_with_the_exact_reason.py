"""Reception (受付): only residents registered in this city (§1), only while the
counter is open for this procedure (§16), each refusal with its exact reason and
an audit entry; a double-submitted reception form opens one case."""

from __future__ import annotations

import datetime as dt

import pytest

from counter.errors import ApplicationError
from counter.models import AuditEvent, Case
from tests import factories as f

pytestmark = pytest.mark.django_db

JST = dt.timezone(dt.timedelta(hours=9))


def reset(counter_case, **kw):
    return counter_case(procedure="pin_reset", pin_kinds=["signing"], **kw)


@pytest.mark.parametrize(
    ("trait", "code"),
    [
        ("not_registered", "resident-not-registered"),
        ("moved_out", "resident-moved-out"),
    ],
)
def test_a_person_not_registered_here_is_not_served(
    city, office, clerk, desk, trait, code, counter_case
):
    person = f.ResidentFactory(municipality=city, **{trait: True})
    card = f.CardFactory(resident=person)
    with pytest.raises(ApplicationError) as exc:
        reset(counter_case, resident=person, card=card)
    assert exc.value.code == code
    event = AuditEvent.objects.get(action="case_open_refused")
    assert event.data["code"] == code and event.actor == clerk
    assert not Case.objects.exists()


def test_a_resident_of_another_city_is_not_served(office, clerk, desk, counter_case):
    elsewhere = f.ResidentFactory()  # another municipality
    card = f.CardFactory(resident=elsewhere)
    with pytest.raises(ApplicationError) as exc:
        reset(counter_case, resident=elsewhere, card=card, office=office)
    assert exc.value.code == "resident-not-registered"


@pytest.mark.parametrize(
    ("moment", "reason"),
    [
        (dt.datetime(2026, 11, 26, 8, 0, tzinfo=JST), "before-hours"),
        (dt.datetime(2026, 11, 26, 17, 15, tzinfo=JST), "after-hours"),
        (dt.datetime(2026, 11, 29, 10, 0, tzinfo=JST), "closed-weekday"),  # Sunday
        (dt.datetime(2026, 11, 23, 10, 0, tzinfo=JST), "national-holiday"),
        (dt.datetime(2026, 12, 30, 10, 0, tzinfo=JST), "year-end-closure"),
    ],
)
def test_outside_opening_hours_the_exact_reason_is_given(
    resident, card, office, clerk, desk, open_counter, moment, reason, counter_case
):
    open_counter.move_to(moment)
    with pytest.raises(ApplicationError) as exc:
        reset(counter_case)
    assert exc.value.code == "counter-closed"
    assert exc.value.extra["reason"] == reason
    assert str(exc.value.message)


def test_saturday_morning_serves_pin_procedures_but_not_certificates(
    resident, card, office, clerk, desk, open_counter, counter_case
):
    """Seed city: Saturdays 8:30–12:00 for PIN change and reset only."""
    open_counter.move_to(dt.datetime(2026, 11, 28, 10, 0, tzinfo=JST))
    assert reset(counter_case).state == "received"
    with pytest.raises(ApplicationError) as exc:
        counter_case(procedure="cert_issue", certificate_kinds=["signing"])
    assert exc.value.code == "counter-closed"


def test_a_double_submitted_reception_form_opens_one_case(
    resident, card, office, clerk, desk, counter_case
):
    one = reset(counter_case, idempotency_key="form-123")
    two = reset(counter_case, idempotency_key="form-123")
    assert one.pk == two.pk
    assert Case.objects.count() == 1


def test_an_agent_must_be_named(resident, card, office, clerk, desk, counter_case):
    with pytest.raises(ApplicationError) as exc:
        reset(
            counter_case,
            applicant_role="voluntary_agent",
            applicant_name=" ",
        )
    assert exc.value.code == "applicant-details-missing"


def test_an_expired_card_cannot_be_used(resident, office, clerk, desk, counter_case):
    card = f.CardFactory(resident=resident, expired=True)
    with pytest.raises(ApplicationError) as exc:
        reset(counter_case, resident=resident, card=card)
    assert exc.value.code == "card-not-usable"


def test_a_form_key_reused_for_another_procedure_is_refused(
    resident, card, office, clerk, desk, counter_case
):
    reset(counter_case, idempotency_key="form-9")
    with pytest.raises(ApplicationError) as exc:
        counter_case(
            procedure="pin_change", pin_kinds=["signing"], idempotency_key="form-9"
        )
    assert exc.value.code == "idempotency-key-reused"
    assert "case_open_refused" in [
        e.action for e in AuditEvent.objects.filter(action="case_open_refused")
    ]
