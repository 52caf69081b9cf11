"""Whatever a clerk clicks, in whatever order, and whatever the desk answers, a
case only ever moves along its machine: each step either goes ahead or is refused
with an ApplicationError (never a crash), at most one card operation is open, and
the status history stays an unbroken, audited chain (checked after each test by
the ``every_state_change_is_recorded_and_audited`` fixture)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from counter.errors import ApplicationError
from counter.services.cases import (
    case_cancel,
    case_complete,
    case_record_documents,
    case_request_card_operation,
)
from tests import factories as f

from .conftest import Agent, holder_card, holder_doc

pytestmark = pytest.mark.django_db

ACTIONS = st.sampled_from(
    [
        "documents_ok",
        "documents_short",
        "request_op",
        "request_op_again",
        "agent_ok",
        "agent_pin_wrong",
        "agent_cancelled",
        "agent_card_removed",
        "complete",
        "cancel",
    ]
)
PROCEDURES = st.sampled_from(
    [
        ("pin_reset", {"pin_kinds": ["signing", "authentication"]}),
        ("pin_change", {"pin_kinds": ["authentication"]}),
        (
            "cert_revoke",
            {"revocation_kind": "request", "certificate_kinds": ["signing"]},
        ),
    ]
)
_keys = itertools.count()


def _open_operation(case):
    from jpki_ops.models import CardOperation

    return CardOperation.objects.filter(case=case, state="requested").first()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(procedure=PROCEDURES, actions=st.lists(ACTIONS, max_size=9))
def test_any_sequence_of_clerk_actions_keeps_the_case_consistent(
    city, office, clerk, procedure, actions
):
    from jpki_ops.models import CardOperation

    name, extra = procedure
    desk = f.DeskFactory(office=office)
    agent = Agent(desk)
    resident = f.ResidentFactory(municipality=city)
    card = f.CardFactory(resident=resident)
    f.CertificateFactory(card=card)
    case = f.CaseFactory(
        resident=resident, card=card, clerk=clerk, desk=desk, procedure=name, **extra
    )
    last_key = "k-first"
    for action in actions:
        try:
            if action == "documents_ok":
                case_record_documents(
                    case=case,
                    actor=clerk,
                    desk=desk,
                    documents=[holder_card(), holder_doc("passport")],
                )
            elif action == "documents_short":
                case_record_documents(
                    case=case,
                    actor=clerk,
                    desk=desk,
                    documents=[holder_doc("student_id")],
                )
            elif action in ("request_op", "request_op_again"):
                if action == "request_op":
                    last_key = f"k-{next(_keys)}"
                case_request_card_operation(
                    case=case, actor=clerk, desk=desk, idempotency_key=last_key
                )
            elif action.startswith("agent_"):
                operation = _open_operation(case)
                if operation is None:
                    continue
                if action == "agent_ok":
                    agent.succeed(operation)
                else:
                    code = {
                        "agent_pin_wrong": "pin-wrong",
                        "agent_cancelled": "pin-entry-cancelled",
                        "agent_card_removed": "card-removed",
                    }[action]
                    agent.fail(operation, code, tries_left=2)
            elif action == "complete":
                case_complete(case=case, actor=clerk, desk=desk)
            elif action == "cancel":
                case_cancel(case=case, actor=clerk, desk=desk, reason="test")
        except ApplicationError:
            pass
        case.refresh_from_db()
        open_ops = CardOperation.objects.filter(
            case=case, state__in=["requested", "claimed"]
        ).count()
        assert open_ops <= 1
        if case.state != "card_operation":
            assert case.current_operation_id is None or open_ops == 0
