"""Reads of the supervisor console: failed card operations, daily counts and the
cards whose manufacture number a supervisor records."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from counter.constants import CardStatus
from counter.models import Card, Case, CaseDayCount
from counter.models.cases import CaseState
from jpki_ops.models import CardOperation, CardOperationState

from .cases import local_day_bounds
from .residents import residents_search


def card_operations_failed(*, user: Any, since: dt.datetime | None = None) -> Any:
    """Card operations that failed or timed out, newest first."""
    qs = (
        CardOperation.objects.visible_to(user)
        .filter(state__in=[CardOperationState.FAILED, CardOperationState.TIMED_OUT])
        .select_related("desk__office", "case__resident")
        .order_by("-finished_at", "-pk")
    )
    if since is not None:
        qs = qs.filter(finished_at__gte=since)
    return qs


def case_counts_live(
    *, user: Any, day_from: dt.date, day_to: dt.date
) -> list[dict[str, Any]]:
    """Cases opened per day, procedure and office (and how many completed),
    counted from the cases themselves. The period is a range of instants in the
    city's time zone, so the (municipality, created_at) index serves it
    (``created_at::date`` cannot)."""
    start, _ = local_day_bounds(day_from)
    _, end = local_day_bounds(day_to)
    rows = (
        Case.objects.visible_to(user)
        .filter(created_at__gte=start, created_at__lt=end)
        .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .values("day", "procedure", "office__code", "office__name")
        .annotate(
            opened=Count("pk"),
            completed=Count("pk", filter=Q(state=CaseState.COMPLETED)),
        )
        .order_by("day", "office__code", "procedure")
    )
    return list(rows)


def case_counts_daily(
    *, user: Any, day_from: dt.date, day_to: dt.date
) -> list[dict[str, Any]]:
    """The console's and the CSV export's counts: the days before today from the
    daily summary the case services keep (ADR 0029), today's counted live, so a
    year of counts reads a few thousand summary rows instead of every case."""
    today = timezone.localdate()
    rows: list[dict[str, Any]] = []
    if day_from < today:
        rows += list(
            CaseDayCount.objects.visible_to(user)
            .filter(day__gte=day_from, day__lte=min(day_to, today - dt.timedelta(1)))
            .values("day", "procedure", "office__code", "office__name")
            .annotate(opened=Sum("opened"), completed=Sum("completed"))
            .filter(opened__gt=0)
            .order_by("day", "office__code", "procedure")
        )
    if day_to >= today:
        rows += case_counts_live(
            user=user, day_from=max(day_from, today), day_to=day_to
        )
    return rows


def cards_for_identity(*, user: Any, query: str = "", limit: int = 50) -> list[Any]:
    """The cards a supervisor records manufacture numbers for: those of the
    residents found by ``query`` (as at reception), else the active cards that
    nothing identifies yet (no key fingerprint, no manufacture number)."""
    qs = (
        Card.objects.visible_to(user)
        .select_related("resident", "manufacture_record")
        .annotate(certificates_n=Count("certificates"))
        .order_by("resident__name_kana", "-issued_on")
    )
    if (query or "").strip():
        residents = residents_search(user=user, query=query, limit=limit)
        qs = qs.filter(resident__in=[r.pk for r in residents])
    else:
        qs = qs.filter(
            auth_key_fingerprint="",
            manufacture_record__isnull=True,
            status=CardStatus.ACTIVE,
        )
    return list(qs[:limit])
