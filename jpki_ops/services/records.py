"""The card-operation row as every side touches it: locked, moved, audited."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from counter.audit import audit_record
from counter.errors import Conflict, NotFound
from counter.models import Desk
from counter.reactions import card_operation_finished
from counter.transitions import is_user, transition_run
from jpki_ops.models import CardOperation, CardOperationStatusChange
from jpki_ops.models import CardOperationState as State


def agent_label(desk: Desk) -> str:
    return f"desk-agent:{desk.office.code}/{desk.code}"


def audit_operation(
    action: str,
    operation: CardOperation,
    *,
    actor: Any = None,
    data: dict[str, Any] | None = None,
) -> None:
    payload = {
        "operation": operation.pk,
        "kind": operation.kind,
        "state": operation.state,
    }
    payload.update(data or {})
    audit_record(
        action=action,
        actor=actor,
        actor_label="" if actor is not None else agent_label(operation.desk),
        desk=operation.desk,
        case=operation.case,
        obj=operation,
        data=payload,
    )


def history_opened(op: CardOperation, *, actor: Any = None) -> None:
    """The first history row: the operation was requested (no transition yet)."""
    CardOperationStatusChange.objects.create(
        operation=op,
        from_state="",
        to_state=op.state,
        transition="requested",
        actor=actor if is_user(actor) else None,
        actor_label="" if actor is not None else agent_label(op.desk),
    )


def operation_move(
    op: CardOperation,
    name: str,
    *,
    fields: list[str],
    actor: Any = None,
    code: str = "",
    data: dict[str, Any] | None = None,
    **kwargs: Any,
) -> CardOperation:
    """Run transition ``name`` of ``op`` through the one transition runner.

    History row and ``card_operation_<name>`` audit entry in the caller's
    transaction; the audit payload names the operation as :func:`audit_operation`
    does. ``fields`` are the ones the transition sets (``updated_at`` included).
    """
    transition_run(
        op,
        name,
        actor=actor,
        actor_label="" if actor is not None else agent_label(op.desk),
        desk=op.desk,
        history_code=code,
        data={
            "operation": op.pk,
            "kind": op.kind,
            "state": _target(op, name),
            **(data or {}),
        },
        fields=fields,
        **kwargs,
    )
    return op


def _target(op: CardOperation, name: str) -> str:
    """The state transition ``name`` leads to (each has exactly one)."""
    meta = getattr(op, name)._django_fsm
    (target,) = {t.target for t in meta.transitions.values()}
    return str(target)


def locked(operation_id: int, desk: Desk) -> CardOperation:
    """The desk's operation, row-locked; another desk's operation does not exist."""
    try:
        return (
            CardOperation.objects.select_for_update(of=("self",))
            .select_related("desk__office", "case")
            .get(pk=operation_id, desk=desk)
        )
    except CardOperation.DoesNotExist:
        raise NotFound(
            "card-operation-not-found", _("No such card operation.")
        ) from None


def locked_claimed(operation_id: int, desk: Desk, agent_session: str) -> CardOperation:
    op = locked(operation_id, desk)
    if op.state != State.CLAIMED or op.claimed_by != agent_session:
        raise Conflict(
            "card-operation-not-claimed",
            _("This operation is not running at this desk agent any more."),
            extra={"state": op.state},
        )
    return op


def announce_finished(op: CardOperation) -> None:
    """Let the case's procedure react to the finished operation (counter.services).

    Called after our transaction so the case sees the committed outcome; the case
    service is idempotent, so an agent's retried post is harmless.
    """
    if op.case_id is None:
        return
    card_operation_finished.send(op)
