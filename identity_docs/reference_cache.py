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

The API asks with :func:`city_reference_for_user`: the user's municipal profile
(as :func:`~identity_docs.services.profile_for_user` finds it) and the
fingerprint in the same query, the profile's row loaded only to rebuild.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from config.database.kept import prepared_cursor
from counter.models import Municipality, MunicipalProfile
from counter.scoping import scope_for
from identity_docs.evaluator import DocumentKind
from identity_docs.models import (
    DocumentChoice,
    DocumentPolicy,
    IdentityDocumentKind,
    RequirementRule,
)
from identity_docs.services import catalogue_for, profile_for_user

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


def _fingerprint_parts(municipality: str, profile: str) -> str:
    """The four digests, for the municipality and profile ids given as SQL
    (parameters, or the columns of :func:`_profile_and_fingerprint_sql`)."""

    def part(model: Any, where: str) -> str:
        table = connection.ops.quote_name(model._meta.db_table)
        return (
            "(SELECT md5(coalesce(string_agg(xmin::text || ctid::text, ','"
            f" ORDER BY ctid), '')) FROM {table} WHERE {where})"
        )

    return ", ".join(
        (
            part(
                IdentityDocumentKind,
                f"municipality_id IS NULL OR municipality_id = {municipality}",
            ),
            part(DocumentChoice, f"municipality_id = {municipality}"),
            part(DocumentPolicy, f"profile_id = {profile}"),
            part(RequirementRule, f"profile_id = {profile}"),
        )
    )


def _fingerprint_sql() -> str:
    return "SELECT " + _fingerprint_parts("%(municipality)s", "%(profile)s")


def fingerprint(profile: Any) -> tuple[Any, ...] | None:
    """What the city's reference rows are now, in one query; None off PostgreSQL."""
    if connection.vendor != "postgresql":
        return None
    with prepared_cursor(connection) as cursor:
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
    return _kept_or_built(profile.pk, stamp, lambda: profile)


def _kept_or_built(
    profile_id: int, stamp: tuple[Any, ...], profile: Callable[[], Any]
) -> CityReference:
    kept = _kept.get(profile_id)
    if kept is not None and kept.fingerprint == stamp:
        return kept
    fresh = _build(profile(), stamp)
    if len(_kept) >= MAX_PROFILES:
        _kept.clear()
    _kept[profile_id] = fresh
    return fresh


_profile_sql: dict[bool, str] = {}


def _profile_and_fingerprint_sql(by_id: bool) -> str:
    """The profile's id and the fingerprint of its city's reference rows, of the
    municipality :func:`profile_for_user` takes: by id (a staff member's own,
    and its code when one is given) or by code alone (an operator's)."""
    sql = _profile_sql.get(by_id)
    if sql is None:
        quote = connection.ops.quote_name
        city, profile = Municipality._meta, MunicipalProfile._meta
        city_id = f"m.{quote(str(city.pk.column))}"  # type: ignore[union-attr]
        profile_id = f"p.{quote(str(profile.pk.column))}"  # type: ignore[union-attr]
        code = f"m.{quote(str(city.get_field('code').column))}"
        link: Any = profile.get_field("municipality")
        of_city = quote(str(link.column))
        where = (
            f"{city_id} = %(municipality)s AND "
            f"(%(code)s::text IS NULL OR {code} = %(code)s::text)"
            if by_id
            else f"{code} = %(code)s::text"
        )
        sql = _profile_sql[by_id] = (
            f"SELECT {profile_id}, {_fingerprint_parts(city_id, profile_id)} "
            f"FROM {quote(str(city.db_table))} m LEFT JOIN "
            f"{quote(str(profile.db_table))} p ON p.{of_city} = {city_id} "
            f"WHERE {where} ORDER BY {city_id} LIMIT 1"
        )
    return sql


def city_reference_for_user(
    *, user: Any, municipality_code: str | None = None
) -> CityReference:
    """:func:`city_reference` of ``profile_for_user(user=…, municipality_code=…)``,
    finding the profile and reading the fingerprint in one query (issue 14).

    The same municipality as :func:`profile_for_user`: a staff member's own
    (``scope_for(user)``; a code that is not theirs finds none), an operator's
    by code. When none is found, :func:`profile_for_user` gives its answer."""
    if connection.vendor != "postgresql":
        return city_reference(
            profile_for_user(user=user, municipality_code=municipality_code)
        )
    scope = scope_for(user)
    row = None
    if not scope.everything or municipality_code:
        with prepared_cursor(connection) as cursor:
            cursor.execute(
                _profile_and_fingerprint_sql(not scope.everything),
                {
                    "municipality": scope.municipality_id or 0,
                    "code": municipality_code or None,
                },
            )
            row = cursor.fetchone()
    if row is None or row[0] is None:  # no such city, or a city without a profile
        return city_reference(
            profile_for_user(user=user, municipality_code=municipality_code)
        )
    profile_id, *stamp = row
    return _kept_or_built(
        profile_id,
        tuple(stamp),
        lambda: MunicipalProfile.objects.get(pk=profile_id),
    )
