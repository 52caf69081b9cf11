"""Card work (§16): asking the desk agent for an operation, applying its outcome.

jpki_ops runs the operation at the desk and announces its end through
``counter.reactions.card_operation_finished``; :func:`on_card_operation_finished`
is connected to it in ``CounterConfig.ready()``.
"""

from __future__ import annotations

from typing import Any, cast

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from counter.audit import audit_record
from counter.constants import ApplicantRole, CertificateKind, Procedure
from counter.errors import ApplicationError, Conflict
from counter.models import Case, Desk
from counter.models.cases import CaseState
from counter.pins import case_visit_two_pins, pins_asked, pins_asked_by
from counter.workflows.base import CounterMachine
from jpki_ops.models import CardOperation, CardOperationKind, CardOperationState
from jpki_ops.services import PARAMETERS, card_operation_request

from .case_flow import case_check, case_lock, case_transition, refusals_audited
from .certificates import certificate_record_issued


def case_request_card_operation(
    *,
    case: Case,
    actor: Any,
    desk: Desk,
    idempotency_key: str,
    confirm_last_try: bool = False,
) -> Any:
    """Ask the desk agent for the next card operation of this procedure (§16).

    The same ``idempotency_key`` again returns the same operation. The operation
    names the holder's card (its fingerprint), so the agent refuses someone else's
    card before anything changes on it; ``confirm_last_try`` says the clerk warned
    the resident that one try is left (§2).
    """
    with (
        refusals_audited(
            "case_request_card_operation", actor=actor, desk=desk, case=case
        ),
        transaction.atomic(),
    ):
        locked = case_lock(case.pk)
        if locked.state == CaseState.CARD_OPERATION and locked.current_operation_id:
            running = CardOperation.objects.get(pk=locked.current_operation_id)
            if running.idempotency_key == idempotency_key:
                return running
            # The operation ended but the case was never told (a timeout sweep, a
            # lost hook): apply its outcome now so the clerk is never stuck.
            _apply_outcome(locked, running)
        # The checks first, so a refused step leaves no operation behind.
        if case_check(locked, "request_card_operation", actor=actor) is None:
            raise Conflict(
                "card-operation-running",
                _("The card operation is running at the desk; wait for its result."),
            )
        kind, parameters = cast(CounterMachine, locked).pending_operations()[0]
        parameters = dict(parameters)
        if locked.card is not None and locked.card.auth_key_fingerprint:
            # The server checks the card itself before any PIN, recorded
            # fingerprint or not (jpki_ops.services.identity); naming it here
            # lets the operation say which card it was requested for.
            parameters["expected_card_fingerprint"] = locked.card.auth_key_fingerprint
        if confirm_last_try and "confirm_last_try" in PARAMETERS[kind]:
            parameters["confirm_last_try"] = True
        _check_answer_sheet_pins(locked, kind, parameters)
        operation = card_operation_request(
            desk=desk,
            kind=kind,
            idempotency_key=idempotency_key,
            parameters=parameters,
            case=locked,
            requested_by=actor,
        )
        case_transition(
            locked,
            "request_card_operation",
            actor=actor,
            desk=desk,
            operation_id=operation.pk,
            data={"operation": operation.pk, "kind": kind},
        )
    return operation


def _check_answer_sheet_pins(case: Case, kind: str, parameters: dict[str, Any]) -> None:
    """§6.4: an agent's card step asks exactly the PINs whose
    boxes the holder's answer sheet carries — the agent brings no other PIN, and
    a box left unused is a PIN written down for nothing. A difference is a
    programming or data error, refused before the card is touched."""
    if case.applicant_role != ApplicantRole.VOLUNTARY_AGENT or case.visit < 2:
        return
    sheet = case_visit_two_pins(case)
    visit = pins_asked_by(cast(CounterMachine, case).required_operations())
    asked = pins_asked(kind, parameters)
    if visit != sheet or not set(asked) <= set(sheet):
        raise ApplicationError(
            "answer-sheet-pins-differ",
            _(
                "The card step would ask for other PINs than the answer sheet "
                "holds (§6.4). Do not ask the agent for any PIN; report this case "
                "to the system administrator."
            ),
            extra={
                "answer_sheet": list(sheet),
                "card_step": list(visit),
                "operation": kind,
            },
        )


#: Card errors that end the case instead of allowing another try.
_ANSWER_SHEET_PIN_WRONG = "answer-sheet-pin-wrong"


def case_card_operation_finished(*, operation: Any) -> Case | None:
    """Apply what the desk agent reported (called after the agent posts a result).

    Idempotent: an operation already applied, or not the case's current one,
    changes nothing. Success records its effect (a new certificate, an unlocked
    PIN); a failure returns the case to the document-checked state so the clerk
    may try again — except a wrong PIN written on a voluntary agent's answer
    sheet for a PIN change, which ends the case and suggests a reset (seed table
    "PIN change"; §6.2).
    """
    if operation.case_id is None:
        return None
    with transaction.atomic():
        case = case_lock(operation.case_id)
        if (
            case.state != CaseState.CARD_OPERATION
            or case.current_operation_id != operation.pk
        ):
            return case
        _apply_outcome(case, operation)
    return case


def on_card_operation_finished(operation: Any) -> None:
    """Reaction to ``counter.reactions.card_operation_finished``."""
    case_card_operation_finished(operation=operation)


def _apply_outcome(case: Case, operation: Any) -> None:
    """Move a locked case on by its finished operation (nothing if still open)."""
    if case.current_operation_id != operation.pk:
        return
    actor_label = f"desk-agent:{operation.desk.office.code}/{operation.desk.code}"
    state = str(operation.state)
    if state == CardOperationState.SUCCEEDED:
        _operation_succeeded(case, operation, actor_label)
    elif state in (
        CardOperationState.FAILED,
        CardOperationState.TIMED_OUT,
        CardOperationState.CANCELLED,
        CardOperationState.EXPIRED,
    ):
        _operation_failed(case, operation, actor_label)


def _operation_succeeded(case: Case, operation: Any, actor_label: str) -> None:
    result = operation.result or {}
    card = case.card
    fingerprint = result.get("card_fingerprint")
    if (
        fingerprint
        and card is not None
        and card.auth_key_fingerprint
        and (fingerprint != card.auth_key_fingerprint)
    ):
        # The card in the reader is not this resident's card.
        case_transition(
            case,
            "card_operation_failed",
            actor_label=actor_label,
            desk=operation.desk,
            code="card-not-holders",
            data={"operation": operation.pk, "code": "card-not-holders"},
        )
        return
    key = cast(CounterMachine, case).operation_key(
        operation.kind, operation.parameters or {}
    )
    case_transition(
        case,
        "card_operation_succeeded",
        actor_label=actor_label,
        desk=operation.desk,
        key=key,
        data={"operation": operation.pk, "kind": operation.kind},
    )
    if operation.kind == CardOperationKind.CERT_ISSUE and card is not None:
        _card_key_renewed(case, card, operation, actor_label)
        certificate_record_issued(
            case=case,
            card=card,
            kind=result.get("certificate_kind")
            or operation.parameters["certificate_kind"],
            serial_hex=str(
                result.get("certificate_serial")
                or operation.progress.get("certificate_serial", "")
            ),
            not_after=str(
                result.get("certificate_not_after") or operation.parameters["not_after"]
            ),
            actor_label=actor_label,
        )
    if operation.kind == CardOperationKind.PIN_RESET and card is not None:
        # §2: a reset unlocks; record what the card reports, never a PIN.
        kind = operation.parameters.get("pin_kind")
        if kind in CertificateKind.values:
            card.certificates.filter(kind=kind).update(pin_locked=False)


def _card_key_renewed(case: Case, card: Any, operation: Any, actor_label: str) -> None:
    """A new user-authentication key: the card is recognised by it from now on,
    so the case's next operation (the signing certificate) finds the card its own."""
    after = (operation.result or {}).get("card_fingerprint_after")
    if not after or after == card.auth_key_fingerprint:
        return
    card.auth_key_fingerprint = after
    card.save(update_fields=["auth_key_fingerprint"])
    audit_record(
        action="card_fingerprint_updated",
        actor_label=actor_label,
        desk=operation.desk,
        case=case,
        obj=card,
        data={"operation": operation.pk},
    )


def _operation_failed(case: Case, operation: Any, actor_label: str) -> None:
    code = operation.error_code or str(operation.state)
    data = {
        "operation": operation.pk,
        "code": code,
        "tries_left": (operation.result or {}).get("tries_left"),
    }
    if (
        case.procedure == Procedure.PIN_CHANGE
        and case.applicant_role == ApplicantRole.VOLUNTARY_AGENT
        and code in ("pin-wrong", "pin-blocked")
    ):
        case_transition(
            case,
            "card_operation_failed",
            actor_label=actor_label,
            desk=operation.desk,
            code=code,
            data=data,
        )
        case_transition(
            case,
            "refuse",
            actor_label=actor_label,
            desk=operation.desk,
            code=_ANSWER_SHEET_PIN_WRONG,
            reason=str(
                _(
                    "The PIN written on the answer sheet is wrong: "
                    "the PIN change cannot be done. "
                    "Suggest a PIN reset (初期化) instead."
                )
            ),
            data={**data, "suggest": Procedure.PIN_RESET.value},
        )
        return
    if code == "pin-blocked" and operation.kind in (
        CardOperationKind.PIN_CHANGE,
        CardOperationKind.PIN_VERIFY,
    ):
        pin_kind = (operation.parameters or {}).get("pin_kind")
        if case.card is not None and pin_kind in CertificateKind.values:
            case.card.certificates.filter(kind=pin_kind).update(pin_locked=True)
        data["suggest"] = Procedure.PIN_RESET.value
    case_transition(
        case,
        "card_operation_failed",
        actor_label=actor_label,
        desk=operation.desk,
        code=code,
        data=data,
    )
