"""Reads of cases: the queue, one case with its page's relations, its history,
the lists the console and the second-visit screen show.

Every selector takes the user and starts from ``.visible_to(user)``: a clerk
sees their own office's cases, a supervisor the whole municipality (scoping.py).
Lists load their relations in the same query set (select_related /
prefetch_related), so a screen needs one round-trip and no per-row queries.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from counter.errors import NotFound
from counter.models import AuditEvent, Case, CaseStatusChange, Certificate
from counter.models.cases import OPEN_STATES, CaseState
from counter.workflows import workflow_for
from jpki_ops.models import CardOperation

CASE_LIST_RELATIONS = ("resident", "card", "office", "desk", "created_by")


def _open_states() -> list[str]:
    return list(OPEN_STATES)


def local_day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The city's day as a half-open range of instants: a filter on it can use the
    (municipality, created_at) index, where ``created_at::date`` cannot."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    end = timezone.make_aware(
        dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min)
    )
    return start, end


def cases_today_queue(
    *,
    user: Any,
    office: Any = None,
    day: dt.date | None = None,
    relations: tuple[str, ...] = CASE_LIST_RELATIONS,
) -> QuerySet[Case]:
    """Today's queue: cases opened today, and open cases touched today, oldest
    first; with ``relations`` (the screen's by default; the API shows only the
    resident and office)."""
    start, end = local_day_bounds(day or timezone.localdate())
    qs = Case.objects.visible_to(user)
    if office is not None:
        qs = qs.filter(office=office)
    carried_over = list(queue_carried_over(qs, start, end))
    return queue_of_day(qs.select_related(*relations), start, end, carried_over)


def queue_carried_over(qs: QuerySet[Case], start: Any, end: Any) -> QuerySet[Any]:
    """The ids of ``qs``'s open cases from earlier days touched in [start, end).

    Looked up on their own through the (municipality, updated_at) index: as one
    OR with "opened today", the planner walks the created_at index from the
    first case ever opened and filters (a million rows at a prefecture's size)
    to find the first page."""
    return carried_over_cases(qs, start, end).order_by().values_list("pk", flat=True)


def carried_over_cases(qs: QuerySet[Case], start: Any, end: Any) -> QuerySet[Case]:
    """``qs``'s open cases from earlier days touched in [start, end)."""
    return qs.filter(
        updated_at__gte=start,
        updated_at__lt=end,
        created_at__lt=start,
        state__in=_open_states(),
    )


def queue_of_day(
    qs: QuerySet[Case], start: Any, end: Any, carried_over: list[Any]
) -> QuerySet[Case]:
    """``qs``'s cases opened in [start, end) and the ``carried_over`` ones,
    oldest first (the queue's filter, shared with the API's compiled read)."""
    return qs.filter(
        Q(created_at__gte=start, created_at__lt=end) | Q(pk__in=carried_over)
    ).order_by("created_at", "pk")


def case_detail(*, user: Any, reference: str) -> Case:
    """One case with everything its page shows: history, certificates, card
    operations and letters, in a fixed number of queries."""
    relations: list[Any] = [
        Prefetch(
            "history",
            queryset=CaseStatusChange.objects.select_related("actor", "desk").order_by(
                "at", "pk"
            ),
        ),
        Prefetch(
            "card__certificates",
            queryset=Certificate.objects.order_by("kind", "-issued_on"),
        ),
        Prefetch(
            "card_operations",
            queryset=CardOperation.objects.select_related("desk").order_by(
                "requested_at", "pk"
            ),
        ),
        "inquiry_letters",
        "evidence",
    ]
    case = (
        Case.objects.visible_to(user)
        .select_related(
            *CASE_LIST_RELATIONS,
            "municipality__profile",
            "exception_approved_by",
        )
        .prefetch_related(*relations)
        .filter(reference=reference)
        .first()
    )
    if case is None:
        raise NotFound("case-not-found", _("No such case."))
    return workflow_for(case)


def case_for_api(*, user: Any, reference: str) -> Case:
    """One case with what its API representation shows (the case, resident,
    office and status history): two queries whatever the case's age or size.
    The reference is unique, so the first row needs no ``ORDER BY pk``."""
    found = list(
        Case.objects.visible_to(user)
        .select_related("resident", "office")
        .prefetch_related(Prefetch("history", queryset=_api_history()))
        .filter(reference=reference)[:1]
    )
    if not found:
        raise NotFound("case-not-found", _("No such case."))
    return workflow_for(found[0])


def _api_history() -> QuerySet[CaseStatusChange]:
    """A case's status changes as its API answer shows them: the user's name
    and the desk's code, not every column of both (the user's row includes its
    password hash)."""
    return (
        CaseStatusChange.objects.select_related("actor", "desk")
        .only(*HISTORY_API_COLUMNS)
        .order_by("at", "pk")
    )


#: What the API's history row reads (counter/api/serializers.py).
HISTORY_API_COLUMNS = (
    "case",
    "from_state",
    "to_state",
    "transition",
    "at",
    "reason",
    "actor__username",
    "desk__code",
)


def cases_awaiting_approval(*, user: Any) -> QuerySet[Case]:
    """§7 exceptions waiting for a supervisor, oldest first."""
    return (
        Case.objects.visible_to(user)
        .filter(state=CaseState.AWAITING_APPROVAL)
        .select_related(*CASE_LIST_RELATIONS)
        .order_by("created_at")
    )


def cases_overdue_second_visit(
    *, user: Any, today: dt.date | None = None
) -> QuerySet[Case]:
    """Agents who did not come back by the deadline (§6.2) and are not swept yet."""
    today = today or timezone.localdate()
    return (
        Case.objects.visible_to(user)
        .filter(state=CaseState.AWAITING_SECOND_VISIT, second_visit_deadline__lt=today)
        .select_related(*CASE_LIST_RELATIONS)
        .order_by("second_visit_deadline")
    )


def cases_awaiting_second_visit(*, user: Any) -> QuerySet[Case]:
    return (
        Case.objects.visible_to(user)
        .filter(state=CaseState.AWAITING_SECOND_VISIT)
        .select_related(*CASE_LIST_RELATIONS)
        .order_by("second_visit_deadline")
    )


#: Audit entries the case page shows at most (the newest); the full trail of a
#: much-viewed case is the auditor's, in the audit log, not the counter's page.
CASE_PAGE_AUDIT_LIMIT = 200


def case_history(
    *, user: Any, case: Case, audit_limit: int = CASE_PAGE_AUDIT_LIMIT
) -> list[dict[str, Any]]:
    """The case's status changes (prefetched by :func:`case_detail`) and its
    newest ``audit_limit`` audit events, merged in time order; the screen names
    the audit actions. Bounded, so a case read 3,000 times opens as fast as a
    fresh one."""
    labels = dict(CaseState.choices)
    rows: list[dict[str, Any]] = [
        {
            "at": c.at,
            "kind": "status",
            "item": c,
            "from_label": labels.get(c.from_state, c.from_state),
            "to_label": labels.get(c.to_state, c.to_state),
        }
        for c in case.history.all()
    ]
    newest = (
        AuditEvent.objects.visible_to(user)
        .filter(case=case)
        .select_related("desk")
        .order_by("-seq")[:audit_limit]
    )
    rows += [{"at": e.created_at, "kind": "audit", "item": e} for e in newest]
    rows.sort(key=lambda r: (r["at"], 0 if r["kind"] == "status" else 1))
    return rows


def card_operation(*, user: Any, case: Case, operation_id: int) -> Any:
    """One of the case's card operations, for the live status fragment."""
    return (
        CardOperation.objects.visible_to(user)
        .select_related("desk")
        .filter(case=case, pk=operation_id)
        .first()
    )
