"""The desk agent's side: announce a session, claim, report progress, finish.

Every change is audited; operations a restarted agent left behind are resumed
only when running them again is harmless (``IDEMPOTENT_CARD_OPERATION_KINDS``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from counter.errors import ApplicationError
from counter.models import Desk
from jpki_ops.models import (
    IDEMPOTENT_CARD_OPERATION_KINDS,
    CardOperation,
    DeskAgentCredential,
)
from jpki_ops.models import CardOperationKind as Kind
from jpki_ops.models import CardOperationState as State

from .failures import failure_message
from .issuer import check_certificate_written
from .records import (
    announce_finished,
    audit_operation,
    locked,
    locked_claimed,
    operation_move,
)
from .rules import (
    PROGRESS_KEYS,
    REQUEST_TIMEOUT,
    RESULT_KEYS,
    RUN_TIMEOUT,
    check_no_secrets,
    claim_limit,
)

EXPIRED_UNCLAIMED = "card-operation-expired"
EXPIRED_UNCLAIMED_MESSAGE = _(
    "No desk agent took this card operation in time; it was not run. Check the "
    "card in the reader and press Start card work again."
)
EXPIRED_BEFORE_AGENT = "card-operation-before-agent-start"
EXPIRED_BEFORE_AGENT_MESSAGE = _(
    "This card operation was requested before the desk agent started; it was not "
    "run. Check the card in the reader and press Start card work again."
)


def desk_agent_session_start(*, desk: Desk, agent_session: str) -> list[CardOperation]:
    """A (re)started agent announces itself; operations a previous run left claimed
    are resumed when running them again is harmless, failed cleanly otherwise.

    Never run twice on the card: a PIN change, reset or certificate write that was
    in flight may or may not have reached the card, so the clerk re-checks and
    requests again (the audit trail shows why).
    """
    touched: list[CardOperation] = []
    with transaction.atomic():
        stale = list(
            CardOperation.objects.select_for_update()
            .filter(desk=desk, state=State.CLAIMED)
            .exclude(claimed_by=agent_session)
        )
        for op in stale:
            if op.kind in IDEMPOTENT_CARD_OPERATION_KINDS:
                operation_move(
                    op,
                    "resumed",
                    fields=["claimed_by", "claimed_at", "progress", "updated_at"],
                )
            else:
                finish_failed(
                    op,
                    "agent-restarted",
                    str(
                        _(
                            "The desk agent restarted while this operation was "
                            "running. "
                            "Check the card (tries left, certificates) and request "
                            "it again."
                        )
                    ),
                )
            touched.append(op)
        # Requests from before this agent started are never run by it: the card
        # in the reader now may be anyone's (the clerk confirms again).
        waiting = CardOperation.objects.select_for_update().filter(
            desk=desk, state=State.REQUESTED
        )
        for op in waiting:
            if op.progress.get("stage") == "resumed":
                continue  # a read-only leftover resumed above
            _expire(op, EXPIRED_BEFORE_AGENT, EXPIRED_BEFORE_AGENT_MESSAGE)
            touched.append(op)
    for op in touched:
        if op.state in (State.FAILED, State.EXPIRED):
            announce_finished(op)
    DeskAgentCredential.objects.filter(desk=desk, revoked_at__isnull=True).update(
        last_seen_at=timezone.now()
    )
    return touched


def card_operation_claim(*, desk: Desk, agent_session: str) -> CardOperation | None:
    """The oldest requested operation of this desk, now claimed by ``agent_session``.

    ``skip_locked`` so two agents of one desk (a misconfiguration) never both get it;
    the desk filter means an agent only ever sees its own desk's operations.
    """
    if not agent_session:
        raise ApplicationError(
            "agent-session-missing", _("The agent session is missing.")
        )
    expired: list[CardOperation] = []
    with transaction.atomic():
        # Too old to run: expire, never hand to the agent.
        for stale in CardOperation.objects.select_for_update(skip_locked=True).filter(
            desk=desk,
            state=State.REQUESTED,
            requested_at__lt=timezone.now() - claim_limit(),
        ):
            _expire(stale, EXPIRED_UNCLAIMED, EXPIRED_UNCLAIMED_MESSAGE)
            expired.append(stale)
        op = (
            CardOperation.objects.select_for_update(skip_locked=True)
            .filter(desk=desk, state=State.REQUESTED)
            .order_by("requested_at", "pk")
            .first()
        )
        if op is not None:
            operation_move(
                op,
                "claimed",
                fields=["claimed_by", "claimed_at", "attempts", "updated_at"],
                data={"attempt": op.attempts + 1},
                agent_session=agent_session,
                at=timezone.now(),
            )
    for stale in expired:
        announce_finished(stale)
    return op


def _expire(op: CardOperation, code: str, message: Any) -> None:
    operation_move(
        op,
        "expired",
        fields=["error_code", "error_message", "finished_at", "updated_at"],
        code=code,
        data={"error_code": code, "requested_at": op.requested_at.isoformat()},
        error_code=code,
        message=str(message),
        at=timezone.now(),
    )


def card_operation_progress(
    *, operation_id: int, desk: Desk, agent_session: str, progress: dict[str, Any]
) -> CardOperation:
    """What the clerk's screen shows while the agent works (tries left, PIN pad)."""
    check_no_secrets(progress, where="progress")
    clean = {k: v for k, v in progress.items() if k in PROGRESS_KEYS}
    with transaction.atomic():
        op = locked_claimed(operation_id, desk, agent_session)
        op.progress = {**op.progress, **clean}
        op.save(update_fields=["progress", "updated_at"])
    if progress.get("stage") == "pin_refused":
        # Bad input is audited too: which PIN and why (its shape), never the value.
        audit_operation(
            "card_operation_pin_refused",
            op,
            data={
                "pin_kind": progress.get("pin_kind"),
                "code": progress.get("refusal_code"),
            },
        )
    return op


def card_operation_complete(
    *, operation_id: int, desk: Desk, agent_session: str, result: dict[str, Any]
) -> CardOperation:
    """Record success. Posting the same result again is harmless (agent retries)."""
    check_no_secrets(result, where="result")
    unknown = set(result) - RESULT_KEYS
    if unknown:
        raise ApplicationError(
            "card-operation-bad-result",
            _("The desk agent reported fields this server does not accept."),
            extra={"unknown": sorted(unknown)},
        )
    with transaction.atomic():
        op = locked(operation_id, desk)
        if op.state == State.SUCCEEDED and op.result == result:
            return op
        op = locked_claimed(operation_id, desk, agent_session)
        if op.kind == Kind.CERT_ISSUE:
            check_certificate_written(op, result)
        operation_move(
            op,
            "succeeded",
            fields=["result", "finished_at", "updated_at"],
            data={"result": _audit_result(result)},
            result=result,
            at=timezone.now(),
        )
    announce_finished(op)
    return op


def _audit_result(result: dict[str, Any]) -> dict[str, Any]:
    """Outcome without certificates (they are large and belong to the card)."""
    return {k: v for k, v in result.items() if k != "certificates"}


def card_operation_fail(
    *,
    operation_id: int,
    desk: Desk,
    agent_session: str,
    code: str,
    message: str,
    extra: dict[str, Any] | None = None,
) -> CardOperation:
    """Record a failure the agent met (wrong PIN, card removed, cancelled …).

    Only the code counts: the message is the server's own for that code, never
    the agent's text (the agent's ``message`` is ignored).
    """
    extra = extra or {}
    check_no_secrets(extra, where="failure")
    del message
    message = failure_message(code, extra)
    with transaction.atomic():
        op = locked(operation_id, desk)
        if op.state == State.FAILED and op.error_code == code:
            return op
        op = locked_claimed(operation_id, desk, agent_session)
        finish_failed(op, code, message, extra, data={"extra": extra})
    announce_finished(op)
    return op


def finish_failed(
    op: CardOperation,
    code: str,
    message: str,
    extra: dict[str, Any] | None = None,
    *,
    data: dict[str, Any] | None = None,
) -> None:
    """The ``failed`` transition; what ``extra`` says about the card is kept."""
    operation_move(
        op,
        "failed",
        fields=["error_code", "error_message", "result", "finished_at", "updated_at"],
        code=code[:60],
        data={"error_code": code, **(data or {})},
        error_code=code,
        message=message,
        result={k: v for k, v in extra.items() if k in RESULT_KEYS} if extra else None,
        at=timezone.now(),
    )


def card_operations_time_out(*, now: dt.datetime | None = None) -> int:
    """Beat: requests nobody claimed, and runs that never reported, end visibly."""
    now = now or timezone.now()
    finished: list[CardOperation] = []
    with transaction.atomic():
        for op in CardOperation.objects.select_for_update(skip_locked=True).filter(
            state=State.REQUESTED, requested_at__lt=now - claim_limit()
        ):
            _expire(op, EXPIRED_UNCLAIMED, EXPIRED_UNCLAIMED_MESSAGE)
            finished.append(op)
        stale = CardOperation.objects.select_for_update(skip_locked=True).filter(
            models.Q(state=State.REQUESTED, requested_at__lt=now - REQUEST_TIMEOUT)
            | models.Q(state=State.CLAIMED, claimed_at__lt=now - RUN_TIMEOUT)
        )
        for op in stale:
            operation_move(
                op,
                "timed_out",
                fields=["error_code", "error_message", "finished_at", "updated_at"],
                code="card-operation-timed-out",
                data={"was": op.state},
                message=str(_("The desk agent did not finish the operation in time.")),
                at=now,
            )
            finished.append(op)
    for op in finished:
        announce_finished(op)
    return len(finished)
