"""The clerk's document checklist: tick what the resident shows, see what is missing.

Server-rendered and usable without JavaScript (the form re-evaluates on submit);
with htmx the checklist re-renders itself on every tick. Standalone at
``/identity-documents/checklist/?procedure=pin_reset&role=holder&visit=1``; the case
page embeds it with ``{% include "identity_docs/checklist.html" %}`` and the context
from :func:`checklist_context`. With ``?case=<id>`` the clerk can record the result
as the case's evidence (``evidence_record``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from counter.audit import audit_record
from counter.errors import ApplicationError
from identity_docs.constants import (
    DOCUMENT_PROCEDURES,
    ApplicantRole,
    DocumentClass,
    Fact,
    Owner,
    Procedure,
)
from identity_docs.evaluator import (
    DocumentKind,
    Evaluation,
    PresentedDocument,
    evaluate,
)
from identity_docs.rules import parse_requirement
from identity_docs.services import (
    catalogue_for,
    evidence_record,
    profile_for_user,
    requirement_rule_get,
    visits_for,
)

_ANSWER = DocumentClass.ANSWER_SHEET.value


def _owner_label(owner: str, role: str) -> str:
    if owner == Owner.HOLDER or role == ApplicantRole.HOLDER:
        return _("The holder's documents")
    if role == ApplicantRole.LEGAL_REPRESENTATIVE:
        return _("The legal representative's documents")
    return _("The agent's documents")


def _candidate_rows(
    requirement: Any, catalogue: Mapping[str, DocumentKind]
) -> list[tuple[str, DocumentKind]]:
    """(owner, kind) for every kind that could fill some slot, in catalogue order."""
    rows: list[tuple[str, DocumentKind]] = []
    seen: set[tuple[str, str]] = set()
    slots = [slot for rule in requirement.rules for slot in rule.slots()]
    owners = [Owner.HOLDER.value, Owner.APPLICANT.value]
    for owner in owners:
        for kind in catalogue.values():
            if not kind.active or (owner, kind.code) in seen:
                continue
            if any(
                s.owner == owner and s.accepts_kind(kind.code, kind.document_class)
                for s in slots
            ):
                rows.append((owner, kind))
                seen.add((owner, kind.code))
    return rows


def _parse_day(value: str | None, errors: list[str], label: str) -> date | None:
    if not value:
        return None
    day = parse_date(value) if len(value) == 10 else None
    if day is None:
        errors.append(_("%(label)s: enter the date as YYYY-MM-DD.") % {"label": label})
    return day


def checklist_context(
    *,
    profile: Any,
    procedure: str,
    applicant_role: str,
    visit: int,
    params: QueryDict | Mapping[str, Any],
    on_date: date | None = None,
    case: Any = None,
) -> dict[str, Any]:
    """Everything ``identity_docs/checklist.html`` shows, evaluated from ``params``.

    ``params`` is the submitted form (``doc`` = ``code@owner`` per ticked row, and
    per row ``issued_``/``expires_``/``copy_``/``sealed_`` + ``code@owner``; ``fact``
    per stated fact). Nothing is stored.
    """
    day = on_date or timezone.localdate()
    rule = requirement_rule_get(
        profile=profile, procedure=procedure, applicant_role=applicant_role, visit=visit
    )
    visits = visits_for(
        profile=profile, procedure=procedure, applicant_role=applicant_role
    )
    context: dict[str, Any] = {
        "procedure": procedure,
        "procedure_label": Procedure(procedure).label,
        "role": applicant_role,
        "role_label": ApplicantRole(applicant_role).label,
        "visit": visit,
        "visits": visits,
        "procedures": [(p, Procedure(p).label) for p in DOCUMENT_PROCEDURES],
        "roles": ApplicantRole.choices,
        "on_date": day,
        "case": case,
        "action_url": reverse("identity_docs:checklist"),
        "record_url": reverse("identity_docs:checklist-record") if case else "",
        "rule": rule,
        "groups": [],
        "facts": [],
        "errors": [],
        "result": None,
    }
    if rule is None:
        return context

    def getlist(key: str) -> list[str]:
        if isinstance(params, QueryDict):
            return params.getlist(key)
        value: Any = params.get(key, [])
        return [value] if isinstance(value, str) else list(value)

    requirement = parse_requirement(rule.requirement_json())
    catalogue = catalogue_for(profile=profile)
    ticked = set(getlist("doc"))
    stated = set(getlist("fact"))
    used_facts = {
        f for r in requirement.rules for f in (r.waived_if, r.only_if) if f is not None
    }
    context["facts"] = [
        {"name": value, "label": label, "checked": value in stated}
        for value, label in Fact.choices
        if value in used_facts
    ]
    errors: list[str] = []
    rows: list[dict[str, Any]] = []
    documents: list[PresentedDocument] = []
    for owner, kind in _candidate_rows(requirement, catalogue):
        key = f"{kind.code}@{owner}"
        row: dict[str, Any] = {
            "key": key,
            "owner": owner,
            "kind": kind,
            "class_label": DocumentClass(kind.document_class).label,
            "checked": key in ticked,
            "issued": params.get(f"issued_{key}") or "",
            "expires": params.get(f"expires_{key}") or "",
            "copy": bool(params.get(f"copy_{key}")),
            "sealed": bool(params.get(f"sealed_{key}")),
            "asks_issue_date": kind.issued_on_or_after is not None
            or kind.max_age_months is not None
            or kind.document_class == DocumentClass.PROOF_OF_AUTHORITY,
            "asks_seal": kind.document_class == _ANSWER,
            "status": "",
            "message": "",
        }
        rows.append(row)
        if row["checked"]:
            documents.append(
                PresentedDocument(
                    code=kind.code,
                    owner=owner,
                    original=not row["copy"],
                    issued_on=_parse_day(row["issued"], errors, kind.name_ja),
                    expires_on=_parse_day(row["expires"], errors, kind.name_ja),
                    sealed=row["sealed"] if row["asks_seal"] else None,
                )
            )
    result: Evaluation = evaluate(
        requirement=requirement,
        documents=documents,
        on_date=day,
        catalogue=catalogue,
        facts={f: True for f in stated},
    )
    decisions = iter(result.decisions)
    rejected = {(r.code, r.reason): r.message_ja for r in result.rejected}
    for row in rows:
        if row["checked"]:
            counted, reason = next(decisions)
            row["status"] = "used" if counted else "rejected"
            row["message"] = rejected.get((row["kind"].code, reason), "")
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(row["owner"], []).append(row)
    context["groups"] = [
        {"label": _owner_label(owner, applicant_role), "rows": group}
        for owner, group in groups.items()
    ]
    context["errors"] = errors
    context["result"] = result
    context["documents"] = documents
    return context


def _params_query(params: QueryDict) -> str:
    return urlencode([(k, v) for k in params for v in params.getlist(k)])


@login_required
@require_http_methods(["GET"])
def checklist(request: HttpRequest) -> HttpResponse:
    """Standalone checklist page, or only the partial for an htmx request."""
    params = request.GET
    case = None
    if params.get("case"):
        from counter.models import Case

        case = get_object_or_404(
            Case.objects.visible_to(request.user), pk=params.get("case")
        )
        procedure, role = case.procedure, case.applicant_role
        visit_text = params.get("visit") or str(getattr(case, "visit", 1))
    else:
        procedure = params.get("procedure") or Procedure.PIN_RESET.value
        role = params.get("role") or ApplicantRole.HOLDER.value
        visit_text = params.get("visit") or "1"
    problems = []
    if procedure not in DOCUMENT_PROCEDURES:
        problems.append(_("Unknown procedure."))
    if role not in ApplicantRole.values:
        problems.append(_("Unknown applicant role."))
    if visit_text not in ("1", "2"):
        problems.append(_("The visit must be 1 or 2."))
    try:
        profile = profile_for_user(
            user=request.user, municipality_code=params.get("municipality")
        )
    except ApplicationError as exc:
        problems.append(str(exc.message))
        profile = None
    if problems or profile is None:
        return render(
            request,
            "identity_docs/checklist_page.html",
            {"problems": problems},
            status=400,
        )
    context = checklist_context(
        profile=profile,
        procedure=procedure,
        applicant_role=role,
        visit=int(visit_text),
        params=params,
        case=case,
    )
    if context["rule"] is None:
        status = 400
        context["problems"] = [
            _("This applicant has no visit %(visit)s for this procedure.")
            % {"visit": visit_text}
        ]
    else:
        status = 200
    template = (
        "identity_docs/checklist.html"
        if request.headers.get("HX-Request")
        else "identity_docs/checklist_page.html"
    )
    return render(request, template, {"checklist": context, **context}, status=status)


@login_required
@require_POST
def checklist_record(request: HttpRequest) -> HttpResponse:
    """Record the ticked documents as the case's evidence for this visit."""
    from counter.models import Case

    case = get_object_or_404(
        Case.objects.visible_to(request.user).select_related("municipality__profile"),
        pk=request.POST.get("case"),
    )
    if not request.user.has_perm("identity_docs.add_evidencepresented"):
        audit_record(action="evidence_record_refused", actor=request.user, case=case)
        messages.error(request, _("You may not record documents."))
        return redirect(f"{reverse('identity_docs:checklist')}?case={case.pk}")
    visit = int(request.POST.get("visit") or 1)
    context = checklist_context(
        profile=case.municipality.profile,
        procedure=case.procedure,
        applicant_role=case.applicant_role,
        visit=visit,
        params=request.POST,
        case=case,
    )
    if context["rule"] is None or context["errors"]:
        messages.error(request, _("Correct the checklist before recording it."))
    else:
        evidence_record(
            case=case,
            visit=visit,
            documents=context["documents"],
            clerk=request.user,
            desk=getattr(case, "desk", None),
            facts={f["name"]: True for f in context["facts"] if f["checked"]},
        )
        messages.success(request, _("The documents shown were recorded."))
    query = request.POST.copy()
    query.pop("csrfmiddlewaretoken", None)
    return redirect(f"{reverse('identity_docs:checklist')}?{_params_query(query)}")
