"""Reads for the clerk screens, the supervisor console and the API (style.md §3.3).

Every selector takes the user and starts from ``.visible_to(user)``: a clerk
sees their own office's cases, a supervisor the whole municipality (scoping.py).
Lists load their relations in the same query set (select_related /
prefetch_related), so a screen needs one round-trip and no per-row queries.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import jaconv
from django.db.models import Count, F, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Replace, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from counter.errors import NotFound
from counter.models import Case, CaseStatusChange, Certificate, Resident
from counter.models.cases import FINAL_STATES, CaseState
from counter.workflows import workflow_for

_CASE_LIST_RELATIONS = ("resident", "card", "office", "desk", "created_by")


def _open_states() -> list[str]:
    return [s.value for s in CaseState if s not in FINAL_STATES]


def cases_today_queue(
    *, user: Any, office: Any = None, day: dt.date | None = None
) -> QuerySet[Case]:
    """Today's queue: cases opened today, and open cases touched today, oldest first."""
    day = day or timezone.localdate()
    qs = Case.objects.visible_to(user).select_related(*_CASE_LIST_RELATIONS)
    if office is not None:
        qs = qs.filter(office=office)
    return qs.filter(
        Q(created_at__date=day) | Q(updated_at__date=day, state__in=_open_states())
    ).order_by("created_at", "pk")


def _kana(text: str) -> str:
    """Search in katakana, full width, without spaces: ｱﾂｷﾞ / あつぎ → アツギ."""
    text = jaconv.h2z(text.strip(), kana=True, ascii=False, digit=False)
    return jaconv.hira2kata(text).replace(" ", "").replace("\u3000", "")


def _without_spaces(field: str) -> Replace:
    """The column with its ASCII and full-width (U+3000) spaces removed, in SQL, so
    アツギタロウ finds アツギ タロウ and 厚木 太郎 finds 厚木太郎 on either side."""
    return Replace(Replace(F(field), Value(" "), Value("")), Value("\u3000"), Value(""))


def residents_search(
    *, user: Any, query: str = "", birth_date: dt.date | None = None, limit: int = 50
) -> QuerySet[Resident]:
    """Reception search by name, kana (hiragana, half-width accepted) or birth date."""
    qs = Resident.objects.visible_to(user)
    query = (query or "").strip()
    if not query and birth_date is None:
        return qs.none()
    if query:
        squeezed = query.replace(" ", "").replace("\u3000", "")
        qs = qs.annotate(
            name_flat=_without_spaces("name"),
            name_substitute_flat=_without_spaces("name_substitute"),
            name_kana_flat=_without_spaces("name_kana"),
        ).filter(
            Q(name_flat__icontains=squeezed)
            | Q(name_substitute_flat__icontains=squeezed)
            | Q(name_kana_flat__contains=_kana(query))
            | Q(register_id=query)
        )
    if birth_date is not None:
        qs = qs.filter(birth_date=birth_date)
    return qs.prefetch_related("cards").order_by("name_kana", "birth_date")[:limit]


def case_detail(*, user: Any, reference: str) -> Case:
    """One case with everything its page shows: history, certificates, card
    operations and letters, in a fixed number of queries."""
    from jpki_ops.models import CardOperation

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
            *_CASE_LIST_RELATIONS,
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


def cases_awaiting_approval(*, user: Any) -> QuerySet[Case]:
    """§7 exceptions waiting for a supervisor, oldest first."""
    return (
        Case.objects.visible_to(user)
        .filter(state=CaseState.AWAITING_APPROVAL)
        .select_related(*_CASE_LIST_RELATIONS)
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
        .select_related(*_CASE_LIST_RELATIONS)
        .order_by("second_visit_deadline")
    )


def cases_awaiting_second_visit(*, user: Any) -> QuerySet[Case]:
    return (
        Case.objects.visible_to(user)
        .filter(state=CaseState.AWAITING_SECOND_VISIT)
        .select_related(*_CASE_LIST_RELATIONS)
        .order_by("second_visit_deadline")
    )


def card_operations_failed(*, user: Any, since: dt.datetime | None = None) -> Any:
    """Card operations that failed or timed out, newest first."""
    from jpki_ops.models import CardOperation

    qs = (
        CardOperation.objects.visible_to(user)
        .filter(state__in=["failed", "timed_out"])
        .select_related("desk__office", "case__resident")
        .order_by("-finished_at", "-pk")
    )
    if since is not None:
        qs = qs.filter(finished_at__gte=since)
    return qs


def case_counts_daily(
    *, user: Any, day_from: dt.date, day_to: dt.date
) -> list[dict[str, Any]]:
    """Cases opened per day, procedure and office (and how many completed)."""
    rows = (
        Case.objects.visible_to(user)
        .filter(created_at__date__gte=day_from, created_at__date__lte=day_to)
        .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .values("day", "procedure", "office__code", "office__name")
        .annotate(
            opened=Count("pk"),
            completed=Count("pk", filter=Q(state=CaseState.COMPLETED)),
        )
        .order_by("day", "office__code", "procedure")
    )
    return list(rows)
