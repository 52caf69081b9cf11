"""An office, its municipality and the municipal profile, kept per process for
the row locks of a case or a letter (ADR 0028, addendum).

A case's or a letter's lock used to join the office, the municipality and its
profile on every call: five tables to plan and about forty columns to build into
models, for rows a supervisor changes a few times a year. The lock now joins
only what changes with the case (:func:`with_office_stamp`) and reads, in the
same statement, a *stamp* of those three rows: where each is stored and which
transaction wrote it (PostgreSQL's ``xmin`` and ``ctid``, as
``identity_docs/reference_cache.py`` fingerprints its rows). Any write to one of
them (a supervisor's change, the admin, a queryset ``update()``, raw SQL, a write
earlier in the same transaction) moves the stamp, and :func:`attach_office` reads
the rows again; otherwise it attaches copies of the rows this process keeps. The
rows are therefore exactly what the joined lock would have returned, from the
same statement's snapshot. Databases other than PostgreSQL (the demo's SQLite)
join them as before.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Model, QuerySet
from django.db.models.expressions import RawSQL

from counter.models import Municipality, MunicipalProfile, Office

#: (office, municipality) pairs a process keeps at once; a prefecture's
#: installation has a few hundred offices.
MAX_KEPT = 1024
#: The annotation the stamped lock carries.
STAMP = "office_rows_stamp"

_Q = TypeVar("_Q", bound=QuerySet[Any])


@dataclass(frozen=True)
class _Kept:
    stamp: str
    office: Office
    municipality: Municipality
    profile: MunicipalProfile | None


_kept: dict[tuple[int, int], _Kept] = {}


def _row_stamp(model: type[Model], where: str) -> str:
    table = connection.ops.quote_name(model._meta.db_table)
    return f"(SELECT x.xmin::text || x.ctid::text FROM {table} AS x WHERE {where})"


def _stamp_sql(table: str) -> str:
    """The stamp of the office and municipality ``table``'s row names."""
    own = connection.ops.quote_name(table)
    parts = (
        _row_stamp(Office, f"x.id = {own}.office_id"),
        _row_stamp(Municipality, f"x.id = {own}.municipality_id"),
        _row_stamp(MunicipalProfile, f"x.municipality_id = {own}.municipality_id"),
    )
    return " || '/' || ".join(f"coalesce({part}, '-')" for part in parts)


def cacheable() -> bool:
    """Only PostgreSQL has the row versions the stamp reads."""
    return connection.vendor == "postgresql"


def with_office_stamp(queryset: _Q, *related: str) -> _Q:
    """``queryset`` (of a model with ``office`` and ``municipality``) joined to
    ``related`` only, with the stamp of its office rows; off PostgreSQL, joined
    to the office rows too."""
    if not cacheable():
        return queryset.select_related(*related, "office", "municipality__profile")
    table = queryset.model._meta.db_table
    stamped = queryset.annotate(**{STAMP: RawSQL(_stamp_sql(table), ())})
    return stamped.select_related(*related) if related else stamped


def _load(office_id: int, municipality_id: int, stamp: str) -> _Kept:
    """The rows, read again: one query, two if the office is another city's."""
    office = Office.objects.select_related("municipality__profile").get(pk=office_id)
    if office.municipality_id == municipality_id:
        municipality = office.municipality
    else:
        municipality = Municipality.objects.select_related("profile").get(
            pk=municipality_id
        )
    try:
        profile: MunicipalProfile | None = municipality.profile
    except MunicipalProfile.DoesNotExist:
        profile = None
    # Kept without their relations: each caller gets its own wired copies.
    for row in (office, municipality, profile):
        if row is not None:
            row._state.fields_cache = {}
    return _Kept(stamp, office, municipality, profile)


def attach_office(obj: Any) -> Any:
    """Give ``obj``, fetched by :func:`with_office_stamp`, its office,
    municipality and profile: the process's copies while the stamp is the same.

    Each call attaches fresh copies, so a caller that changes one never changes
    what another caller sees.
    """
    stamp = getattr(obj, STAMP, None)
    if stamp is None:  # joined (not PostgreSQL)
        if obj.office.municipality_id == obj.municipality_id:
            obj.office.municipality = obj.municipality
        return obj
    key = (obj.office_id, obj.municipality_id)
    kept = _kept.get(key)
    if kept is None or kept.stamp != stamp:
        kept = _load(*key, stamp)
        if len(_kept) >= MAX_KEPT:
            _kept.clear()
        _kept[key] = kept
    office = copy.copy(kept.office)
    municipality = copy.copy(kept.municipality)
    profile = copy.copy(kept.profile) if kept.profile is not None else None
    Municipality.profile.related.set_cached_value(municipality, profile)  # type: ignore[attr-defined]
    if profile is not None:
        MunicipalProfile.municipality.field.set_cached_value(profile, municipality)  # type: ignore[attr-defined]
    if office.municipality_id == municipality.pk:
        Office.municipality.field.set_cached_value(office, municipality)  # type: ignore[attr-defined]
    obj.office = office
    obj.municipality = municipality
    return obj
