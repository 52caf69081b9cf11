"""Two clerks on the same case at once: exactly one wins, the other is told why
(a row lock without waiting); one after the other, the second sees the case has
moved on; the same clerk's double submit is harmless (docs/reference/style.md §3.4)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from counter.errors import Conflict
from counter.models import CaseStatusChange
from counter.models.cases import CaseState
from counter.services.cases import case_cancel, case_complete

from .conftest import audit_actions, holder_card, holder_doc
from .helpers import run_card_work


@pytest.fixture
def reference_data(transactional_db):
    """A transactional test starts after another one's flush: put back the rows
    the data migrations seed (roles, PIN policies, document catalogue)."""
    import importlib

    from django.apps import apps

    for module, function in (
        (
            "counter.migrations.0002_seed_pin_policy_roles_audit_guard",
            "seed_pin_policies",
        ),
        ("counter.migrations.0002_seed_pin_policy_roles_audit_guard", "seed_roles"),
        ("counter.migrations.0004_inquiry_letters", "letter_roles"),
        ("identity_docs.migrations.0002_seed_catalogue_and_rules", "load"),
        ("identity_docs.migrations.0002_seed_catalogue_and_rules", "grant"),
    ):
        getattr(importlib.import_module(module), function)(apps, None)


def ready_case(counter_case, clerk, desk, agent):
    case = counter_case(
        procedure="pin_reset",
        pin_kinds=["signing"],
        shown=[holder_card(), holder_doc("passport")],
    )
    return run_card_work(case, clerk, desk, agent)


@pytest.mark.django_db(transaction=True)
def test_while_one_clerk_holds_the_case_the_other_gets_a_conflict(
    reference_data,
    resident,
    card,
    office,
    clerk,
    other_clerk,
    desk,
    agent,
    counter_case,
):
    case = ready_case(counter_case, clerk, desk, agent)
    locked, release = threading.Event(), threading.Event()

    def first_clerk() -> None:
        try:
            with transaction.atomic():
                type(case).objects.select_for_update().get(pk=case.pk)
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=first_clerk)
    thread.start()
    assert locked.wait(10)
    try:
        with pytest.raises(Conflict) as exc:
            case_complete(case=case, actor=other_clerk, desk=desk)
        assert exc.value.code == "case-busy"
    finally:
        release.set()
        thread.join()
    case.refresh_from_db()
    assert case.state == CaseState.READY_TO_COMPLETE
    assert "case_complete_refused" in audit_actions(case)


@pytest.mark.django_db
def test_the_second_clerk_sees_that_the_case_moved_on(
    resident, card, office, clerk, other_clerk, desk, agent, counter_case
):
    case = ready_case(counter_case, clerk, desk, agent)
    case_complete(case=case, actor=clerk, desk=desk)
    with pytest.raises(Conflict) as exc:
        case_cancel(case=case, actor=other_clerk, desk=desk, reason="duplicate")
    assert exc.value.code == "case-state-conflict"
    assert exc.value.extra["state"] == "completed"


@pytest.mark.django_db
def test_the_same_clerks_double_submit_changes_nothing(
    resident, card, office, clerk, desk, agent, counter_case
):
    case = ready_case(counter_case, clerk, desk, agent)
    case_complete(case=case, actor=clerk, desk=desk)
    again = case_complete(case=case, actor=clerk, desk=desk)
    assert again.state == CaseState.COMPLETED
    assert (
        CaseStatusChange.objects.filter(case=case, transition="complete").count() == 1
    )


@pytest.mark.django_db
def test_a_case_is_cancelled_only_with_a_reason(
    resident, card, office, clerk, desk, counter_case
):
    case = counter_case(procedure="pin_reset", pin_kinds=["signing"])
    with pytest.raises(Exception) as exc:
        case_cancel(case=case, actor=clerk, desk=desk, reason="  ")
    assert exc.value.code == "reason-required"
    case = case_cancel(case=case, actor=clerk, desk=desk, reason="resident left")
    assert case.state == CaseState.CANCELLED
    assert case.cancellation_reason == "resident left"


@pytest.mark.django_db
def test_no_cancelling_while_the_card_is_being_written(
    resident, card, office, clerk, desk, counter_case
):
    from counter.services.cases import case_request_card_operation
    from jpki_ops.services import card_operation_claim

    case = counter_case(
        procedure="pin_reset",
        pin_kinds=["signing"],
        shown=[holder_card(), holder_doc("passport")],
    )
    case_request_card_operation(case=case, actor=clerk, desk=desk, idempotency_key="r")
    card_operation_claim(desk=desk, agent_session="agent-1")
    with pytest.raises(Conflict) as exc:
        case_cancel(case=case, actor=clerk, desk=desk, reason="resident left")
    assert exc.value.code == "card-operation-running"
    case.refresh_from_db()
    assert case.state == CaseState.CARD_OPERATION


@pytest.mark.django_db
def test_a_clerk_refuses_a_case_with_a_reason_code(
    resident, card, office, clerk, desk, counter_case
):
    from counter.services.cases import case_refuse

    case = counter_case(procedure="pin_reset", pin_kinds=["signing"])
    case = case_refuse(
        case=case,
        actor=clerk,
        desk=desk,
        code="identity-unconfirmed",
        reason="photo does not match",
    )
    assert (
        case.state == CaseState.REFUSED and case.outcome_code == "identity-unconfirmed"
    )
