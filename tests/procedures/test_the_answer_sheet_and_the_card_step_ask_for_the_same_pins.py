"""§6.4: for every agent procedure, the answer sheet mailed to the holder carries
the PIN boxes of exactly the PINs the card step asks at visit 2 (issue 13, point 3);
a difference is refused before the card is touched, audited, the case unchanged."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import translation

from counter.errors import ApplicationError
from counter.letters.content import PIN_NAMES
from counter.letters.models import InquiryLetter
from counter.letters.services.rendering import letter_data
from counter.models.cases import CaseState
from counter.services.cases import case_request_card_operation
from counter.services.visits import case_second_visit
from counter.workflows import PinResetCase
from jpki_ops.models import CardOperation
from tests import factories as f

from .by_post import letter_mailed
from .conftest import applicant_doc, audit_actions, holder_card, holder_doc
from .helpers import show

pytestmark = pytest.mark.django_db

LABEL_TO_PIN = {label: kind for kind, (label, _) in PIN_NAMES.items()}
SHEET = holder_doc("inquiry_answer_sheet", sealed=True)
CERT_SHEET = holder_doc("inquiry_and_answer_sheet", sealed=True)

# Each agent procedure as the clerk opens it, the documents of visit 2, and the
# PINs its second visit needs (§6.3).
PROCEDURES: dict[str, tuple[dict[str, Any], list[dict[str, Any]], list[str]]] = {
    "pin change": (
        {"procedure": "pin_change", "pin_kinds": ["authentication", "signing"]},
        [SHEET, holder_card(), applicant_doc(), holder_doc("disability_handbook")],
        ["authentication", "signing"],
    ),
    "pin reset": (
        {"procedure": "pin_reset", "pin_kinds": ["card_info", "resident_register"]},
        [SHEET, holder_card(), applicant_doc(), holder_doc("medical_certificate")],
        ["resident_register", "card_info"],
    ),
    "certificate issuance": (
        {
            "procedure": "cert_issue",
            "certificate_kinds": ["signing", "authentication"],
        },
        [CERT_SHEET, holder_doc("power_of_attorney"), holder_card(), applicant_doc()],
        ["authentication", "signing"],
    ),
    "certificate renewal": (
        {"procedure": "cert_renew", "certificate_kinds": ["signing"]},
        [CERT_SHEET, holder_doc("power_of_attorney"), holder_card(), applicant_doc()],
        ["signing"],
    ),
    "revocation": (
        {
            "procedure": "cert_revoke",
            "revocation_kind": "request",
            "certificate_kinds": ["signing"],
        },
        [SHEET, holder_card(), applicant_doc()],
        ["resident_register"],
    ),
}


def at_visit_two(
    counter_case: Any,
    clerk: Any,
    desk: Any,
    open_counter: Any,
    opening: dict[str, Any],
    documents: list[dict[str, Any]],
) -> tuple[Any, InquiryLetter]:
    """Visit 1, the letter rendered and mailed, the agent back on Monday 7
    December with the sealed sheet and the documents of visit 2."""
    case = counter_case(
        applicant_role="voluntary_agent", awaiting_second_visit=True, **opening
    )
    letter = letter_mailed(InquiryLetter.objects.get(case=case).pk)
    open_counter.move_to(dt.datetime(2026, 12, 7, 2, 0, tzinfo=dt.UTC))
    case = case_second_visit(reference=letter.reference, actor=clerk, desk=desk)
    return show(case, clerk, desk, *documents), letter


def answer_sheet_pins(letter: InquiryLetter) -> list[str]:
    """The PINs whose boxes the rendered answer sheet carries, one per PIN."""
    kinds = [LABEL_TO_PIN[row.label] for row in letter_data(letter).pins]
    return list(dict.fromkeys(kinds))


def card_step_pins(case: Any, clerk: Any, desk: Any, agent: Any) -> list[str]:
    """The PIN each card operation of the visit names, running them all."""
    asked: list[str] = []
    step = 0
    while case.state == CaseState.DOCUMENTS_CHECKED and case.pending_operations():
        step += 1
        operation = case_request_card_operation(
            case=case, actor=clerk, desk=desk, idempotency_key=f"pins-{step}"
        )
        parameters = operation.parameters
        asked.append(parameters.get("pin_kind") or parameters["certificate_kind"])
        case = agent.succeed(operation)
    assert case.state == CaseState.READY_TO_COMPLETE
    return asked


@pytest.mark.parametrize("name", list(PROCEDURES))
def test_the_answer_sheet_carries_the_boxes_of_exactly_the_pins_the_card_step_asks(
    name, resident, card, office, clerk, desk, agent, open_counter, counter_case
):
    opening, documents, needed = PROCEDURES[name]
    if opening["procedure"] == "cert_revoke":
        f.CertificateFactory(card=card)
    if opening["procedure"] == "cert_renew":
        f.CertificateFactory(card=card, in_renewal_window=True)
    case, letter = at_visit_two(
        counter_case, clerk, desk, open_counter, opening, documents
    )
    sheet = answer_sheet_pins(letter)
    assert sheet == needed
    assert sorted(card_step_pins(case, clerk, desk, agent)) == sorted(sheet)


def test_a_revocation_asks_the_resident_register_pin_whatever_the_case_names(
    resident, card, office, clerk, desk, agent, open_counter, counter_case
):
    """§9, §10: the card is confirmed with its resident-register PIN, never with
    the PIN of the certificate being revoked."""
    f.CertificateFactory(card=card)
    opening, documents, _ = PROCEDURES["revocation"]
    case, letter = at_visit_two(
        counter_case,
        clerk,
        desk,
        open_counter,
        {**opening, "pin_kinds": ["signing"]},
        documents,
    )
    assert answer_sheet_pins(letter) == ["resident_register"]
    assert card_step_pins(case, clerk, desk, agent) == ["resident_register"]


def test_a_card_step_asking_a_pin_the_sheet_lacks_is_refused_and_audited(
    resident, card, office, clerk, desk, agent, open_counter, counter_case, monkeypatch
):
    """A programming or data error: the agent would be asked for a PIN the holder
    never wrote on the sheet. Refused before any card operation exists."""
    opening, documents, _ = PROCEDURES["pin reset"]
    case, letter = at_visit_two(
        counter_case, clerk, desk, open_counter, opening, documents
    )
    assert answer_sheet_pins(letter) == ["resident_register", "card_info"]
    needed = PinResetCase.required_operations

    def one_pin_too_many(self: Any) -> list[tuple[str, dict[str, Any]]]:
        return [*needed(self), ("pin_reset", {"pin_kind": "signing"})]

    monkeypatch.setattr(PinResetCase, "required_operations", one_pin_too_many)
    with pytest.raises(ApplicationError) as exc:
        case_request_card_operation(
            case=case, actor=clerk, desk=desk, idempotency_key="too-many"
        )
    assert exc.value.code == "answer-sheet-pins-differ"
    with translation.override("ja"):
        message = str(exc.value.message)
    assert "回答書" in message and "§6.4" in message
    case.refresh_from_db()
    assert case.state == CaseState.DOCUMENTS_CHECKED
    assert not CardOperation.objects.filter(case=case).exists()
    assert audit_actions(case)[-1] == "case_request_card_operation_refused"
    refusal = case.audit_events.filter(
        action="case_request_card_operation_refused"
    ).get()
    assert refusal.data["extra"]["answer_sheet"] == ["resident_register", "card_info"]
    assert refusal.data["extra"]["card_step"] == [
        "resident_register",
        "card_info",
        "signing",
    ]


def test_a_holder_at_the_counter_is_not_held_to_an_answer_sheet(
    resident, card, office, clerk, desk, agent, counter_case, monkeypatch
):
    """The holder types their own PINs: there is no sheet to agree with."""
    needed = PinResetCase.required_operations

    def another_pin_first(self: Any) -> list[tuple[str, dict[str, Any]]]:
        return [("pin_reset", {"pin_kind": "card_info"}), *needed(self)]

    monkeypatch.setattr(PinResetCase, "required_operations", another_pin_first)
    case = counter_case(
        procedure="pin_reset",
        pin_kinds=["signing"],
        shown=[holder_card(), holder_doc()],
    )
    operation = case_request_card_operation(
        case=case, actor=clerk, desk=desk, idempotency_key="holder"
    )
    assert operation.parameters["pin_kind"] == "card_info"


def test_a_lost_card_notification_sheet_has_no_pin_boxes(
    resident, card, office, clerk, desk, open_counter, counter_case
):
    """§9: a notification of a lost card has no card step, so the holder writes
    no PIN down."""
    f.CertificateFactory(card=card)
    case = counter_case(
        procedure="cert_revoke",
        revocation_kind="notification",
        applicant_role="voluntary_agent",
        certificate_kinds=["signing"],
        awaiting_second_visit=True,
    )
    letter = letter_mailed(InquiryLetter.objects.get(case=case).pk)
    assert case.pending_operations() == []
    assert answer_sheet_pins(letter) == []
    assert letter_data(letter).pins == ()
