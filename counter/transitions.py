"""One way to move a state, for cases, inquiry letters and card operations.

Each entity declares its transition table on its model with django-fsm's
``@transition`` (source, target, conditions, permission); nothing else writes its
``state`` field. :func:`transition_run` is the only path that fires one: it checks
the table (:func:`transition_check`), calls the method, saves, writes the entity's
append-only history row and the audit entry, in the caller's transaction. The
entity says how its history row and audit action look through the small
:class:`Tracked` protocol (see docs/architecture.md, "one way to move a state").
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar, Protocol, cast

from django.db.models import Model
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransition

from counter.audit import audit_record
from counter.errors import ApplicationError, Conflict, PermissionDenied


class Tracked(Protocol):
    """What an entity moved by :func:`transition_run` provides."""

    #: prefix of the audit action: ``f"{audit_noun}_{transition name}"``.
    audit_noun: ClassVar[str]
    #: refusal when the table has no such step from the current state; the
    #: message is formatted with ``state``, ``target`` and ``transition``.
    transition_conflict_code: ClassVar[str]
    transition_conflict_message: ClassVar[Any]
    #: refusal when another writer moved the row between lock and save.
    transition_changed_code: ClassVar[str]
    transition_changed_message: ClassVar[Any]
    state: Any
    pk: Any

    def get_state_display(self) -> str: ...

    def save(self, *args: Any, **kwargs: Any) -> None: ...

    def transition_history(
        self,
        *,
        name: str,
        from_state: str,
        actor: Any,
        actor_label: str,
        desk: Any,
        reason: str,
        code: str,
    ) -> None:
        """Write the append-only history row of one transition."""

    def transition_audit_scope(self) -> dict[str, Any]:
        """``case=``/``desk=``/``office=`` the audit entry belongs to."""

    def transition_is_repeat(self, name: str, actor: Any) -> bool:
        """A harmless repeat of the last transition by the same person."""


def is_user(actor: Any) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def _target_label(obj: Tracked, meta: Any) -> str:
    """The label of the state a step leads to (for "cannot become …")."""
    targets = {t.target for t in meta.transitions.values()}
    if len(targets) != 1:
        return ""
    target = targets.pop()
    field = obj._meta.get_field("state")  # type: ignore[attr-defined]
    return str(dict(field.flatchoices).get(target, target))


def transition_check(obj: Tracked, name: str, *, actor: Any = None) -> Any:
    """May transition ``name`` run now? Raises the refusal it would meet.

    Returns the django-fsm transition, or ``None`` for a harmless repeat (the
    same person's double-submitted form). Services call it before side effects
    that must not happen for a refused step (a card operation, a letter).
    """
    method = getattr(obj, name, None)
    if method is None or not hasattr(method, "_django_fsm"):
        raise Conflict(
            "step-not-in-procedure",
            _("This procedure has no such step."),
            extra={
                "procedure": getattr(obj, "procedure", obj.audit_noun),
                "transition": name,
            },
        )
    meta = method._django_fsm
    from_state = obj.state
    transition = (
        meta.get_transition(from_state) if meta.has_transition(from_state) else None
    )
    if transition is None:
        if obj.transition_is_repeat(name, actor):
            return None
        raise Conflict(
            obj.transition_conflict_code,
            obj.transition_conflict_message
            % {
                "state": obj.get_state_display(),
                "target": _target_label(obj, meta),
                "transition": name,
            },
            extra={"state": from_state, "transition": name},
        )
    for condition in transition.conditions:
        if not condition(obj):
            raise ApplicationError(
                getattr(condition, "code", "condition-not-met"),
                getattr(condition, "message", _("This step is not possible now.")),
                extra={"state": from_state, "transition": name},
            )
    if is_user(actor) and not transition.has_perm(obj, actor):
        raise PermissionDenied(
            "not-permitted",
            _("You are not allowed to do this step."),
            extra={"transition": name},
        )
    return transition


def transition_run(
    obj: Tracked,
    name: str,
    *,
    actor: Any = None,
    actor_label: str = "",
    desk: Any = None,
    reason: str = "",
    history_code: str = "",
    data: dict[str, Any] | None = None,
    fields: Iterable[str] | None = None,
    **kwargs: Any,
) -> Any:
    """Run transition ``name`` on a locked ``obj``; history row and audit entry.

    What :func:`transition_check` refuses is raised; a harmless repeat changes
    nothing and marks the object ``_replayed``. ``history_code`` is the stable
    code kept on the history row and in the audit entry; ``kwargs`` go to the
    transition method. ``fields`` limits the save to the
    state and those fields (for rows other writers touch, such as letters).
    """
    if transition_check(obj, name, actor=actor) is None:
        obj._replayed = True  # type: ignore[attr-defined]
        return obj
    from_state = obj.state
    getattr(obj, name)(**kwargs)
    try:
        if fields is None:
            obj.save()
        else:
            obj.save(update_fields=["state", *fields])
    except ConcurrentTransition:
        raise Conflict(
            obj.transition_changed_code, obj.transition_changed_message
        ) from None
    obj.transition_history(
        name=name,
        from_state=from_state,
        actor=actor if is_user(actor) else None,
        actor_label=actor_label,
        desk=desk,
        reason=reason,
        code=history_code,
    )
    audit_record(
        action=f"{obj.audit_noun}_{name}",
        actor=actor,
        actor_label=actor_label,
        desk=desk,
        obj=cast(Model, obj),
        data={
            "from": from_state,
            "to": obj.state,
            **({"code": history_code} if history_code else {}),
            **(data or {}),
        },
        **obj.transition_audit_scope(),
    )
    return obj
