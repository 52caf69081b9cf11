"""The one mutation path of a case (Signalen's manager pattern, style.md §3.4).

Every service that changes a case does, inside ``transaction.atomic()``:
:func:`case_lock` (``select_for_update(nowait=True)``: of two clerks acting at
once exactly one wins, the other gets a :class:`Conflict`) → :func:`case_transition`
(the procedure's FSM transition, its guard's refusal if a condition fails, the
permission, a :class:`CaseStatusChange` row and an audit entry) → side effects.
:func:`refusals_audited` wraps the whole so a refusal leaves an audit entry that
survives the rollback (style.md §3.7).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import DatabaseError
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransition

from counter.audit import audit_record
from counter.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from counter.models import Case, CaseStatusChange, Desk
from counter.workflows import workflow_for


def _is_user(actor: Any) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def case_lock(case_id: int) -> Case:
    """Lock the case row without waiting; call inside ``transaction.atomic()``."""
    try:
        case = (
            Case.objects.select_for_update(nowait=True, of=("self",))
            .select_related("municipality__profile", "office", "resident", "card")
            .get(pk=case_id)
        )
    except Case.DoesNotExist:
        raise NotFound("case-not-found", _("No such case.")) from None
    except DatabaseError:
        raise Conflict(
            "case-busy",
            _(
                "Another clerk is working on this case at this moment. Reload the "
                "case and check what they did before trying again."
            ),
        ) from None
    return workflow_for(case)


def _last_change(case: Case) -> CaseStatusChange | None:
    return case.history.order_by("-at", "-pk").first()


def case_check(case: Case, name: str, *, actor: Any = None) -> Any:
    """May transition ``name`` run now? Raises the refusal it would meet.

    Returns the django-fsm transition, or ``None`` for a harmless repeat (the
    same person's double-submitted form: the last change was this very
    transition by them). Services call it before side effects that must not
    happen for a refused step (a card operation, a letter).
    """
    method = getattr(case, name, None)
    if method is None or not hasattr(method, "_django_fsm"):
        raise Conflict(
            "step-not-in-procedure",
            _("This procedure has no such step."),
            extra={"procedure": case.procedure, "transition": name},
        )
    meta = method._django_fsm
    from_state = case.state
    transition = (
        meta.get_transition(from_state) if meta.has_transition(from_state) else None
    )
    if transition is None:
        last = _last_change(case)
        if (
            last is not None
            and last.transition == name
            and _is_user(actor)
            and last.actor_id == actor.pk
        ):
            return None
        raise Conflict(
            "case-state-conflict",
            _("This case is now “%(state)s”; that step is not possible any more.")
            % {"state": case.get_state_display()},
            extra={"state": from_state, "transition": name},
        )
    for condition in transition.conditions:
        if not condition(case):
            raise ApplicationError(
                getattr(condition, "code", "condition-not-met"),
                getattr(condition, "message", _("This step is not possible now.")),
                extra={"state": from_state, "transition": name},
            )
    if _is_user(actor) and not transition.has_perm(case, actor):
        raise PermissionDenied(
            "not-permitted",
            _("You are not allowed to do this step."),
            extra={"transition": name},
        )
    return transition


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
    if case_check(case, name, actor=actor) is None:
        case._replayed = True  # type: ignore[attr-defined]
        return case
    from_state = case.state
    method = getattr(case, name)
    method(**kwargs)
    try:
        case.save()
    except ConcurrentTransition:
        raise Conflict(
            "case-changed",
            _("Someone else changed this case meanwhile. Reload it."),
        ) from None
    CaseStatusChange.objects.create(
        case=case,
        from_state=from_state,
        to_state=case.state,
        transition=name,
        actor=actor if _is_user(actor) else None,
        desk=desk,
        reason=reason,
    )
    audit_record(
        action=f"case_{name}",
        actor=actor,
        actor_label=actor_label,
        desk=desk,
        case=case,
        obj=case,
        data={"from": from_state, "to": case.state, **(data or {})},
    )
    return case


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
    """Audit an :class:`ApplicationError` raised inside, after its rollback."""
    try:
        yield
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
