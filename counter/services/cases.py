"""Case services: the only way a case is opened or moved (style.md §3.3–3.5).

Screens, API views and tasks call these; each follows the one mutation path of
:mod:`counter.services.case_flow` (lock → transition → history → audit → side
effects) and leaves an audit entry when it refuses. Signatures are stable: the
clerk screens and the API build on them.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping, Sequence
from typing import Any, cast

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from counter.audit import audit_record
from counter.constants import (
    ApplicantRole,
    CardStatus,
    CertificateKind,
    CertificateStatus,
    CertificateStatusReason,
    Procedure,
)
from counter.errors import ApplicationError, Conflict, PermissionDenied
from counter.models import Card, Case, CaseStatusChange, Desk, Office, Resident
from counter.models.cases import CaseState, RevocationKind
from counter.workflows import workflow_for
from counter.workflows.base import CounterMachine
from counter.workflows.cert_issue import CertIssueCase
from counter.workflows.legal_representative import signing_certificate_barred

from . import reception
from .case_flow import case_check, case_lock, case_transition, refusals_audited
from .certificates import (
    certificate_lift_suspension,
    certificate_record_issued,
    certificate_revoke,
)

_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _new_reference(on: dt.date) -> str:
    tail = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(6))
    return f"C{on:%y%m%d}-{tail}"


def _fee(
    *, procedure: str, profile: Any, card_reissued_by_holder_fault: bool
) -> tuple[int, str]:
    """§4: certificates are free, except on a card re-issued through the holder's
    fault (200 yen by default; the profile holds the amounts)."""
    if procedure not in (Procedure.CERT_ISSUE, Procedure.CERT_RENEW):
        return 0, ""
    if card_reissued_by_holder_fault and procedure == Procedure.CERT_ISSUE:
        return (
            profile.reissued_card_certificate_fee_yen,
            "certificates on a card re-issued through the holder's fault (§4)",
        )
    return profile.certificate_fee_yen, ""


def case_open(
    *,
    resident: Resident,
    office: Office,
    procedure: str,
    applicant_role: str,
    actor: Any,
    desk: Desk | None = None,
    card: Card | None = None,
    pin_kinds: Sequence[str] = (),
    certificate_kinds: Sequence[str] = (),
    revocation_kind: str = "",
    applicant_name: str = "",
    applicant_address: str = "",
    applicant_relation: str = "",
    uses_jlis_answer_sheet: bool = False,
    card_reissued_by_holder_fault: bool = False,
    exception_reason: str = "",
    idempotency_key: str = "",
    at: dt.datetime | None = None,
) -> Case:
    """Reception (受付): open a case after the checks of :mod:`.reception`.

    A signing certificate for an under-15 or an adult ward (§7) is refused unless
    ``exception_reason`` is given; then the case waits for a supervisor's
    approval (:func:`case_approve_exception`). The same ``idempotency_key`` again
    returns the case already opened (a double-submitted form).
    """
    with refusals_audited(
        "case_open",
        actor=actor,
        desk=desk,
        office=office,
        data={
            "procedure": procedure,
            "applicant_role": applicant_role,
            "resident": resident.pk,
        },
    ):
        existing = _case_for_key(office, idempotency_key, resident, procedure)
        if existing is not None:
            return existing
        return _case_open(
            resident=resident,
            office=office,
            procedure=procedure,
            applicant_role=applicant_role,
            actor=actor,
            desk=desk,
            card=card,
            pin_kinds=pin_kinds,
            certificate_kinds=certificate_kinds,
            revocation_kind=revocation_kind,
            applicant_name=applicant_name,
            applicant_address=applicant_address,
            applicant_relation=applicant_relation,
            uses_jlis_answer_sheet=uses_jlis_answer_sheet,
            card_reissued_by_holder_fault=card_reissued_by_holder_fault,
            exception_reason=exception_reason,
            idempotency_key=idempotency_key,
            at=at,
        )


def _case_open(
    *,
    resident: Resident,
    office: Office,
    procedure: str,
    applicant_role: str,
    actor: Any,
    desk: Desk | None,
    card: Card | None,
    pin_kinds: Sequence[str],
    certificate_kinds: Sequence[str],
    revocation_kind: str,
    applicant_name: str,
    applicant_address: str,
    applicant_relation: str,
    uses_jlis_answer_sheet: bool,
    card_reissued_by_holder_fault: bool,
    exception_reason: str,
    idempotency_key: str,
    at: dt.datetime | None,
) -> Case:
    if procedure not in Procedure.values or applicant_role not in ApplicantRole.values:
        raise ApplicationError(
            "unknown-procedure", _("Unknown procedure or applicant role.")
        )
    if procedure == Procedure.SUSPENSION:
        raise ApplicationError(
            "suspension-by-call-centre",
            _(
                "A suspension is recorded from the call centre, "
                "not opened at the counter."
            ),
        )
    if desk is not None and desk.office_id != office.pk:
        raise PermissionDenied(
            "desk-other-office", _("This desk belongs to another office.")
        )
    day = timezone.localdate(at) if at else timezone.localdate()
    profile = office.municipality.profile
    reception.check_registered(resident=resident, office=office)
    reception.check_open(office=office, procedure=procedure, at=at)
    if (
        procedure == Procedure.CERT_REVOKE
        and revocation_kind not in RevocationKind.values
    ):
        raise ApplicationError(
            "revocation-kind-missing",
            _(
                "Choose a revocation request (失効申請) "
                "or notification (失効届出) (§9)."
            ),
        )
    card = reception.check_card(
        card=card,
        resident=resident,
        procedure=procedure,
        revocation_kind=revocation_kind,
        on=day,
    )
    reception.check_applicant(
        resident=resident,
        applicant_role=applicant_role,
        procedure=procedure,
        applicant_name=applicant_name,
        on=day,
    )
    pins: list[str] = []
    certs: list[str] = []
    if procedure in reception.PIN_PROCEDURES:
        pins = reception.check_pin_kinds(card=card, pin_kinds=pin_kinds)
    if procedure in reception.CERTIFICATE_PROCEDURES:
        certs = reception.check_certificates(
            card=card,
            procedure=procedure,
            certificate_kinds=certificate_kinds,
            renewal_window_months=profile.renewal_window_months,
            on=day,
        )
    state = CaseState.RECEIVED
    if procedure in (Procedure.CERT_ISSUE, Procedure.CERT_RENEW):
        bar = signing_certificate_barred(
            resident=resident, certificate_kinds=certs, profile=profile, on=day
        )
        if bar is not None:
            if not exception_reason.strip():
                raise ApplicationError(bar.code, bar.message)
            state = CaseState.AWAITING_APPROVAL
    fee, fee_reason = _fee(
        procedure=procedure,
        profile=profile,
        card_reissued_by_holder_fault=card_reissued_by_holder_fault,
    )
    try:
        with transaction.atomic():
            case = Case(
                municipality=office.municipality,
                office=office,
                desk=desk,
                resident=resident,
                card=card,
                reference=_new_reference(day),
                procedure=procedure,
                applicant_role=applicant_role,
                state=state,
                pin_kinds=pins,
                certificate_kinds=certs,
                revocation_kind=revocation_kind
                if procedure == Procedure.CERT_REVOKE
                else "",
                applicant_name=applicant_name.strip(),
                applicant_address=applicant_address.strip(),
                applicant_relation=applicant_relation.strip(),
                uses_jlis_answer_sheet=bool(uses_jlis_answer_sheet),
                fee_yen=fee,
                fee_reason=fee_reason,
                exception_reason=exception_reason.strip()
                if state != CaseState.RECEIVED
                else "",
                idempotency_key=idempotency_key,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
            if procedure in (Procedure.CERT_ISSUE, Procedure.CERT_RENEW):
                machine = cast(CertIssueCase, workflow_for(case))
                case.certificate_plan = machine.plan_certificates(day)
            case.save()
            CaseStatusChange.objects.create(
                case=case,
                from_state="",
                to_state=state,
                transition="open",
                actor=case.created_by,
                desk=desk,
            )
            audit_record(
                action="case_opened",
                actor=actor,
                desk=desk,
                case=case,
                obj=case,
                data={
                    "procedure": procedure,
                    "applicant_role": applicant_role,
                    "state": state,
                    "pin_kinds": pins,
                    "certificate_kinds": certs,
                    "fee_yen": fee,
                },
            )
    except IntegrityError:
        existing = _case_for_key(office, idempotency_key, resident, procedure)
        if existing is None:
            raise
        return existing
    return workflow_for(case)


def _case_for_key(
    office: Office, key: str, resident: Resident, procedure: str
) -> Case | None:
    """The case a repeated reception form already opened; the same key for
    another person or procedure is a client error, not a repeat."""
    if not key:
        return None
    existing = Case.objects.filter(
        municipality_id=office.municipality_id, idempotency_key=key
    ).first()
    if existing is None:
        return None
    if existing.resident_id != resident.pk or existing.procedure != procedure:
        raise Conflict(
            "idempotency-key-reused",
            _("This form was already used to open another case; reload the form."),
            extra={"case": existing.reference},
        )
    return workflow_for(existing)


def _presented(documents: Sequence[Any]) -> list[Any]:
    from identity_docs.evaluator import PresentedDocument

    result = []
    for doc in documents:
        if isinstance(doc, PresentedDocument):
            result.append(doc)
            continue
        data = dict(doc)
        for key in ("issued_on", "expires_on"):
            if isinstance(data.get(key), str):
                data[key] = dt.date.fromisoformat(data[key])
        result.append(PresentedDocument(**data))
    return result


def case_record_documents(
    *,
    case: Case,
    actor: Any,
    desk: Desk | None = None,
    documents: Sequence[Any],
    facts: Mapping[str, bool] | None = None,
    on_date: dt.date | None = None,
) -> tuple[Case, Any]:
    """§5.2, §6: the documents shown at this visit, evaluated by identity_docs.

    What was shown is recorded as evidence even when it does not satisfy the
    rules; then the case moves on, or the refusal says what is missing.
    """
    from identity_docs.services import evidence_record

    with refusals_audited("case_record_documents", actor=actor, desk=desk, case=case):
        current = workflow_for(Case.objects.get(pk=case.pk))
        if current.state not in (CaseState.RECEIVED, CaseState.DOCUMENTS_CHECKED):
            raise Conflict(
                "case-state-conflict",
                _("This case is now “%(state)s”; that step is not possible any more.")
                % {"state": current.get_state_display()},
                extra={"state": current.state, "transition": "record_documents"},
            )
        if current.uses_jlis_answer_sheet:
            # §6.2 one-visit renewal: identity_docs then asks for the J-LIS sheet.
            facts = {**(facts or {}), "jlis_answer_sheet": True}
        try:
            presented = _presented(documents)
        except (TypeError, ValueError) as exc:
            raise ApplicationError(
                "documents-invalid", _("The list of documents is not valid.")
            ) from exc
        _evidence, evaluation = evidence_record(
            case=current,
            visit=current.visit,
            documents=presented,
            clerk=actor,
            desk=desk,
            facts=facts,
            on_date=on_date,
        )
        if not evaluation.satisfied:
            missing = "、".join(m.message_ja for m in evaluation.missing)
            raise ApplicationError(
                "documents-not-satisfied",
                _("The documents shown do not satisfy the rules: %(missing)s")
                % {"missing": missing},
                extra=evaluation.as_dict(),
            )
        with transaction.atomic():
            locked = case_lock(case.pk)
            case_transition(
                locked,
                "record_documents",
                actor=actor,
                desk=desk,
                data={"visit": locked.visit, "used": list(evaluation.used)},
            )
    return locked, evaluation


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
    from jpki_ops.services import PARAMETERS, card_operation_request

    with (
        refusals_audited(
            "case_request_card_operation", actor=actor, desk=desk, case=case
        ),
        transaction.atomic(),
    ):
        locked = case_lock(case.pk)
        if locked.state == CaseState.CARD_OPERATION and locked.current_operation_id:
            from jpki_ops.models import CardOperation

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
            # A card never read has none yet: then nothing to check (as before).
            parameters["expected_card_fingerprint"] = locked.card.auth_key_fingerprint
        if confirm_last_try and "confirm_last_try" in PARAMETERS[kind]:
            parameters["confirm_last_try"] = True
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
    if state == "succeeded":
        _operation_succeeded(case, operation, actor_label)
    elif state in ("failed", "timed_out", "cancelled"):
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
    if operation.kind == "cert_issue" and card is not None:
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
    if operation.kind == "pin_reset" and card is not None:
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
    if code == "pin-blocked" and operation.kind in ("pin_change", "pin_verify"):
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


def case_complete(*, case: Case, actor: Any, desk: Desk | None = None) -> Case:
    """Hand-over (§15 counter record): the procedure's effects, then the receipt.

    Revocation revokes at the issuer (§9); lifting a suspension restores the card
    and the certificates that were only on hold (§10).
    """
    with (
        refusals_audited("case_complete", actor=actor, desk=desk, case=case),
        transaction.atomic(),
    ):
        locked = case_lock(case.pk)
        case_transition(
            locked,
            "complete",
            actor=actor,
            desk=desk,
            data={"fee_yen": locked.fee_yen},
        )
        if getattr(locked, "_replayed", False):
            return locked
        if locked.procedure == Procedure.CERT_REVOKE:
            _revoke_for_case(locked, actor)
        elif locked.procedure == Procedure.SUSPENSION_LIFT:
            _lift_for_case(locked, actor)
    return locked


def _revoke_for_case(case: Case, actor: Any) -> None:
    reason = (
        CertificateStatusReason.KEY_COMPROMISE
        if case.revocation_kind == RevocationKind.NOTIFICATION
        else CertificateStatusReason.HOLDER_REQUEST
    )
    assert case.card is not None
    for certificate in case.card.certificates.filter(
        kind__in=case.certificate_kinds,
        status__in=[CertificateStatus.ACTIVE, CertificateStatus.SUSPENDED],
    ):
        certificate_revoke(
            certificate=certificate, reason=reason, actor=actor, case=case
        )


def _lift_for_case(case: Case, actor: Any) -> None:
    card = case.card
    assert card is not None
    card.status = CardStatus.ACTIVE
    card.status_changed_at = timezone.now()
    card.save(update_fields=["status", "status_changed_at"])
    audit_record(action="card_suspension_lifted", actor=actor, case=case, obj=card)
    for certificate in card.certificates.filter(status=CertificateStatus.SUSPENDED):
        certificate_lift_suspension(certificate=certificate, actor=actor, case=case)


def case_cancel(
    *, case: Case, actor: Any, reason: str, desk: Desk | None = None
) -> Case:
    """Withdraw the application; a card operation not yet picked up is cancelled."""
    with (
        refusals_audited("case_cancel", actor=actor, desk=desk, case=case),
        transaction.atomic(),
    ):
        if not reason.strip():
            raise ApplicationError(
                "reason-required", _("Give the reason for cancelling the case.")
            )
        locked = case_lock(case.pk)
        operation_id = locked.current_operation_id
        _refuse_while_card_work_runs(operation_id)
        case_transition(
            locked,
            "cancel",
            actor=actor,
            desk=desk,
            reason=reason.strip(),
            why=reason.strip(),
            data={"reason": reason.strip()},
        )
        if operation_id:
            _withdraw_operation(operation_id, actor)
    return locked


def _refuse_while_card_work_runs(operation_id: int | None) -> None:
    """A PIN reset or certificate write may be reaching the card right now: the
    case waits for the desk's answer instead of ending under it."""
    from jpki_ops.models import CardOperation

    if (
        operation_id
        and CardOperation.objects.filter(pk=operation_id, state="claimed").exists()
    ):
        raise Conflict(
            "card-operation-running",
            _("The card operation is running at the desk; wait for its result."),
        )


def case_refuse(
    *, case: Case, actor: Any, code: str, reason: str, desk: Desk | None = None
) -> Case:
    """The clerk ends the case as refused: identity cannot be confirmed, the
    holder cannot be served (seed table "Duration": issuance may be refused)."""
    with (
        refusals_audited("case_refuse", actor=actor, desk=desk, case=case),
        transaction.atomic(),
    ):
        if not reason.strip() or not code.strip():
            raise ApplicationError(
                "reason-required", _("Give the reason for refusing the case.")
            )
        locked = case_lock(case.pk)
        _refuse_while_card_work_runs(locked.current_operation_id)
        case_transition(
            locked,
            "refuse",
            actor=actor,
            desk=desk,
            reason=reason.strip(),
            code=code.strip(),
            data={"code": code.strip()},
        )
    return locked


def _withdraw_operation(operation_id: int, actor: Any) -> None:
    from jpki_ops.models import CardOperation
    from jpki_ops.services import card_operation_cancel

    operation = CardOperation.objects.get(pk=operation_id)
    if operation.state == "requested":
        card_operation_cancel(operation=operation, user=actor)


def case_approve_exception(*, case: Case, actor: Any, note: str) -> Case:
    """§7: a supervisor lets a signing certificate go ahead for an under-15 or an
    adult ward, with the reason recorded (permission counter.approve_exceptions)."""
    with (
        refusals_audited("case_approve_exception", actor=actor, case=case),
        transaction.atomic(),
    ):
        if not actor.has_perm("counter.approve_exceptions"):
            raise PermissionDenied(
                "not-permitted",
                _("Only a supervisor may approve an exception."),
            )
        if not note.strip():
            raise ApplicationError(
                "reason-required", _("Record why the exception is approved.")
            )
        locked = case_lock(case.pk)
        case_transition(
            locked,
            "approve_exception",
            actor=actor,
            reason=note.strip(),
            approver=actor,
            note=note.strip(),
            data={"exception_reason": locked.exception_reason},
        )
    return locked


def case_reject_exception(*, case: Case, actor: Any, note: str) -> Case:
    """§7: the supervisor does not approve; the case ends as refused."""
    with (
        refusals_audited("case_reject_exception", actor=actor, case=case),
        transaction.atomic(),
    ):
        if not actor.has_perm("counter.approve_exceptions"):
            raise PermissionDenied(
                "not-permitted", _("Only a supervisor may decide on an exception.")
            )
        locked = case_lock(case.pk)
        if locked.state != CaseState.AWAITING_APPROVAL:
            raise Conflict(
                "case-state-conflict",
                _("This case is not waiting for an approval."),
                extra={"state": locked.state},
            )
        case_transition(
            locked,
            "refuse",
            actor=actor,
            reason=note.strip(),
            code="exception-rejected",
        )
    return locked
