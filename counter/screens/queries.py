"""Reads the clerk screens need, each scoped with ``visible_to(user)``.

Where counter.selectors offers the same read, the screens use that; what stays
here is shaping for display (one query per list, related rows joined).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import jaconv
from django.db.models import Q, QuerySet
from django.utils import timezone

from counter.models import AuditEvent, Case, CaseStatusChange, Certificate, Resident

from .labels import action_label

SEARCH_LIMIT = 50


def case_queue(*, user: Any, day: dt.date) -> QuerySet[Case]:
    """Cases opened today at the offices the user sees, newest first."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return (
        Case.objects.visible_to(user)
        .filter(created_at__gte=start, created_at__lt=start + dt.timedelta(days=1))
        .select_related("resident", "office", "desk", "created_by")
        .order_by("-created_at")
    )


def resident_search(
    *, user: Any, text: str = "", birth_date: dt.date | None = None
) -> list[Resident]:
    """Residents by name, kana (hiragana or katakana, spaces ignored) or birth date."""
    qs = Resident.objects.visible_to(user)
    text = (text or "").strip()
    if text:
        kana = jaconv.hira2kata(jaconv.h2z(text)).replace(" ", "").replace("　", "")
        plain = text.replace(" ", "").replace("　", "")
        qs = qs.filter(
            Q(name__icontains=text)
            | Q(name_substitute__icontains=text)
            | Q(name__icontains=plain)
            | Q(name_substitute__icontains=plain)
            | Q(name__regex=_spaced_regex(plain))
            | Q(name_kana__regex=_spaced_regex(kana))
        )
    if birth_date is not None:
        qs = qs.filter(birth_date=birth_date)
    return list(qs.distinct().order_by("name_kana", "birth_date")[:SEARCH_LIMIT])


def _spaced_regex(kana: str) -> str:
    """Typed without the space the register keeps between family and given name."""
    import re

    return "[ 　]?".join(re.escape(ch) for ch in kana)


@dataclass
class ResidentOverview:
    resident: Resident
    certificates: list[Certificate] = field(default_factory=list)
    open_cases: list[Case] = field(default_factory=list)
    age: int | None = None


def resident_overview(*, user: Any, resident: Resident) -> ResidentOverview:
    """What the clerk checks before choosing a procedure: card, certificates, cases."""
    certificates = list(
        Certificate.objects.visible_to(user)
        .filter(card__resident=resident)
        .select_related("card")
        .order_by("-card__issued_on", "kind")
    )
    open_cases = list(
        Case.objects.visible_to(user)
        .filter(resident=resident)
        .select_related("office")
        .order_by("-created_at")[:10]
    )
    age = resident.age_on(timezone.localdate())
    return ResidentOverview(resident, certificates, open_cases, age)


def case_for(*, user: Any, reference: str) -> Case | None:
    return (
        Case.objects.visible_to(user)
        .select_related("resident", "office", "desk", "created_by", "municipality")
        .filter(reference=reference)
        .first()
    )


def case_history(*, user: Any, case: Case) -> list[dict[str, Any]]:
    """Status changes and audit events of one case, merged in time order."""
    from counter.models.cases import CaseState

    labels = dict(CaseState.choices)
    rows: list[dict[str, Any]] = [
        {
            "at": c.at,
            "kind": "status",
            "item": c,
            "from_label": labels.get(c.from_state, c.from_state),
            "to_label": labels.get(c.to_state, c.to_state),
        }
        for c in CaseStatusChange.objects.visible_to(user)
        .filter(case=case)
        .select_related("actor", "desk")
    ]
    rows += [
        {
            "at": e.created_at,
            "kind": "audit",
            "item": e,
            "label": action_label(e.action),
        }
        for e in AuditEvent.objects.visible_to(user)
        .filter(case=case)
        .select_related("desk")
        .order_by("seq")
    ]
    rows.sort(key=lambda r: (r["at"], 0 if r["kind"] == "status" else 1))
    return rows


def card_operations(*, case: Case) -> list[Any]:
    """The case's card operations, newest first (the case is already scoped)."""
    from jpki_ops.models import CardOperation

    return list(
        CardOperation.objects.filter(case=case)
        .select_related("desk")
        .order_by("-requested_at", "-pk")
    )


def card_operation(*, user: Any, case: Case, operation_id: int) -> Any:
    from jpki_ops.models import CardOperation

    return (
        CardOperation.objects.visible_to(user)
        .select_related("desk")
        .filter(case=case, pk=operation_id)
        .first()
    )


def awaiting_second_visit(*, user: Any) -> QuerySet[Case]:
    """Voluntary-agent cases whose letter is out, earliest deadline first."""
    from counter.models.cases import CaseState

    return (
        Case.objects.visible_to(user)
        .filter(state=CaseState.AWAITING_SECOND_VISIT)
        .select_related("resident", "office")
        .order_by("second_visit_deadline", "created_at")
    )


def letters_for(*, case: Case) -> list[Any]:
    """The case's inquiry letters (none until a voluntary agent's first visit)."""
    from counter.letters.models import InquiryLetter

    return list(InquiryLetter.objects.filter(case=case).order_by("-pk"))


def checklist(*, case: Case, params: Any) -> dict[str, Any]:
    """identity_docs' checklist for this case and visit, evaluated from ``params``.

    It re-renders through the case page (``action_url``) and its record button
    posts to the case's documents step (``record_url``), so ticking and recording
    stay on the case and go through ``case_record_documents``.
    """
    from django.urls import reverse

    from identity_docs.views import checklist_context

    context = checklist_context(
        profile=case.municipality.profile,
        procedure=case.procedure,
        applicant_role=case.applicant_role,
        visit=case.visit,
        params=params,
        case=case,
    )
    context["action_url"] = reverse("counter:case", args=[case.reference])
    context["record_url"] = reverse("counter:documents", args=[case.reference])
    return context


def resident_cards(*, user: Any, resident: Resident) -> QuerySet[Any]:
    from counter.models import Card

    return (
        Card.objects.visible_to(user).filter(resident=resident).order_by("-issued_on")
    )
