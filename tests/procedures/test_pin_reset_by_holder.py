"""PIN reset by the holder in person: card + one A or one B besides the card (§5.2),
an issuer-authorised reset at the desk (§11), free (§4)."""

from __future__ import annotations

import pytest

from counter.errors import ApplicationError
from counter.models import CaseStatusChange
from counter.models.cases import CaseState
from counter.services.cases import (
    case_complete,
    case_record_documents,
    case_request_card_operation,
)
from tests import factories as f

from .conftest import audit_actions, holder_card, holder_doc

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _the_card_carries_a_signing_certificate(card):
    """§2.1: a signing password exists only with a signing certificate."""
    return f.CertificateFactory(card=card)


def open_reset(counter_case, **kw):
    return counter_case(procedure="pin_reset", pin_kinds=["signing"], **kw)


def test_holder_resets_a_locked_signing_password_in_one_visit(
    resident, card, office, clerk, desk, agent, counter_case
):
    case = open_reset(counter_case)
    assert case.state == CaseState.RECEIVED and case.fee_yen == 0

    case, evaluation = case_record_documents(
        case=case,
        actor=clerk,
        desk=desk,
        documents=[holder_card(), holder_doc("driving_licence")],
    )
    assert evaluation.satisfied and case.state == CaseState.DOCUMENTS_CHECKED

    operation = case_request_card_operation(
        case=case, actor=clerk, desk=desk, idempotency_key="reset-1"
    )
    assert operation.kind == "pin_reset"
    assert operation.parameters == {
        "pin_kind": "signing",
        "expected_card_fingerprint": card.auth_key_fingerprint,
    }

    case = agent.succeed(operation)
    assert case.state == CaseState.READY_TO_COMPLETE

    case = case_complete(case=case, actor=clerk, desk=desk)
    assert case.state == CaseState.COMPLETED
    assert case.completed_at is not None
    transitions = list(
        CaseStatusChange.objects.filter(case=case).values_list("transition", flat=True)
    )
    assert transitions == [
        "open",
        "record_documents",
        "request_card_operation",
        "card_operation_succeeded",
        "complete",
    ]
    assert audit_actions(case)[0] == "case_opened"
    assert "case_complete" in audit_actions(case)


def test_card_alone_is_not_enough_for_a_reset(
    resident, card, office, clerk, desk, counter_case
):
    """§5.2: "card + one A or one B besides the card"; the card never counts twice."""
    case = open_reset(counter_case)
    with pytest.raises(ApplicationError) as exc:
        case_record_documents(
            case=case, actor=clerk, desk=desk, documents=[holder_card()]
        )
    assert exc.value.code == "documents-not-satisfied"
    assert exc.value.extra["missing"]
    case.refresh_from_db()
    assert case.state == CaseState.RECEIVED
    assert "case_record_documents_refused" in audit_actions(case)


def test_no_card_operation_before_the_documents_are_checked(
    resident, card, office, clerk, desk, counter_case
):
    case = open_reset(counter_case)
    with pytest.raises(ApplicationError) as exc:
        case_request_card_operation(
            case=case, actor=clerk, desk=desk, idempotency_key="k"
        )
    assert exc.value.code == "case-state-conflict"
    from jpki_ops.models import CardOperation

    assert not CardOperation.objects.filter(case=case).exists()
    assert "case_request_card_operation_refused" in audit_actions(case)


def test_wrong_new_pin_shape_or_cancelled_pin_entry_lets_the_clerk_try_again(
    resident, card, office, clerk, desk, agent, counter_case
):
    """A PIN entry cancelled on the PIN pad: consistent state, audited, retry."""
    case = open_reset(counter_case)
    case, _ = case_record_documents(
        case=case,
        actor=clerk,
        desk=desk,
        documents=[holder_card(), holder_doc("passport")],
    )
    first = case_request_card_operation(
        case=case, actor=clerk, desk=desk, idempotency_key="a"
    )
    case = agent.fail(first, "pin-entry-cancelled")
    assert case.state == CaseState.DOCUMENTS_CHECKED
    assert "last-card-error:pin-entry-cancelled" in case.flags
    assert "case_card_operation_failed" in audit_actions(case)

    second = case_request_card_operation(
        case=case, actor=clerk, desk=desk, idempotency_key="b"
    )
    case = agent.succeed(second)
    assert case.state == CaseState.READY_TO_COMPLETE


def test_double_submitted_card_operation_request_is_harmless(
    resident, card, office, clerk, desk, counter_case
):
    case = open_reset(counter_case)
    case, _ = case_record_documents(
        case=case,
        actor=clerk,
        desk=desk,
        documents=[holder_card(), holder_doc("passport")],
    )
    one = case_request_card_operation(
        case=case, actor=clerk, desk=desk, idempotency_key="same"
    )
    two = case_request_card_operation(
        case=case, actor=clerk, desk=desk, idempotency_key="same"
    )
    assert one.pk == two.pk
    assert (
        CaseStatusChange.objects.filter(
            case=case, transition="request_card_operation"
        ).count()
        == 1
    )


def test_a_second_card_operation_waits_for_the_running_one(
    resident, card, office, clerk, desk, counter_case
):
    case = open_reset(counter_case)
    case, _ = case_record_documents(
        case=case,
        actor=clerk,
        desk=desk,
        documents=[holder_card(), holder_doc("passport")],
    )
    case_request_card_operation(
        case=case, actor=clerk, desk=desk, idempotency_key="one"
    )
    with pytest.raises(ApplicationError) as exc:
        case_request_card_operation(
            case=case, actor=clerk, desk=desk, idempotency_key="two"
        )
    assert exc.value.code == "card-operation-running"
    from jpki_ops.models import CardOperation

    assert CardOperation.objects.filter(case=case).count() == 1


def test_a_suspension_case_has_no_counter_steps(card, clerk, desk):
    from counter.services.suspensions import suspension_record

    case = suspension_record(card=card, actor=clerk)
    with pytest.raises(ApplicationError) as exc:
        case_complete(case=case, actor=clerk, desk=desk)
    assert exc.value.code == "step-not-in-procedure"


def test_a_timed_out_card_operation_never_leaves_the_clerk_stuck(
    resident, card, office, clerk, desk, agent, counter_case
):
    """The desk agent never answered; the sweep ends the operation (an operation
    never claimed expires, issue 17). The next request applies that outcome and
    goes ahead (docs/reference/style.md §2: manual
    recovery must always work)."""
    import datetime as dt

    from django.utils import timezone

    from jpki_ops.services import card_operations_time_out

    case = open_reset(counter_case)
    case, _ = case_record_documents(
        case=case,
        actor=clerk,
        desk=desk,
        documents=[holder_card(), holder_doc("passport")],
    )
    case_request_card_operation(case=case, actor=clerk, desk=desk, idempotency_key="t1")
    assert card_operations_time_out(now=timezone.now() + dt.timedelta(hours=2)) == 1
    retry = case_request_card_operation(
        case=case, actor=clerk, desk=desk, idempotency_key="t2"
    )
    case = agent.succeed(retry)
    assert case.state == CaseState.READY_TO_COMPLETE
    assert "last-card-error:card-operation-expired" in case.flags
