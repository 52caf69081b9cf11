"""The last try (§2): with one try left the desk agent stops before spending it
unless the clerk confirmed that the resident was warned. The case passes that
confirmation on to the card operation, and only when the clerk gave it."""

from __future__ import annotations

import pytest

from counter.models.cases import CaseState
from counter.services.cases import case_request_card_operation

from .conftest import holder_card

pytestmark = pytest.mark.django_db


def change_case(counter_case, procedure="pin_change"):
    documents = [holder_card()]
    if procedure == "pin_reset":
        documents.append({"code": "passport", "owner": "holder"})
    return counter_case(
        procedure=procedure, pin_kinds=["authentication"], shown=documents
    )


def test_without_confirmation_the_operation_does_not_carry_it(
    resident, card, office, clerk, desk, counter_case
):
    case = change_case(counter_case)
    op = case_request_card_operation(
        case=case, actor=clerk, desk=desk, idempotency_key="k1"
    )
    assert "confirm_last_try" not in op.parameters


def test_after_the_agent_stopped_the_clerk_confirms_the_last_try(
    resident, card, office, clerk, desk, agent, counter_case
):
    case = change_case(counter_case)
    op = case_request_card_operation(
        case=case, actor=clerk, desk=desk, idempotency_key="k1"
    )
    case = agent.fail(op, "pin-last-try-unconfirmed", pin_kind="authentication")
    assert case.state == CaseState.DOCUMENTS_CHECKED
    assert "last-card-error:pin-last-try-unconfirmed" in case.flags

    confirmed = case_request_card_operation(
        case=case, actor=clerk, desk=desk, idempotency_key="k2", confirm_last_try=True
    )
    assert confirmed.parameters["confirm_last_try"] is True
    assert confirmed.parameters["pin_kind"] == "authentication"
    case = agent.succeed(confirmed)
    assert case.state == CaseState.READY_TO_COMPLETE


def test_a_reset_asks_for_no_current_pin_so_there_is_nothing_to_confirm(
    resident, card, office, clerk, desk, counter_case
):
    """A PIN reset sets a new PIN without the old one (§11): no try is spent."""
    case = change_case(counter_case, procedure="pin_reset")
    op = case_request_card_operation(
        case=case, actor=clerk, desk=desk, idempotency_key="k1", confirm_last_try=True
    )
    assert op.kind == "pin_reset"
    assert "confirm_last_try" not in op.parameters


def test_the_api_passes_the_confirmation_on(
    resident, card, office, clerk, desk, counter_case
):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(clerk)
    case = change_case(counter_case)
    response = api.post(
        f"/api/v1/cases/{case.reference}/card-operations/",
        {"desk": desk.pk, "idempotency_key": "op-1", "confirm_last_try": True},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["parameters"]["confirm_last_try"] is True
