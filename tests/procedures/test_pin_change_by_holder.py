"""PIN change (暗証番号変更) by the holder with the card (seed table "PIN change";
§2: the current PIN is needed; a wrong PIN spends a try; a blocked PIN needs a
reset)."""

from __future__ import annotations

import pytest

from counter.errors import ApplicationError
from counter.models.cases import CaseState
from counter.services.cases import case_complete, case_request_card_operation
from tests import factories as f

from .conftest import audit_actions, holder_card

pytestmark = pytest.mark.django_db


def opened(counter_case, pins=("authentication",)):
    return counter_case(
        procedure="pin_change", pin_kinds=list(pins), shown=[holder_card()]
    )


def test_holder_changes_two_pins_one_card_operation_each(
    resident, card, office, clerk, desk, agent, counter_case
):
    case = opened(
        counter_case,
        pins=("authentication", "resident_register"),
    )
    first = case_request_card_operation(
        case=case, actor=clerk, desk=desk, idempotency_key="c1"
    )
    case = agent.succeed(first)
    assert case.state == CaseState.DOCUMENTS_CHECKED  # one PIN still to change
    second = case_request_card_operation(
        case=case, actor=clerk, desk=desk, idempotency_key="c2"
    )
    assert second.parameters["pin_kind"] == "resident_register"
    case = agent.succeed(second)
    assert case.state == CaseState.READY_TO_COMPLETE
    case = case_complete(case=case, actor=clerk, desk=desk)
    assert case.state == CaseState.COMPLETED
    assert case.completed_operations == [
        "pin_change:authentication",
        "pin_change:resident_register",
    ]


def test_wrong_current_pin_spends_a_try_and_the_holder_may_try_again(
    resident, card, office, clerk, desk, agent, counter_case
):
    case = opened(counter_case)
    op = case_request_card_operation(
        case=case, actor=clerk, desk=desk, idempotency_key="w1"
    )
    case = agent.fail(op, "pin-wrong", tries_left=2)
    assert case.state == CaseState.DOCUMENTS_CHECKED
    assert "last-card-error:pin-wrong" in case.flags
    event = case.audit_events.filter(action="case_card_operation_failed").get()
    assert event.data["code"] == "pin-wrong" and event.data["tries_left"] == 2


def test_blocked_pin_cannot_be_changed_and_a_reset_is_suggested(
    resident, card, office, clerk, desk, agent, counter_case
):
    cert = f.CertificateFactory(card=card, authentication=True)
    case = opened(counter_case)
    op = case_request_card_operation(
        case=case, actor=clerk, desk=desk, idempotency_key="b1"
    )
    case = agent.fail(op, "pin-blocked")
    event = case.audit_events.filter(action="case_card_operation_failed").get()
    assert event.data["suggest"] == "pin_reset"
    cert.refresh_from_db()
    assert cert.pin_locked is True


def test_the_card_in_the_reader_must_be_the_residents(
    resident, card, office, clerk, desk, agent, counter_case
):
    """A card that belongs to someone else: refused at the desk, audited."""
    case = opened(counter_case)
    op = case_request_card_operation(
        case=case, actor=clerk, desk=desk, idempotency_key="x1"
    )
    case = agent.succeed(op, card_fingerprint="0" * 64)
    assert case.state == CaseState.DOCUMENTS_CHECKED
    assert "last-card-error:card-not-holders" in case.flags


def test_someone_elses_card_is_refused_at_reception(
    resident, office, clerk, desk, counter_case
):
    other = f.CardFactory(
        resident=f.ResidentFactory(municipality=resident.municipality)
    )
    with pytest.raises(ApplicationError) as exc:
        counter_case(
            resident=resident, card=other, procedure="pin_change", pin_kinds=["signing"]
        )
    assert exc.value.code == "card-not-holders"
    assert "case_open_refused" in audit_actions()


def test_a_face_authentication_card_has_no_pin_to_change(
    resident, office, clerk, desk, counter_case
):
    card = f.CardFactory(resident=resident, face_authentication=True)
    with pytest.raises(ApplicationError) as exc:
        counter_case(
            resident=resident,
            card=card,
            procedure="pin_change",
            pin_kinds=["authentication"],
        )
    assert exc.value.code == "face-authentication-card"
