"""The one mutation path of a case (Signalen's manager pattern,
docs/reference/style.md §3.4).

Every service that changes a case does, inside ``transaction.atomic()``:
:func:`case_lock` (``select_for_update(nowait=True)``: of two clerks acting at
once exactly one wins, the other gets a :class:`Conflict`) → :func:`case_transition`
(the procedure's FSM transition, its guard's refusal if a condition fails, the
permission, a :class:`CaseStatusChange` row and an audit entry) → side effects.
:func:`refusals_audited` wraps the whole so a refusal leaves an audit entry that
survives the rollback (docs/reference/style.md §3.7).

Contention is one answer, given in one place: a row lock not granted at once,
a deadlock or a serialisation failure (PostgreSQL SQLSTATE 55P03, 40P01, 40001),
whether raised at the lock, at an audit append or at COMMIT, becomes
``Conflict("case-busy")`` (HTTP 409) through :func:`refusals_audited`. Any other
database error is not "busy" and propagates as the fault it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import DatabaseError, OperationalError
from django.utils.translation import gettext_lazy as _

from counter.audit import audit_record
from counter.errors import ApplicationError, Conflict, NotFound
from counter.models import Case, Desk
from counter.transitions import transition_check, transition_run
from counter.workflows import workflow_for

from .case_counts import count_case_moved
from .office_rows import attach_office
from .row_locks import lock_row

#: SQLSTATEs that mean "someone else holds what you need": lock_not_available,
#: deadlock_detected, serialization_failure.
CONTENTION_SQLSTATES = frozenset({"55P03", "40P01", "40001"})


def is_contention(exc: BaseException) -> bool:
    """Is ``exc`` a lock, deadlock or serialisation refusal from PostgreSQL?"""
    if not isinstance(exc, DatabaseError):
        return False
    cause = exc.__cause__
    return getattr(cause, "sqlstate", None) in CONTENTION_SQLSTATES


def case_busy() -> Conflict:
    """The one answer to two clerks at once: the loser reloads and looks."""
    return Conflict(
        "case-busy",
        _(
            "Another clerk is working on this case at this moment. Reload the "
            "case and check what they did before trying again."
        ),
    )


def case_lock(case_id: int) -> Case:
    """Lock the case row without waiting; call inside ``transaction.atomic()``.

    ``FOR NO KEY UPDATE``: it excludes the other clerk's lock but not the
    ``KEY SHARE`` lock PostgreSQL takes to check a foreign key, so writing an
    audit entry or a history row that names the case (a view, another case's
    reaction) never waits for the clerk holding it, and cannot deadlock with it.
    """
    try:
        case = lock_row(
            Case, case_id, related=("resident", "card"), nowait=True, no_key=True
        )
    except Case.DoesNotExist:
        raise NotFound("case-not-found", _("No such case.")) from None
    except OperationalError as exc:
        if is_contention(exc):
            raise case_busy() from None
        raise
    # The office, municipality and profile: this process's copies while their
    # stamp, read by the lock, is the same (ADR 0028); one municipality row.
    return workflow_for(attach_office(case))


def case_check(case: Case, name: str, *, actor: Any = None) -> Any:
    """May transition ``name`` run now? Raises the refusal it would meet.

    Returns the django-fsm transition, or ``None`` for a harmless repeat (the
    same person's double-submitted form). Services call it before side effects
    that must not happen for a refused step (a card operation, a letter).
    """
    return transition_check(case, name, actor=actor)


def case_transition(
    case: Case,
    name: str,
    *,
    actor: Any = None,
    actor_label: str = "",
    desk: Desk | None = None,
    reason: str = "",
    data: dict[str, Any] | None = None,
    **kwargs: Any,
) -> Case:
    """Run transition ``name`` on a locked case, record it and audit it.

    What :func:`case_check` refuses is raised; a harmless repeat changes nothing.
    """
    from_state = case.state
    result: Case = transition_run(
        case,
        name,
        actor=actor,
        actor_label=actor_label,
        desk=desk,
        reason=reason,
        data=data,
        **kwargs,
    )
    count_case_moved(result, from_state)
    return result


@contextmanager
def refusals_audited(
    action: str,
    *,
    actor: Any = None,
    actor_label: str = "",
    desk: Desk | None = None,
    case: Case | None = None,
    office: Any = None,
    municipality: Any = None,
    data: dict[str, Any] | None = None,
) -> Iterator[None]:
    """Audit an :class:`ApplicationError` raised inside, after its rollback.

    Contention met anywhere inside (the lock, an audit append, the COMMIT) is
    turned into ``case-busy`` here, so no clerk ever sees a deadlock as a 500.
    """
    try:
        try:
            yield
        except DatabaseError as exc:
            if not is_contention(exc):
                raise
            raise case_busy() from None
    except ApplicationError as exc:
        audit_record(
            action=f"{action}_refused",
            actor=actor,
            actor_label=actor_label,
            desk=desk,
            case=case if case is not None and case.pk else None,
            office=office,
            municipality=municipality,
            obj=case if case is not None and case.pk else None,
            data={**(data or {}), "code": exc.code, "extra": exc.extra},
        )
        raise
