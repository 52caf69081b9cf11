"""Closing a case: hand-over, cancelling, refusing, and the §7 exception decision.

A case ends here: completed (with the procedure's effects at the issuer and on
the card), cancelled, refused, or its exception approved or rejected by a
supervisor.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from counter.audit import audit_record
from counter.constants import (
    CardStatus,
    CertificateKind,
    CertificateStatus,
    CertificateStatusReason,
    Procedure,
    SuspensionLiftRule,
)
from counter.errors import ApplicationError, Conflict, PermissionDenied
from counter.models import Case, Desk
from counter.models.cases import CaseState, RevocationKind
from jpki_ops.models import CardOperation, CardOperationState
from jpki_ops.services import card_operation_cancel

from .case_flow import case_lock, case_transition, refusals_audited
from .certificates import (
    certificate_lift_suspension,
    certificate_revoke,
    certificates_sync_from_issuer,
)


def case_complete(*, case: Case, actor: Any, desk: Desk | None = None) -> Case:
    """Hand-over (§15 counter record): the procedure's effects, then the receipt.

    Revocation revokes at the issuer (§9); lifting a suspension restores the card,
    and the certificates on hold end or come back as the city's rule says (§10.2,
    docs/adr/0026-kiosk-resets-smartphone-certificates-and-the-lifting-rule.md).
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
    """§10.1: three facts. The card is in use again; a signing certificate on hold
    is revoked, never restored (a certificateHold on it is not released); the
    user-authentication certificate follows what J-LIS shows (§9.1) and the
    city's rule (§10.2): revoked with the signing one under J-LIS's rule (the
    default), restored under the cities' rule."""
    card = case.card
    assert card is not None
    certificates_sync_from_issuer(card=card, actor=actor, case=case)
    rule = case.municipality.profile.suspension_lift_rule
    card.status = CardStatus.ACTIVE
    card.status_changed_at = timezone.now()
    card.save(update_fields=["status", "status_changed_at"])
    audit_record(
        action="card_suspension_lifted",
        actor=actor,
        case=case,
        obj=card,
        data={"rule": rule},
    )
    for certificate in card.certificates.filter(status=CertificateStatus.SUSPENDED):
        if (
            certificate.kind == CertificateKind.SIGNING
            or rule == SuspensionLiftRule.JLIS_REVOKE_BOTH
        ):
            certificate_revoke(
                certificate=certificate,
                reason=CertificateStatusReason.KEY_COMPROMISE,
                actor=actor,
                case=case,
            )
        else:
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
    if (
        operation_id
        and CardOperation.objects.filter(
            pk=operation_id, state=CardOperationState.CLAIMED
        ).exists()
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
    operation = CardOperation.objects.get(pk=operation_id)
    if operation.state == CardOperationState.REQUESTED:
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
