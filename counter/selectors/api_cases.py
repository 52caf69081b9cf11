"""The API's case reads as rows, from SQL compiled once per process (issue 14;
ADR 0030, "Addendum 2 (case endpoints)").

The queue's page and a case with its history are the ORM's own query sets
(the queue's two branches, :func:`counter.selectors.cases.carried_over_cases`
and the day's opened cases, in one statement; ``within(scope)``), compiled
once per shape by :mod:`.compiled` and read as ``values_list`` rows: the case's
columns become a case (``from_db``, no related rows), which the access log
records and whose workflow (``workflow_for``) says its pending card
operations; the resident's and office's columns the answer shows come
alongside.

The scope is :func:`counter.scoping.scope_for`'s: a municipality, and an office
for a clerk. A scope of everything (an installation administrator) or nothing
gets ``None`` here and the caller reads through the ORM as before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.db.models.base import ModelState
from django.utils import timezone

from counter.access_log import ReadLog, ShownColumns
from counter.models import Case, CaseStatusChange
from counter.scoping import Scope, scope_for

from . import compiled as c
from .cases import carried_over_cases, local_day_bounds
from .paging import _after

#: The columns of a case its API answer, its workflow's pending card
#: operations and the access log read, in ``from_db``'s order; the others
#: (the address, the approver, the idempotency key, ``updated_at`` …) stay
#: deferred, loaded by Django if anything asks for them.
CASE_COLUMNS = tuple(
    f.attname
    for f in Case._meta.concrete_fields
    if f.attname
    in {
        "id",
        "municipality_id",
        "office_id",
        "resident_id",
        "card_id",
        "reference",
        "procedure",
        "applicant_role",
        "state",
        "visit",
        "second_visit_deadline",
        "applicant_name",
        "pin_kinds",
        "certificate_kinds",
        "certificate_plan",
        "revocation_kind",
        "uses_jlis_answer_sheet",
        "fee_yen",
        "fee_reason",
        "exception_reason",
        "exception_approved_at",
        "documents_satisfied_visit",
        "completed_operations",
        "current_operation_id",
        "flags",
        "letter_reference",
        "outcome_code",
        "cancellation_reason",
        "created_at",
        "completed_at",
    }
)
#: The resident's and office's columns a case answer shows.
RESIDENT_COLUMNS = (
    "resident__register_id",
    "resident__name",
    "resident__name_kana",
    "resident__birth_date",
    "resident__registration_status",
)
ROW_COLUMNS = (*CASE_COLUMNS, "office__code", *RESIDENT_COLUMNS)
_N = len(CASE_COLUMNS)
#: What a page's rows show, for its access log (ADR 0038): each row a case of
#: a resident, the page in keyset order.
SHOWN = ShownColumns(
    resident=ROW_COLUMNS.index("resident_id"),
    municipality=ROW_COLUMNS.index("municipality_id"),
    case=ROW_COLUMNS.index("id"),
    order=(ROW_COLUMNS.index("created_at"), ROW_COLUMNS.index("id")),
)
#: A status change as the API's history shows it.
HISTORY_COLUMNS = (
    "from_state",
    "to_state",
    "transition",
    "actor__username",
    "desk__code",
    "at",
    "reason",
)
#: The queue's sort key (keyset pagination), as in counter/api/cases.py.
QUEUE_KEYS = ("created_at", "pk")


@dataclass(frozen=True)
class CaseRow:
    """A case as its API answer shows it: the case (its own columns, a plain
    ``Case`` as the query set's rows are), its office's code and its
    resident's brief columns (register id, name, kana, birth date,
    registration status)."""

    case: Case
    office_code: str
    resident: tuple[Any, ...]


_PROCEDURE = CASE_COLUMNS.index("procedure")


#: Where django-fsm's ConcurrentTransitionMixin keeps the state a case was
#: read in (it checks it when the case is saved).
_INITIAL_STATES = "_ConcurrentTransitionMixin__initial_states"


def case_from_row(alias: str, values: Sequence[Any]) -> Case:
    """The ``Case`` that ``Case.from_db(alias, CASE_COLUMNS, values)`` builds
    (the other columns deferred), built as unpickling builds one: its
    attributes set directly. ``from_db``
    runs ``__init__``, whose state machine mixin scans every field of the
    model for its state fields: two thirds of a row's cost on a page of 20.
    ``tests/api/test_case_endpoints_compiled_reads.py`` holds the two equal,
    attribute for attribute, and that no ``pre_init``/``post_init`` receiver
    would be skipped."""
    case = Case.__new__(Case)
    attributes = case.__dict__
    attributes.update(zip(CASE_COLUMNS, values, strict=True))
    state = ModelState()
    state.adding = False
    state.db = alias
    attributes["_state"] = state
    attributes[_INITIAL_STATES] = {"state": attributes["state"]}
    return case


def _row(alias: str, values: tuple[Any, ...]) -> CaseRow:
    case = case_from_row(alias, values[:_N])
    return CaseRow(case=case, office_code=values[_N], resident=values[_N + 1 :])


def _scoped(scope: Scope, s: Mapping[str, Any]) -> QuerySet[Case]:
    """The shape's scope: ``within`` a scope of sentinel values, of the same
    kind (with or without an office) as the user's."""
    return Case.objects.within(
        Scope(
            municipality_id=s["municipality"],
            office_id=s["scope_office"] if scope.office_id is not None else None,
        )
    )


def _scope_slots(scope: Scope) -> dict[str, Any]:
    slots: dict[str, Any] = {"municipality": scope.municipality_id}
    if scope.office_id is not None:
        slots["scope_office"] = scope.office_id
    return slots


def _scope_sentinels(scope: Scope) -> dict[str, Any]:
    slots: dict[str, Any] = {"municipality": c.sentinel_int()}
    if scope.office_id is not None:
        slots["scope_office"] = c.sentinel_int()
    return slots


def compiled_scope(user: Any) -> Scope | None:
    """The user's scope when the compiled reads serve it (PostgreSQL, one
    municipality), else None."""
    scope = scope_for(user)
    if scope.everything or scope.nothing or not c.available():
        return None
    return scope


def queue_page(
    *,
    scope: Scope,
    office_id: int | None,
    after: tuple[dt.datetime, int] | None,
    limit: int,
    day: dt.date | None = None,
    log: ReadLog | None = None,
) -> list[CaseRow]:
    """Up to ``limit`` + 1 rows of the day's queue within ``scope`` (and
    ``office_id``, the office the caller asked for), after the keyset position
    ``after``: what ``keyset(cases_today_queue(...), QUEUE_KEYS, ...)`` reads.
    With ``log``, the first ``limit`` rows (the page shown) are logged as read
    by the same statement."""
    start, end = local_day_bounds(day or timezone.localdate())
    values: dict[str, Any] = {**_scope_slots(scope), "start": start, "end": end}
    with_office = office_id is not None
    if with_office:
        values["office"] = office_id
    if after is not None:
        values["after_at"], values["after_pk"] = after

    def sentinels() -> dict[str, Any]:
        found = _scope_sentinels(scope)
        found["start"] = c.sentinel_datetime()
        found["end"] = c.sentinel_datetime()
        if with_office:
            found["office"] = c.sentinel_int()
        if after is not None:
            found["after_at"] = c.sentinel_datetime()
            found["after_pk"] = c.sentinel_int()
        return found

    def build(s: Mapping[str, Any]) -> QuerySet[Any]:
        qs = _scoped(scope, s)
        if with_office:
            qs = qs.filter(office_id=s["office"])
        position = (s["after_at"], s["after_pk"]) if after is not None else None
        return _one_statement_page(qs, s, position, limit)

    kind = (scope.office_id is not None, with_office)
    page = c.compiled(("queue-page", *kind, after is not None, limit), build, sentinels)
    around = None
    if log is not None:

        def around(sql: str, params: list[Any]) -> tuple[str, list[Any]]:
            return log.around(
                sql,
                params,
                width=len(ROW_COLUMNS),
                shown=SHOWN,
                limit=limit,
                object_type=Case._meta.label_lower,
            )

    return [_row(page.alias, row) for row in page.rows(values, around=around)]


def _one_statement_page(
    qs: QuerySet[Case],
    s: Mapping[str, Any],
    after: tuple[Any, Any] | None,
    limit: int,
) -> QuerySet[Any]:
    """The queue's page in one statement: the day's opened cases (in keyset
    order, cut at ``limit`` + 1) and the carried-over ones (disjoint: opened
    before the day), each branch through its own index, then merged in keyset
    order and cut again. The same rows as ``queue_of_day`` after ``queue_carried_over``
    give, without the round trip for the carried-over ids (issue 14)."""

    def branch(cases: QuerySet[Case]) -> QuerySet[Any]:
        if after is not None:
            cases = cases.filter(_after(QUEUE_KEYS, list(after)))
        return cases.values_list(*ROW_COLUMNS)

    opened = qs.filter(created_at__gte=s["start"], created_at__lt=s["end"])
    carried = carried_over_cases(qs, s["start"], s["end"]).order_by()
    # The carried-over branch stays unordered and uncut: ordered, the planner
    # would walk the created_at index from the city's first case to find a few
    # rows touched today (queue_carried_over's reason); unordered it takes the
    # (municipality, updated_at) index, and a day carries a handful.
    merged = (
        branch(opened)
        .order_by(*QUEUE_KEYS)[: limit + 1]
        .union(branch(carried), all=True)
    )
    return merged.order_by("created_at", "id")[: limit + 1]


def case_with_history(
    *, scope: Scope, reference: str
) -> tuple[CaseRow, list[tuple[Any, ...]]] | None:
    """The case ``reference`` within ``scope`` and its status changes in time
    order (``HISTORY_COLUMNS``), or None when the scope has no such case: what
    ``case_for_api`` reads, in two compiled queries."""
    values = {**_scope_slots(scope), "reference": reference}

    def sentinels() -> dict[str, Any]:
        return {**_scope_sentinels(scope), "reference": c.sentinel_text()}

    read = c.compiled(
        ("case-by-reference", scope.office_id is not None),
        lambda s: (
            _scoped(scope, s)
            .filter(reference=s["reference"])
            .values_list(*ROW_COLUMNS)[:1]
        ),
        sentinels,
    )
    found = read.rows(values)
    if not found:
        return None
    row = _row(read.alias, found[0])
    history = c.compiled(
        "case-history",
        lambda s: (
            CaseStatusChange.objects.filter(case_id=s["case"])
            .order_by("at", "pk")
            .values_list(*HISTORY_COLUMNS)
        ),
        lambda: {"case": c.sentinel_int()},
    )
    return row, history.rows({"case": row.case.pk})
