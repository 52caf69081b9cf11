"""Services and selectors of the document rules (docs/reference/style.md §3.3).

Callers: the API and the checklist screen (``requirements_evaluate``), the
municipality set-up in ``counter.services.municipalities`` and the data migration
(``requirement_rules_install_defaults``), and the procedures when a clerk records
what was shown at a visit (``evidence_record``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from counter.audit import audit_record
from counter.errors import ApplicationError
from counter.models import Municipality
from counter.scoping import scope_for
from identity_docs.catalogue_data import CATALOGUE
from identity_docs.defaults import default_rules
from identity_docs.evaluator import (
    DocumentKind,
    Evaluation,
    PresentedDocument,
    evaluate,
)
from identity_docs.models import (
    DocumentChoice,
    DocumentPolicy,
    EvidencePresented,
    IdentityDocumentKind,
    RequirementRule,
)


def identity_document_kinds_load() -> int:
    """Upsert the catalogue from ``catalogue_data`` (kept edits: none; used by demo
    set-up and tests whose database was flushed). Returns the number of kinds."""
    for order, entry in enumerate(CATALOGUE, start=1):
        IdentityDocumentKind.objects.update_or_create(
            code=entry["code"], defaults={**entry, "sort_order": order}
        )
    return len(CATALOGUE)


def profile_for_user(*, user: Any, municipality_code: str | None = None) -> Any:
    """The municipal profile whose rules apply to this user's counter.

    Staff use their own municipality; an installation operator (no staff profile)
    names one by its code, limited to what they may see.
    """
    scope = scope_for(user)
    visible = Municipality.objects.select_related("profile")
    if not scope.everything:
        visible = visible.filter(pk=scope.municipality_id or 0)
    if municipality_code:
        municipality = visible.filter(code=municipality_code).first()
    else:
        municipality = visible.first() if not scope.everything else None
    if municipality is None:
        raise ApplicationError(
            "municipality-required",
            _("Choose the municipality whose rules apply."),
        )
    return municipality.profile


def document_policy_get(*, profile: Any) -> DocumentPolicy:
    """The profile's policy, created with the seed city's choices if missing."""
    policy, _created = DocumentPolicy.objects.get_or_create(profile=profile)
    return policy


def document_choices_install(*, municipality: Any) -> int:
    """Give a municipality its own choice row for every national kind, starting
    from the shipped values (rows it already has are kept). Returns rows added."""
    rows = [
        DocumentChoice(
            municipality=municipality,
            kind=kind,
            accepted=kind.accepted,
            document_class=kind.document_class,
            active=kind.active,
        )
        for kind in IdentityDocumentKind.objects.filter(municipality__isnull=True)
    ]
    return len(DocumentChoice.objects.bulk_create(rows, ignore_conflicts=True))


def catalogue_for(*, profile: Any | None = None) -> dict[str, DocumentKind]:
    """The catalogue as one city sees it: the national kinds and its own local
    ones, its :class:`DocumentChoice` rows, then its §5.1 overrides applied.

    A kind without a choice row (a city created after the kind shipped) keeps the
    national values."""
    overrides: dict[str, dict[str, Any]] = {}
    choices: dict[int, dict[str, Any]] = {}
    kinds = IdentityDocumentKind.objects.filter(municipality__isnull=True)
    if profile is not None:
        policy = DocumentPolicy.objects.filter(profile=profile).first()
        overrides = policy.document_overrides if policy else {}
        choices = {
            c.kind_id: c.as_override()
            for c in DocumentChoice.objects.filter(
                municipality_id=profile.municipality_id
            )
        }
        kinds = IdentityDocumentKind.objects.filter(
            Q(municipality__isnull=True) | Q(municipality_id=profile.municipality_id)
        )
    return {
        kind.code: kind.as_kind(
            {**choices.get(kind.pk, {}), **overrides.get(kind.code, {})}
        )
        for kind in kinds
    }


def requirement_rule_get(
    *, profile: Any, procedure: str, applicant_role: str, visit: int
) -> RequirementRule | None:
    return RequirementRule.objects.filter(
        profile=profile, procedure=procedure, applicant_role=applicant_role, visit=visit
    ).first()


def visits_for(*, profile: Any, procedure: str, applicant_role: str) -> list[int]:
    """The visits this city has rules for (holders and representatives: one)."""
    return sorted(
        RequirementRule.objects.filter(
            profile=profile, procedure=procedure, applicant_role=applicant_role
        ).values_list("visit", flat=True)
    )


def requirement_rules_install_defaults(profile: Any, *, overwrite: bool = False) -> int:
    """Install the requirement table built from the profile's document policy.

    Called when a municipality is created (``counter.services.municipalities``)
    and by supervisors after changing the policy (``overwrite=True`` rebuilds every
    rule; otherwise only missing rules are added and edited ones are kept).
    Returns the number of rules written.
    """
    written = 0
    with transaction.atomic():
        policy = document_policy_get(profile=profile)
        for (procedure, role, visit), (rules, note) in default_rules(
            policy.values()
        ).items():
            key = {
                "profile": profile,
                "procedure": procedure,
                "applicant_role": role,
                "visit": visit,
            }
            if overwrite:
                RequirementRule.objects.update_or_create(
                    **key, defaults={"rules": rules, "note": note}
                )
                written += 1
            else:
                _rule, created = RequirementRule.objects.get_or_create(
                    **key, defaults={"rules": rules, "note": note}
                )
                written += int(created)
        if overwrite:
            # A policy change may drop a visit (e.g. agents not accepted for a lift).
            wanted = set(default_rules(policy.values()))
            for rule in RequirementRule.objects.filter(profile=profile):
                if (rule.procedure, rule.applicant_role, rule.visit) not in wanted:
                    rule.delete()
    return written


def requirements_evaluate(
    *,
    profile: Any,
    procedure: str,
    applicant_role: str,
    visit: int,
    documents: Sequence[PresentedDocument],
    on_date: date,
    facts: Mapping[str, bool] | None = None,
    reference: Any = None,
) -> Evaluation:
    """Evaluate the documents against the city's rule; nothing is stored.

    ``reference`` (identity_docs.reference_cache.CityReference): the city's rules
    and catalogue as the API keeps them per process, checked fresh by the caller;
    without it both are read from the database."""
    if reference is not None:
        requirement = reference.requirement(procedure, applicant_role, visit)
    else:
        rule = requirement_rule_get(
            profile=profile,
            procedure=procedure,
            applicant_role=applicant_role,
            visit=visit,
        )
        requirement = rule.requirement_json() if rule is not None else None
    if requirement is None:
        visits = (
            reference.visits(procedure, applicant_role)
            if reference is not None
            else visits_for(
                profile=profile, procedure=procedure, applicant_role=applicant_role
            )
        )
        raise ApplicationError(
            "no-such-visit",
            _("This procedure has no such visit for this applicant."),
            extra={"visits": visits},
        )
    return evaluate(
        requirement=requirement,
        documents=documents,
        on_date=on_date,
        catalogue=(
            reference.catalogue
            if reference is not None
            else catalogue_for(profile=profile)
        ),
        facts=facts,
    )


def _documents_in_catalogue(
    profile: Any, documents: Sequence[PresentedDocument]
) -> None:
    """Refuse codes that are not in the case's municipality's catalogue (§5.1):
    unknown codes, and another municipality's local documents, before anything
    is evaluated or stored. The caller audits the refusal."""
    codes = {d.code for d in documents}
    known = set(
        IdentityDocumentKind.objects.filter(code__in=codes).values_list(
            "code", flat=True
        )
    )
    unknown = sorted(codes - known)
    if unknown:
        raise ApplicationError(
            "unknown-document",
            _("Unknown document codes."),
            extra={"codes": unknown},
        )
    elsewhere = sorted(codes - set(catalogue_for(profile=profile)))
    if elsewhere:
        raise ApplicationError(
            "document-not-in-catalogue",
            _(
                "These documents are not in this municipality's list of identity "
                "documents: %(codes)s. Choose documents from this municipality's "
                "checklist."
            )
            % {"codes": ", ".join(elsewhere)},
            extra={"codes": elsewhere},
        )


def evidence_record(
    *,
    case: Any,
    visit: int,
    documents: Sequence[PresentedDocument],
    clerk: Any,
    desk: Any = None,
    facts: Mapping[str, bool] | None = None,
    on_date: date | None = None,
) -> tuple[list[EvidencePresented], Evaluation]:
    """Record what was shown at a visit, each with whether it counted and why not.

    The case's procedure and applicant role pick the rule; the answer is stored
    per document and summarised in one audit entry (``identity_documents_checked``).
    """
    profile = case.municipality.profile
    day = on_date or timezone.localdate()
    _documents_in_catalogue(profile, documents)
    result = requirements_evaluate(
        profile=profile,
        procedure=case.procedure,
        applicant_role=case.applicant_role,
        visit=visit,
        documents=documents,
        on_date=day,
        facts=facts,
    )
    kinds = {
        k.code: k
        for k in IdentityDocumentKind.objects.filter(
            code__in=[d.code for d in documents]
        )
    }
    now = timezone.now()
    with transaction.atomic():
        rows = [
            EvidencePresented.objects.create(
                case=case,
                visit=visit,
                kind=kinds[doc.code],
                owner=doc.owner,
                original=doc.original,
                issued_on=doc.issued_on,
                expires_on=doc.expires_on,
                sealed=doc.sealed,
                accepted=counted,
                reason=reason,
                checked_by=clerk,
                desk=desk,
                checked_at=now,
            )
            for doc, (counted, reason) in zip(documents, result.decisions, strict=True)
        ]
        audit_record(
            action="identity_documents_checked",
            actor=clerk,
            desk=desk,
            case=case,
            data={
                "visit": visit,
                "satisfied": result.satisfied,
                "missing": [m.rule for m in result.missing],
                "documents": [
                    {"code": d.code, "owner": d.owner, "counted": c, "reason": r}
                    for d, (c, r) in zip(documents, result.decisions, strict=True)
                ],
            },
        )
    return rows, result
