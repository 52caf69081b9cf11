"""The letter lifecycle: locking, moving a letter's state, auditing refusals.

A letter moves only through :func:`move`, which runs the transition declared on
:class:`~counter.letters.models.InquiryLetter` through
:func:`counter.transitions.transition_run` (history row + audit entry
``letter_<target>``). Refusals are audited after their rollback
(docs/reference/style.md §3
items 7, 8). Rendering is enqueued by the task's stable name, so the services
never import the task module that calls them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from celery import current_app
from django.db import OperationalError, transaction
from django.utils.translation import gettext_lazy as _

from counter.audit import audit_record
from counter.errors import ApplicationError, Conflict, NotFound
from counter.services.office_rows import attach_office
from counter.services.row_locks import lock_row
from counter.transitions import transition_run

from ..models import InquiryLetter, LetterState

logger = logging.getLogger(__name__)

S = LetterState
#: The stable name of :func:`counter.letters.tasks.render_inquiry_letter`.
RENDER_TASK = "counter.render_inquiry_letter"
# Saved with every move: the state clock and the stuck listing restart.
_MOVE_FIELDS = ("state_changed_at", "stuck_since", "updated_at")
# lock_not_available, deadlock_detected, serialization_failure.
_BUSY_SQLSTATES = frozenset({"55P03", "40P01", "40001"})


def move(
    letter: InquiryLetter,
    to: str,
    *,
    actor: Any = None,
    actor_label: str = "",
    code: str = "",
    data: dict[str, Any] | None = None,
    fields: Iterable[str] = (),
) -> InquiryLetter:
    """Move ``letter`` (locked by the caller) to ``to``; history and audit.

    The transition is named after its target. A refusal names the letter and
    both states, as the API and the refusal audit always showed it.
    """
    source = letter.state
    try:
        transition_run(
            letter,
            str(to),
            actor=actor,
            actor_label=actor_label,
            history_code=code,
            data={"reference": letter.reference, **(data or {})},
            fields=[*_MOVE_FIELDS, *fields],
        )
    except Conflict as exc:
        if exc.code != InquiryLetter.transition_conflict_code:
            raise
        raise Conflict(
            exc.code,
            exc.message,
            extra={"reference": letter.reference, "from": source, "to": str(to)},
        ) from None
    return letter


def flag(letter: InquiryLetter, exc: ApplicationError, **who: Any) -> None:
    """The name or address cannot be printed: kept, flagged for a supervisor."""
    letter.error_code = exc.code
    letter.error_message = str(exc.message)
    move(
        letter,
        S.FLAGGED,
        code=exc.code,
        data={"extra": exc.extra},
        fields=["error_code", "error_message", "attempts"],
        **who,
    )


def lock(letter_id: int, *, nowait: bool = False) -> InquiryLetter:
    """Lock one letter row (single flight); call inside ``transaction.atomic()``."""
    try:
        letter = lock_row(InquiryLetter, letter_id, related=("case",), nowait=nowait)
    except InquiryLetter.DoesNotExist:
        raise NotFound("letter-not-found", _("No such inquiry letter.")) from None
    except OperationalError as exc:
        # Only a lock held by someone else is "busy"; a database that went away
        # is a fault the task retries, never a reason to acknowledge the work.
        if getattr(exc.__cause__, "sqlstate", None) not in _BUSY_SQLSTATES:
            raise
        raise Conflict(
            "letter-busy",
            _("This letter is being processed right now; try again in a moment."),
        ) from None
    # The office block's rows: this process's copies while their stamp, read by
    # the lock, is the same (ADR 0028); one municipality row.
    return attach_office(letter)


def audit_refusal(action: str, exc: ApplicationError, **context: Any) -> None:
    """Record a refused letter action; called after the rolled-back block."""
    audit_record(
        action=f"{action}_refused",
        data={"code": exc.code, "extra": exc.extra},
        **context,
    )


def publish_render(letter_id: int) -> bool:
    """Publish the render message now; ``False`` if the broker refused it.

    The letter row is the outbox (docs/adr): a queued letter whose message was
    lost is published again by :func:`counter.letters.services.letters_relay`.
    """
    try:
        current_app.signature(RENDER_TASK, args=(letter_id,)).apply_async(
            retry=True,
            retry_policy={
                "max_retries": 2,
                "interval_start": 0.2,
                "interval_step": 0.5,
            },
        )
    except Exception:  # noqa: BLE001 - broker down: the relay publishes it later
        logger.warning(
            "letter %s not published (broker unreachable); the relay retries",
            letter_id,
        )
        return False
    return True


def enqueue_render_on_commit(letter_id: int) -> None:
    """Ask a worker to render the letter once the transaction commits.

    If the broker is down the letter stays queued (the outbox row) and the relay
    publishes it again after the profile's threshold, so the visit can finish.
    """
    transaction.on_commit(lambda: publish_render(letter_id))
