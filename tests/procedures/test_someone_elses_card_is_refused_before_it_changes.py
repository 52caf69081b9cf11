"""A card that belongs to someone else is refused before anything changes on it
(issue 6 "Bad input"; §16): the case names the holder's card (the SHA-256 of its
user-authentication public key) in every card operation it requests, and the desk
agent refuses any other card before asking for a PIN or sending a command."""

from __future__ import annotations

import pytest

from counter.models import AuditEvent
from counter.models.cases import CaseState
from counter.services.cases import case_request_card_operation
from jpki_ops.models import CardOperation
from tests import factories as f

from .conftest import audit_actions, holder_card

pytestmark = pytest.mark.django_db


def reset_case(counter_case):
    return counter_case(
        procedure="pin_reset",
        pin_kinds=["signing"],
        shown=[holder_card(), {"code": "passport", "owner": "holder"}],
    )


def test_every_card_operation_names_the_holders_card(
    resident, card, office, clerk, desk, counter_case
):
    case = reset_case(counter_case)
    op = case_request_card_operation(
        case=case, actor=clerk, desk=desk, idempotency_key="k1"
    )
    assert op.parameters["expected_card_fingerprint"] == card.auth_key_fingerprint
    # The audit of the request says which card was expected (not a secret).
    requested = AuditEvent.objects.get(action="card_operation_requested")
    assert (
        requested.data["parameters"]["expected_card_fingerprint"]
        == card.auth_key_fingerprint
    )


def test_a_card_never_read_is_not_checked_yet(
    resident, card, office, clerk, desk, counter_case
):
    card.auth_key_fingerprint = ""
    card.save()
    case = reset_case(counter_case)
    op = case_request_card_operation(
        case=case, actor=clerk, desk=desk, idempotency_key="k1"
    )
    assert "expected_card_fingerprint" not in op.parameters


def test_the_agents_refusal_leaves_the_case_consistent_and_audited(
    resident, card, office, clerk, desk, agent, counter_case
):
    """The agent refused someone else's card: the case goes back to the card step
    with the reason, nothing was recorded on the holder's certificates, and the
    clerk can try again with the right card."""
    card_certificate = f.CertificateFactory(card=card, pin_locked=True)
    case = reset_case(counter_case)
    op = case_request_card_operation(
        case=case, actor=clerk, desk=desk, idempotency_key="k1"
    )
    case = agent.fail(op, "card-not-holders", kind="pin_reset")
    assert case.state == CaseState.DOCUMENTS_CHECKED
    assert "last-card-error:card-not-holders" in case.flags
    assert case.completed_operations in (None, [])
    card_certificate.refresh_from_db()
    assert card_certificate.pin_locked  # the reset did not happen
    # Audited twice: the operation's failure and the case's step back.
    failed = AuditEvent.objects.get(case=case, action="card_operation_failed")
    assert failed.data["error_code"] == "card-not-holders"
    stepped_back = AuditEvent.objects.get(
        case=case, action="case_card_operation_failed"
    )
    assert stepped_back.data["code"] == "card-not-holders"
    assert stepped_back.data["to"] == CaseState.DOCUMENTS_CHECKED

    again = case_request_card_operation(
        case=case, actor=clerk, desk=desk, idempotency_key="k2"
    )
    assert again.pk != op.pk
    assert again.parameters["expected_card_fingerprint"] == card.auth_key_fingerprint
    case = agent.succeed(again)
    assert case.state == CaseState.READY_TO_COMPLETE
    card_certificate.refresh_from_db()
    assert not card_certificate.pin_locked
    assert CardOperation.objects.filter(case=case).count() == 2


def test_a_new_user_authentication_key_becomes_the_cards_fingerprint(
    resident, card, office, clerk, desk, agent, counter_case
):
    """Issuing the user-authentication certificate generates a new key, so the card
    is recognised by it for the signing certificate that follows in the case."""
    old = card.auth_key_fingerprint
    new = "ab" * 32
    case = counter_case(
        procedure="cert_issue",
        certificate_kinds=["signing", "authentication"],
        shown=[holder_card()],
    )
    first = case_request_card_operation(
        case=case, actor=clerk, desk=desk, idempotency_key="c1"
    )
    assert first.parameters["certificate_kind"] == "authentication"
    assert first.parameters["expected_card_fingerprint"] == old
    case = agent.succeed(first, card_fingerprint=old, card_fingerprint_after=new)
    card.refresh_from_db()
    assert card.auth_key_fingerprint == new
    assert "card_fingerprint_updated" in audit_actions(case)
    second = case_request_card_operation(
        case=case, actor=clerk, desk=desk, idempotency_key="c2"
    )
    assert second.parameters["certificate_kind"] == "signing"
    assert second.parameters["expected_card_fingerprint"] == new
    case = agent.succeed(second, card_fingerprint=new)
    assert case.state == CaseState.READY_TO_COMPLETE
