"""Reads the clerk screens need beyond counter.selectors: shaping for display.

The lists themselves (queue, search, case detail, second visits) come from
counter.selectors; what stays here is what only a screen shows — the resident
summary with ages, the history merged with the audit trail, the embedded
identity_docs checklist — each scoped with ``visible_to(user)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from counter.models import AuditEvent, Card, Case, Certificate, Resident
from counter.models.cases import CaseState

from .labels import action_label


@dataclass
class ResidentOverview:
    resident: Resident
    certificates: list[Certificate] = field(default_factory=list)
    age: int | None = None


def resident_overview(*, user: Any, resident: Resident) -> ResidentOverview:
    """What the clerk checks before choosing a procedure: age, card, certificates."""
    certificates = list(
        Certificate.objects.visible_to(user)
        .filter(card__resident=resident)
        .select_related("card")
        .order_by("-card__issued_on", "kind")
    )
    return ResidentOverview(
        resident, certificates, resident.age_on(timezone.localdate())
    )


def resident_cards(*, user: Any, resident: Resident) -> QuerySet[Card]:
    return (
        Card.objects.visible_to(user).filter(resident=resident).order_by("-issued_on")
    )


def case_history(*, user: Any, case: Case) -> list[dict[str, Any]]:
    """The case's status changes (prefetched by the selector) and its audit
    events, merged in time order, with names a clerk can read."""
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


def card_operation(*, user: Any, case: Case, operation_id: int) -> Any:
    """One of the case's card operations, for the live status fragment."""
    from jpki_ops.models import CardOperation

    return (
        CardOperation.objects.visible_to(user)
        .select_related("desk")
        .filter(case=case, pk=operation_id)
        .first()
    )


def checklist(*, case: Case, params: Any) -> dict[str, Any]:
    """identity_docs' checklist for this case and visit, evaluated from ``params``.

    It re-renders through the case page (``action_url``) and its record button
    posts to the case's documents step (``record_url``), so ticking and recording
    stay on the case and go through ``case_record_documents``.
    """
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
