"""The document checklist as a presenter: what ``identity_docs/checklist.html`` shows.

The standalone checklist page (:mod:`identity_docs.views`) and the case page of
the counter screens both build their context here. :func:`checklist_read` reads
the ticked documents and stated facts from the form without evaluating them (a
record step leaves the one evaluation to ``evidence_record``);
:func:`checklist_context` adds the evaluation the page shows. Nothing is stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

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
from identity_docs.rules import Requirement, parse_requirement
from identity_docs.services import catalogue_for, requirement_rule_get, visits_for

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


_CLASS_ORDER = {value: i for i, value in enumerate(DocumentClass.values)}


def _grouped(rows: list[dict[str, Any]], role: str) -> list[dict[str, Any]]:
    """Rows by whose documents they are, then by class in the rules' order
    (A, B, proofs, answer sheet, power of attorney): the clerk looks for a class,
    not through one long list. ``rows`` of a group stay flat for the record form.
    """
    by_owner: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_owner.setdefault(row["owner"], []).append(row)
    groups = []
    for owner, owner_rows in by_owner.items():
        ordered = sorted(
            owner_rows, key=lambda r: _CLASS_ORDER[r["kind"].document_class]
        )
        classes: dict[str, list[dict[str, Any]]] = {}
        for row in ordered:
            classes.setdefault(row["kind"].document_class, []).append(row)
        groups.append(
            {
                "label": _owner_label(owner, role),
                "owner": owner,
                "rows": ordered,
                "classes": [
                    {
                        "value": value,
                        "label": DocumentClass(value).label,
                        "rows": class_rows,
                    }
                    for value, class_rows in classes.items()
                ],
            }
        )
    return groups


def _parse_day(value: str | None, errors: list[str], label: str) -> date | None:
    if not value:
        return None
    day = parse_date(value) if len(value) == 10 else None
    if day is None:
        errors.append(_("%(label)s: enter the date as YYYY-MM-DD.") % {"label": label})
    return day


@dataclass
class _Read:
    """The form read against the rule: rows, documents and facts, not evaluated."""

    context: dict[str, Any]
    requirement: Requirement | None = None
    catalogue: Mapping[str, DocumentKind] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)
    stated: set[str] = field(default_factory=set)


def _read(
    *,
    profile: Any,
    procedure: str,
    applicant_role: str,
    visit: int,
    params: QueryDict | Mapping[str, Any],
    on_date: date | None,
    case: Any,
) -> _Read:
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
        return _Read(context)

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
    # A ticked key the checklist never offered (a forged or stale form: another
    # city's local document, a code that does not exist) is refused, not dropped.
    context["forged_documents"] = sorted(ticked - {row["key"] for row in rows})
    context["groups"] = _grouped(rows, applicant_role)
    context["errors"] = errors
    context["documents"] = documents
    return _Read(context, requirement, catalogue, rows, stated)


def checklist_read(
    *,
    profile: Any,
    procedure: str,
    applicant_role: str,
    visit: int,
    params: QueryDict | Mapping[str, Any],
    on_date: date | None = None,
    case: Any = None,
) -> dict[str, Any]:
    """The ticked documents and stated facts of ``params``, read but not evaluated.

    For a record step: ``documents``, ``facts`` and ``errors`` (a date that does
    not parse, a ticked document the checklist never offered) go to
    ``evidence_record``, which evaluates them once.
    """
    context = _read(
        profile=profile,
        procedure=procedure,
        applicant_role=applicant_role,
        visit=visit,
        params=params,
        on_date=on_date,
        case=case,
    ).context
    forged = context.get("forged_documents") or []
    if forged:
        context["forged_message"] = _(
            "These documents are not on this checklist: %(codes)s. "
            "Tick only documents the checklist shows."
        ) % {"codes": ", ".join(key.split("@", 1)[0] for key in forged)}
        context["errors"].append(context["forged_message"])
    return context


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
    read = _read(
        profile=profile,
        procedure=procedure,
        applicant_role=applicant_role,
        visit=visit,
        params=params,
        on_date=on_date,
        case=case,
    )
    context = read.context
    if read.requirement is None:
        return context
    result: Evaluation = evaluate(
        requirement=read.requirement,
        documents=context["documents"],
        on_date=context["on_date"],
        catalogue=read.catalogue,
        facts={f: True for f in read.stated},
    )
    decisions = iter(result.decisions)
    rejected = {(r.code, r.reason): r.message_ja for r in result.rejected}
    for row in read.rows:
        if row["checked"]:
            counted, reason = next(decisions)
            row["status"] = "used" if counted else "rejected"
            row["message"] = rejected.get((row["kind"].code, reason), "")
    context["result"] = result
    return context
