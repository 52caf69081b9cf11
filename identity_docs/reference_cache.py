"""A city's document catalogue and requirement rules, kept per process for the API
(issue 14; docs/adr/0030-api-under-load.md).

The catalogue endpoint and the evaluator read the same reference data on every
call: seven to ten queries for rows a supervisor changes a few times a year. A
process keeps them per municipal profile together with a *fingerprint* of the rows
they were built from, and one query reads the fingerprint again on every call:
per table, a digest of where each of the city's rows is stored and which
transaction wrote it (PostgreSQL's ``ctid`` and ``xmin``; an update writes a new
row version at a new place, a delete removes one). Any write to those rows (a
supervisor's change, the admin, a data migration, a queryset ``update()`` or raw
SQL, which signals would miss, even inside the transaction that reads) moves the
fingerprint, so the next call rebuilds and an answer is never stale. Databases
other than PostgreSQL (the demo's SQLite) are read every time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from identity_docs.evaluator import DocumentKind
from identity_docs.models import (
    DocumentChoice,
    DocumentPolicy,
    IdentityDocumentKind,
    RequirementRule,
)
from identity_docs.services import catalogue_for

#: Profiles a process keeps at once; a prefecture has a few dozen cities.
MAX_PROFILES = 256


@dataclass(frozen=True)
class CityReference:
    """One city's catalogue and rules as they were at ``fingerprint``."""

    fingerprint: tuple[Any, ...]
    catalogue: dict[str, DocumentKind]
    order: tuple[str, ...]
    rules: dict[tuple[str, str, int], dict[str, Any]]
    #: Answers built from this state (the catalogue endpoint's rows), kept with it.
    answers: dict[str, Any] = field(default_factory=dict, compare=False)

    def visits(self, procedure: str, applicant_role: str) -> list[int]:
        """The visits this city has rules for (the order ``visits_for`` gives)."""
        return sorted(
            visit
            for (p, role, visit) in self.rules
            if p == procedure and role == applicant_role
        )

    def requirement(
        self, procedure: str, applicant_role: str, visit: int
    ) -> dict[str, Any] | None:
        """The rule's requirement (``RequirementRule.requirement_json``), or None."""
        return self.rules.get((procedure, applicant_role, visit))


_kept: dict[int, CityReference] = {}


def _fingerprint_sql() -> str:
    def part(model: Any, where: str) -> str:
        table = connection.ops.quote_name(model._meta.db_table)
        return (
            "(SELECT md5(coalesce(string_agg(xmin::text || ctid::text, ','"
            f" ORDER BY ctid), '')) FROM {table} WHERE {where})"
        )

    return "SELECT " + ", ".join(
        (
            part(
                IdentityDocumentKind,
                "municipality_id IS NULL OR municipality_id = %(municipality)s",
            ),
            part(DocumentChoice, "municipality_id = %(municipality)s"),
            part(DocumentPolicy, "profile_id = %(profile)s"),
            part(RequirementRule, "profile_id = %(profile)s"),
        )
    )


def fingerprint(profile: Any) -> tuple[Any, ...] | None:
    """What the city's reference rows are now, in one query; None off PostgreSQL."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            _fingerprint_sql(),
            {"municipality": profile.municipality_id, "profile": profile.pk},
        )
        row = cursor.fetchone()
    return tuple(row) if row else None


def _build(profile: Any, stamp: tuple[Any, ...]) -> CityReference:
    catalogue = catalogue_for(profile=profile)
    order = tuple(
        code
        for code in IdentityDocumentKind.objects.values_list("code", flat=True)
        if code in catalogue
    )
    rules = {
        (rule.procedure, rule.applicant_role, rule.visit): rule.requirement_json()
        for rule in RequirementRule.objects.filter(profile=profile)
    }
    return CityReference(stamp, catalogue, order, rules)


def city_reference(profile: Any) -> CityReference:
    """The city's catalogue and rules, rebuilt when a row behind them changed."""
    stamp = fingerprint(profile)
    if stamp is None:
        return _build(profile, ())
    kept = _kept.get(profile.pk)
    if kept is not None and kept.fingerprint == stamp:
        return kept
    fresh = _build(profile, stamp)
    if len(_kept) >= MAX_PROFILES:
        _kept.clear()
    _kept[profile.pk] = fresh
    return fresh
