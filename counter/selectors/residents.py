"""Reads of residents: the reception search, the overview the clerk checks
before choosing a procedure, and their cards — each scoped with ``visible_to(user)``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import jaconv
from django.db import connection
from django.db.models import Count, F, Func, Q, QuerySet, TextField, Value, Window
from django.db.models.functions import StrIndex, Upper
from django.db.models.lookups import Contains, Exact, GreaterThan
from django.utils import timezone

from counter.access_log import ReadLog, ShownColumns
from counter.models import Card, Certificate, Resident
from counter.models.residents import SmartphoneCertificate
from counter.scoping import Scope, scope_for
from counter.selectors.compiled import prepared_cursor

logger = logging.getLogger(__name__)


def _squeezed(text: str) -> str:
    """``text`` without its spaces, half and full width: how the name is searched."""
    return text.replace(" ", "").replace("\u3000", "")


def _kana(text: str) -> str:
    """Search in katakana, full width, without spaces: ｱﾂｷﾞ / あつぎ → アツギ."""
    text = jaconv.h2z(text.strip(), kana=True, ascii=False, digit=False)
    return _squeezed(jaconv.hira2kata(text))


#: Past this many residents matching one query, reception asks for a given name
#: or a birth date instead of sorting every match (ADR 0029): 佐藤 alone is
#: 50,000 residents in a prefecture's installation.
SEARCH_MATCHES_CAP = 200


class _ContainsUpperCased(Contains):
    """``column LIKE UPPER(%s)``: the query upper-cased by the same database
    function that upper-cased the stored column (never Python's ``str.upper``,
    which maps ß to SS where PostgreSQL keeps ß)."""

    def get_rhs_op(self, connection: Any, rhs: str) -> str:
        return super().get_rhs_op(connection, f"UPPER({rhs})")


#: The shortest text a trigram index can look up: a pattern of fewer characters
#: gives ``pg_trgm`` no trigram, and PostgreSQL reads the table whatever the plan.
TRIGRAM = 3


def too_short_for_trigrams(query: str) -> bool:
    """Whether neither search form of ``query`` (the name's, the kana's) is long
    enough for the trigram indexes: 佐藤, 鈴木, 田中, the commonest searches."""
    squeezed = _squeezed(query)
    return len(squeezed) < TRIGRAM and len(_kana(query)) < TRIGRAM


class _Once(Func):
    """``(SELECT expression)``: an expression of the query's parameters that a
    plan kept for every query (a generic plan) computes once, not per row."""

    template = "(SELECT %(expressions)s)"
    output_field = TextField()


def matching_condition(query: str, *, by_position: bool = False) -> Q:
    """The condition :func:`residents_matching` filters on: the query without
    spaces contained in the stored search columns of the name, the substitute
    name (both upper-cased) or the kana, or the register id. The columns are
    computed by the database on every write (``Resident.name_flat`` …), so a
    search reads them instead of computing them for every row it passes
    (docs/adr/0036-search-columns-stored.md).

    ``by_position``: "contained" written as ``STRPOS(column, query) > 0``
    instead of ``LIKE '%query%'``, the same rows. For a query
    :func:`too_short_for_trigrams`: PostgreSQL cannot estimate either form, so
    the kept statement's plan no longer depends on the query, and the server
    keeps one plan instead of planning every search again (ADR 0039)."""
    squeezed = _squeezed(query)
    if by_position:
        upper = _Once(Upper(Value(squeezed)))
        return Q(
            GreaterThan(StrIndex(F("name_flat"), upper), 0),
            GreaterThan(StrIndex(F("name_substitute_flat"), upper), 0),
            GreaterThan(StrIndex(F("name_kana_flat"), Value(_kana(query))), 0),
            Exact(F("register_id"), query),
            _connector=Q.OR,
        )
    return Q(
        _ContainsUpperCased(F("name_flat"), squeezed),
        _ContainsUpperCased(F("name_substitute_flat"), squeezed),
        Contains(F("name_kana_flat"), _kana(query)),
        Exact(F("register_id"), query),
        _connector=Q.OR,
    )


def matching_params(query: str, *, by_position: bool = False) -> list[Any]:
    """The parameters Django's compiler gives :func:`matching_condition`'s SQL, in
    its order, computed without the compiler: the search's compiled SQL is kept per
    process and re-bound with these (:func:`resident_search_rows`). Checked against
    the compiler's own when a shape is first compiled, and by tests."""
    squeezed = _squeezed(query)
    if by_position:
        return [squeezed, 0, squeezed, 0, _kana(query), 0, query]
    like = connection.ops.prep_for_like_query
    return [
        f"%{like(squeezed)}%",
        f"%{like(squeezed)}%",
        f"%{like(_kana(query))}%",
        query,
    ]


def residents_matching(qs: QuerySet[Resident], query: str) -> QuerySet[Resident]:
    """The residents of ``qs`` whose name, substitute name or kana contains
    ``query`` (spaces ignored on both sides), or whose register id it is: the
    stored columns the trigram indexes of migration 0025 answer."""
    return qs.filter(matching_condition(query))


def residents_search(
    *, user: Any, query: str = "", birth_date: dt.date | None = None, limit: int = 50
) -> QuerySet[Resident]:
    """Reception search by name, kana (hiragana, half-width accepted) or birth date.

    The first ``limit`` by kana of at most :data:`SEARCH_MATCHES_CAP` + 1
    matches: every match when there are no more (a full name, a rare name), and
    never a sort of tens of thousands of rows for a common surname, for which
    :func:`search_has_more_matches` tells the clerk to narrow the search."""
    qs = Resident.objects.visible_to(user)
    query = (query or "").strip()
    if not query and birth_date is None:
        return qs.none()
    return (
        _among_first_matches(qs, query, birth_date)
        .annotate(matches=Window(Count("pk")))
        .prefetch_related("cards")
        .order_by("name_kana", "birth_date", "pk")[:limit]
    )


def _among_first_matches(
    qs: QuerySet[Resident], query: str, birth_date: dt.date | None
) -> QuerySet[Resident]:
    """The residents of ``qs`` among its first :data:`SEARCH_MATCHES_CAP` + 1
    matches of ``query`` and ``birth_date`` (unsorted: never a sort of every match)."""
    first = _matches(qs, query, birth_date).values("pk")[: SEARCH_MATCHES_CAP + 1]
    return qs.filter(pk__in=first)


def _matches(
    qs: QuerySet[Resident],
    query: str,
    birth_date: dt.date | None,
    *,
    by_position: bool = False,
) -> QuerySet[Resident]:
    """The residents of ``qs`` that ``query`` and ``birth_date`` name, unsorted."""
    conditions = [matching_condition(query, by_position=by_position)] if query else []
    if birth_date is not None:
        conditions.append(Q(birth_date=birth_date))
    return qs.filter(*conditions).order_by()


class CardFound(NamedTuple):
    id: int
    kind: str
    status: str
    expires_on: dt.date


class ResidentFound(NamedTuple):
    """A resident the search found, as plain values (no model instance)."""

    id: int
    municipality_id: int
    register_id: str
    name: str
    name_kana: str
    birth_date: dt.date
    registration_status: str
    cards: list[CardFound]


_FOUND_FIELDS = ResidentFound._fields[:-1]
#: What a search's rows show, for its access log (ADR 0038): residents, in
#: the search's order (:func:`_ranked_sql`).
_SHOWN = ShownColumns(
    resident=_FOUND_FIELDS.index("id"),
    municipality=_FOUND_FIELDS.index("municipality_id"),
    case=None,
    order=tuple(_FOUND_FIELDS.index(n) for n in ("name_kana", "birth_date", "id")),
)

#: The search's SQL per shape, compiled once per process (issue 14, ADR 0030).
_compiled_searches: dict[tuple[Any, ...], str] = {}
_unkept_searches: set[tuple[Any, ...]] = set()


def _search_params(
    scope: Scope, query: str, birth_date: dt.date | None, *, by_position: bool = False
) -> list[Any]:
    """The parameters of :func:`_matches` within ``scope``, in the order of its
    SQL: the scope's municipality, the name condition, the birth date."""
    within = [] if scope.everything else [scope.municipality_id]
    return [
        *within,
        *(matching_params(query, by_position=by_position) if query else ()),
        *(() if birth_date is None else (birth_date,)),
    ]


def resident_search_rows(
    *,
    user: Any,
    query: str = "",
    birth_date: dt.date | None = None,
    limit: int = 50,
    log: ReadLog | None = None,
) -> list[ResidentFound]:
    """:func:`residents_search`'s residents and cards, in its order, as values;
    with ``log`` (PostgreSQL), each resident answered is logged as read by the
    search's own statement (ADR 0038).

    For the API, where the query compiler and model instances were most of a
    search's cost (issue 14). The SQL is :func:`residents_search`'s own
    condition and scope (``within(scope_for(user))``) and cap, compiled by
    Django the first time a shape (scope kind, which inputs, ``limit``) is asked
    for, ranked by :func:`_ranked_sql`, and kept per process with
    :func:`_search_params` bound on later calls; a shape whose parameters differ
    from the compiler's is never kept (compiled each time, logged), so a changed
    scope or condition is slower, never wrong. Off PostgreSQL (the demo), the
    ORM's :func:`residents_search` as it is."""
    if connection.vendor != "postgresql":  # the demo's SQLite: the ORM's search
        if log is not None:
            # Never a read that silently goes unlogged: the caller logs it.
            raise ValueError("a read logs itself on PostgreSQL only")
        return [
            ResidentFound._make(
                (
                    *(getattr(r, name) for name in _FOUND_FIELDS),
                    [
                        CardFound(c.pk, c.kind, c.status, c.expires_on)
                        for c in r.cards.all()
                    ],
                )
            )
            for r in residents_search(
                user=user, query=query, birth_date=birth_date, limit=limit
            )
        ]
    scope = scope_for(user)
    query = (query or "").strip()
    if scope.nothing or (not query and birth_date is None):
        return []
    # A query too short for the trigram indexes is read the same way whatever
    # it is: its own shape, which the server plans once (ADR 0039).
    by_position = bool(query) and too_short_for_trigrams(query)
    key = (
        scope.everything,
        scope.office_id is None,
        bool(query),
        birth_date is not None,
        limit,
        by_position,
    )
    params = _search_params(scope, query, birth_date, by_position=by_position)
    sql = _compiled_searches.get(key)
    if sql is None:
        first = _matches(
            Resident.objects.within(scope), query, birth_date, by_position=by_position
        )
        first = first.values_list(*_FOUND_FIELDS)[: SEARCH_MATCHES_CAP + 1]
        inner, compiled_params = first.query.get_compiler(using=first.db).as_sql()
        sql = _ranked_sql(inner, limit)
        if list(compiled_params) == params:
            _compiled_searches[key] = sql
        else:
            if key not in _unkept_searches:  # once per shape and process
                _unkept_searches.add(key)
                logger.warning("resident search %s not kept: parameters differ", key)
            params = list(compiled_params)
    if log is not None:
        sql, params = log.around(
            sql,
            params,
            width=len(_FOUND_FIELDS) + 1,
            shown=_SHOWN,
            limit=limit,
            object_type=Resident._meta.label_lower,
        )
    # A name searched by trigrams is planned for its pattern on every call: how
    # many residents a pattern matches decides the plan. The other shapes'
    # plans do not depend on their values (ADR 0040).
    by_trigrams = bool(query) and not by_position
    with prepared_cursor(connection, planned_per_call=by_trigrams) as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [ResidentFound._make((*row[:-1], _cards_found(row[-1]))) for row in rows]


def _ranked_sql(first: str, limit: int) -> str:
    """The first ``limit`` by kana and birth date (``Resident.Meta.ordering``,
    :func:`residents_search`'s order) of the rows ``first`` selects: the first
    matches read in one pass with the columns the answer needs, not their ids
    read again from the table (which PostgreSQL answered with a second scan of
    every resident of the city, issue 14)."""
    quote = connection.ops.quote_name
    kana, born, pk = (
        quote(str(Resident._meta.get_field(name).column))  # type: ignore[union-attr]
        for name in ("name_kana", "birth_date", "id")
    )
    return (
        f"SELECT ranked.*, ({_cards_json_sql(f'ranked.{pk}')}) FROM ("
        f"SELECT * FROM ({first}) AS found "
        f"ORDER BY found.{kana} ASC, found.{born} ASC, found.{pk} ASC "
        f"LIMIT {int(limit)}"
        f") AS ranked ORDER BY ranked.{kana} ASC, ranked.{born} ASC, ranked.{pk} ASC"
    )


def _cards_json_sql(resident: str) -> str:
    """A resident's cards, newest first (``Card.Meta.ordering``), as a JSON
    array of ``[id, kind, status, expires_on]`` in the search's own statement:
    at most ``limit`` index lookups, and no second round trip (issue 14)."""
    meta = Card._meta
    quote = connection.ops.quote_name

    def col(name: str) -> str:
        f: Any = meta.get_field(name)
        return f"card.{quote(str(f.column))}"

    return (
        f"SELECT json_agg(json_build_array({col('id')}, {col('kind')}, "
        f"{col('status')}, {col('expires_on')}) ORDER BY {col('issued_on')} DESC) "
        f"FROM {quote(str(meta.db_table))} AS card WHERE {col('resident')} = {resident}"
    )


def _cards_found(cards: list[list[Any]] | None) -> list[CardFound]:
    return [
        CardFound(pk, kind, status, dt.date.fromisoformat(expires_on))
        for pk, kind, status, expires_on in cards or ()
    ]


def search_has_more_matches(results: Iterable[Resident]) -> bool:
    """Did the search find more residents than it ranks (:data:`SEARCH_MATCHES_CAP`)?
    Then the clerk adds a given name or a birth date."""
    return any(getattr(r, "matches", 0) > SEARCH_MATCHES_CAP for r in results)


@dataclass
class ResidentOverview:
    resident: Resident
    certificates: list[Certificate] = field(default_factory=list)
    age: int | None = None
    #: §12.1: as J-LIS last reported them, newest first.
    smartphone_certificates: list[SmartphoneCertificate] = field(default_factory=list)


def resident_overview(*, user: Any, resident: Resident) -> ResidentOverview:
    """What the clerk checks before choosing a procedure: age, card, certificates."""
    certificates = list(
        Certificate.objects.visible_to(user)
        .filter(card__resident=resident)
        .select_related("card")
        .order_by("-card__issued_on", "kind")
    )
    phones = list(
        SmartphoneCertificate.objects.visible_to(user)
        .filter(card__resident=resident)
        .order_by("-registered_at", "kind")
    )
    return ResidentOverview(
        resident,
        certificates,
        resident.age_on(timezone.localdate()),
        smartphone_certificates=phones,
    )


def resident_cards(*, user: Any, resident: Resident) -> QuerySet[Card]:
    return (
        Card.objects.visible_to(user).filter(resident=resident).order_by("-issued_on")
    )
