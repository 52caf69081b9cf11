"""Reads of the supervisor console, each scoped with ``visible_to(user)``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from counter.constants import Procedure
from counter.models import Case
from counter.models.cases import CaseState


def approvals_waiting(*, user: Any) -> QuerySet[Case]:
    return (
        Case.objects.visible_to(user)
        .filter(state=CaseState.AWAITING_APPROVAL)
        .select_related("resident", "office", "created_by")
        .order_by("created_at")
    )


def second_visits_overdue(*, user: Any, today: dt.date) -> QuerySet[Case]:
    """Letters out whose deadline passed and the sweep has not expired yet."""
    return (
        Case.objects.visible_to(user)
        .filter(state=CaseState.AWAITING_SECOND_VISIT, second_visit_deadline__lt=today)
        .select_related("resident", "office")
        .order_by("second_visit_deadline")
    )


def card_operations_failed(*, user: Any, since: dt.datetime) -> QuerySet[Any]:
    from jpki_ops.models import CardOperation, CardOperationState

    return (
        CardOperation.objects.visible_to(user)
        .filter(
            state__in=[CardOperationState.FAILED, CardOperationState.TIMED_OUT],
            requested_at__gte=since,
        )
        .select_related("desk__office", "case__resident", "requested_by")
        .order_by("-requested_at")
    )


def daily_counts(*, user: Any, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """Cases opened per day, office and procedure, with how many completed."""
    tz = timezone.get_current_timezone()
    lower = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    upper = timezone.make_aware(dt.datetime.combine(end, dt.time.min)) + dt.timedelta(
        days=1
    )
    rows = (
        Case.objects.visible_to(user)
        .filter(created_at__gte=lower, created_at__lt=upper)
        .annotate(day=TruncDate("created_at", tzinfo=tz))
        .values("day", "office__name", "procedure", "state")
        .annotate(n=Count("id"))
        .order_by("day", "office__name", "procedure")
    )
    labels = dict(Procedure.choices)
    table: dict[tuple[Any, str, str], dict[str, Any]] = {}
    for row in rows:
        key = (row["day"], row["office__name"], row["procedure"])
        entry = table.setdefault(
            key,
            {
                "day": row["day"],
                "office": row["office__name"],
                "procedure": row["procedure"],
                "procedure_label": labels.get(row["procedure"], row["procedure"]),
                "opened": 0,
                "completed": 0,
                "open": 0,
            },
        )
        entry["opened"] += row["n"]
        if row["state"] == CaseState.COMPLETED:
            entry["completed"] += row["n"]
        elif row["state"] not in (
            CaseState.CANCELLED,
            CaseState.REFUSED,
            CaseState.EXPIRED,
        ):
            entry["open"] += row["n"]
    return list(table.values())


def letters_by_state(*, user: Any) -> list[dict[str, Any]]:
    """How many inquiry letters are in each lifecycle state."""
    from counter.letters.models import InquiryLetter

    labels = dict(InquiryLetter._meta.get_field("state").choices or [])
    rows = (
        InquiryLetter.objects.visible_to(user)
        .values("state")
        .annotate(n=Count("id"))
        .order_by("state")
    )
    return [
        {"state": r["state"], "label": labels.get(r["state"], r["state"]), "n": r["n"]}
        for r in rows
    ]
