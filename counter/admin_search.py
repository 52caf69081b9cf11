"""The admin's searches, each answered by an index (issue 14, ADR 0031).

Django's search ORs ``icontains`` over every search field, joined tables
included, which no index can answer: one case reference read all of a city's
million cases (3.9 s). A supervisor types either a reference or a name, so the
term is tried as what it can be, in order, each an indexed lookup:

1. a reference (the case's, the letter's): an exact match on a unique column;
2. a resident's name or kana: the reception search's trigram-indexed match,
   at most :data:`SEARCH_MATCHES_CAP` residents, with a message past that.

Each step is one query whatever the data's size, so a list's query count stays
constant.
"""

from __future__ import annotations

import operator
import re
from functools import reduce
from operator import attrgetter
from typing import Any

from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from counter.audit import access_record_many
from counter.models import AccessPath, Case, Resident
from counter.selectors import SEARCH_MATCHES_CAP, residents_matching


def cases_with_reference(request: HttpRequest, term: str) -> list[int]:
    """The pk of the visible case with this reference, if there is one."""
    return list(
        Case.objects.visible_to(request.user)
        .filter(reference=term.strip())
        .values_list("pk", flat=True)[:1]
    )


def residents_named(request: HttpRequest, term: str) -> list[int]:
    """The visible residents matching ``term`` by name or kana, at most
    :data:`SEARCH_MATCHES_CAP`; past that the supervisor is told to narrow it."""
    found = list(
        residents_matching(Resident.objects.visible_to(request.user), term.strip())
        .order_by()
        .values_list("pk", flat=True)[: SEARCH_MATCHES_CAP + 1]
    )
    if len(found) > SEARCH_MATCHES_CAP:
        messages.warning(
            request,
            _(
                "More than %(cap)d residents match; only some of them are listed. "
                "Add the given name to find the resident."
            )
            % {"cap": SEARCH_MATCHES_CAP},
        )
    return found[:SEARCH_MATCHES_CAP]


def log_rows_shown(request: HttpRequest, rows: Any, resident: str) -> None:
    """One access entry per resident shown (a case's names its case too), in
    one insert per kind; ``resident`` is the rows' path to their resident."""
    cases: dict[int, Case] = {}
    residents: dict[int, Resident] = {}
    for row in rows:
        if isinstance(row, Case):
            cases[row.pk] = row
        elif resident == "case__resident":
            cases[row.case.pk] = row.case
        else:
            shown = (
                row
                if resident == "pk"
                else attrgetter(resident.replace("__", "."))(row)
            )
            residents[shown.pk] = shown
    for kind in (cases, residents):
        access_record_many(request, AccessPath.ADMIN_SEARCH, kind.values())


class IndexedSearch:
    """A list searched by an exact reference, else by the residents the term
    names. ``search_reference``: the unique column compared exactly (or None);
    ``search_case``: the FK to the case whose reference also finds the row (or
    None); ``search_resident``: the path to the resident ("pk" on residents)."""

    search_reference: str | None = None
    search_case: str | None = None
    search_resident: str = "resident"

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """A searched list is a read of the residents it shows: the supervisor
        chose whom it lists (docs/security/audit-trail.md, "What is a read")."""
        response = super().changelist_view(request, extra_context)  # type: ignore[misc]
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None and (request.GET.get("q") or "").strip():
            log_rows_shown(request, changelist.result_list, self.search_resident)
        return response  # type: ignore[no-any-return]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        term = search_term.strip()
        if not term:
            return queryset, False
        exact: list[Q] = []
        if self.search_reference is not None:
            exact.append(Q(**{self.search_reference: term}))
        if self.search_case is not None:
            cases = cases_with_reference(request, term)
            if cases:
                exact.append(Q(**{f"{self.search_case}__in": cases}))
        if exact:
            found = queryset.filter(reduce(operator.or_, exact))
            if found.exists():
                return found, False
        residents = residents_named(request, term)
        return queryset.filter(**{f"{self.search_resident}__in": residents}), False


#: What an audit action's code looks like (snake_case): searched exactly.
ACTION_CODE = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)+")


class AuditSearch:
    """The audit trail searched by an action code, a case reference, an object
    id, else the actor's name: the first the term can be, so that each is an
    indexed lookup (the action and case columns are indexed)."""

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        term = search_term.strip()
        if not term:
            return queryset, False
        if ACTION_CODE.fullmatch(term) and queryset.filter(action=term).exists():
            return queryset.filter(action=term), False
        cases = cases_with_reference(request, term)
        if cases:
            return queryset.filter(case__in=cases), False
        return queryset.filter(
            Q(object_id=term) | Q(actor_label__icontains=term)
        ), False
