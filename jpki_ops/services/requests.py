"""Requests from the clerk's screen: queue a card operation, withdraw it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from counter.errors import ApplicationError, Conflict, PermissionDenied
from counter.models import Case, Desk
from jpki_ops.models import CardOperation
from jpki_ops.models import CardOperationKind as Kind
from jpki_ops.models import CardOperationState as State

from .records import audit_operation, history_opened, operation_move
from .rules import validate_parameters


def card_operation_request(
    *,
    desk: Desk,
    kind: str,
    idempotency_key: str,
    parameters: dict[str, Any] | None = None,
    case: Case | None = None,
    requested_by: Any = None,
) -> CardOperation:
    """Queue an operation for ``desk``'s agent. Same key again → the same row."""
    if kind not in Kind.values:
        raise ApplicationError(
            "card-operation-unknown-kind",
            _("Unknown card operation."),
            extra={"kind": kind},
        )
    if not idempotency_key or len(idempotency_key) > 64:
        raise ApplicationError(
            "card-operation-bad-idempotency-key",
            _(
                "Every card operation request needs an idempotency key "
                "of 1–64 characters."
            ),
        )
    params = validate_parameters(kind, parameters or {})
    if not desk.active:
        raise Conflict("desk-inactive", _("This desk is not in service."))
    if case is not None and case.office_id != desk.office_id:
        raise PermissionDenied(
            "card-operation-wrong-desk", _("The case belongs to another office.")
        )
    existing = CardOperation.objects.filter(
        desk=desk, idempotency_key=idempotency_key
    ).first()
    if existing is not None:
        return _same_request(existing, kind, params, case)
    try:
        with transaction.atomic():
            operation = CardOperation.objects.create(
                desk=desk,
                case=case,
                kind=kind,
                parameters=params,
                idempotency_key=idempotency_key,
                requested_by=requested_by
                if getattr(requested_by, "pk", None)
                else None,
            )
            history_opened(operation, actor=requested_by)
            audit_operation(
                "card_operation_requested",
                operation,
                actor=requested_by,
                data={"parameters": params},
            )
    except IntegrityError:
        existing = CardOperation.objects.get(desk=desk, idempotency_key=idempotency_key)
        return _same_request(existing, kind, params, case)
    return operation


def _same_request(
    existing: CardOperation, kind: str, params: dict[str, Any], case: Case | None
) -> CardOperation:
    if existing.kind != kind or existing.parameters != params or existing.case != case:
        raise Conflict(
            "card-operation-idempotency-conflict",
            _("This idempotency key was already used for a different card operation."),
            extra={"operation": existing.pk},
        )
    return existing


def card_operation_cancel(
    *, operation: CardOperation, user: Any = None
) -> CardOperation:
    """The clerk withdraws a request the agent has not picked up yet."""
    with transaction.atomic():
        op = CardOperation.objects.select_for_update().get(pk=operation.pk)
        if op.state != State.REQUESTED:
            raise Conflict(
                "card-operation-not-cancellable",
                _("The operation is already running at the desk or finished."),
                extra={"state": op.state},
            )
        operation_move(
            op,
            "cancelled",
            fields=["finished_at", "error_code", "updated_at"],
            actor=user,
            code="cancelled",
            at=timezone.now(),
        )
    return op


def pad_heading(operation: CardOperation) -> dict[str, str]:
    """What the PIN pad shows about whose operation it is: the procedure, the
    resident's name in kana and the case reference; nothing else personal."""
    case = operation.case
    if case is None:
        return {}
    with translation.override(settings.LANGUAGE_CODE):
        return {
            "procedure": str(case.get_procedure_display()),
            "name_kana": case.resident.name_kana if case.resident_id else "",
            "case_reference": case.reference,
        }
