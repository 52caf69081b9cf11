"""Counting a long list without scanning it: the admin's paginator at a
prefecture's scale (ADR 0029). Below the procedures, so every app's admin
(identity_docs, jpki_ops) may use it through ``counter.admin_base``."""

from __future__ import annotations

import json
from functools import cached_property

from django.core.paginator import Paginator
from django.db.models import QuerySet


class EstimatedCountPaginator(Paginator):
    """A paginator whose count never scans a huge table. It first reads one page
    and one row more in the list's own order (the index walk the page itself
    uses); if that is all there is, the count is exact, otherwise it is
    PostgreSQL's estimate of the query's rows, never below what it has read."""

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if not isinstance(queryset, QuerySet):
            return len(queryset)
        probe = len(queryset.values_list("pk", flat=True)[: self.per_page + 1])
        if probe <= self.per_page:
            return probe
        plan = json.loads(queryset.order_by().explain(format="json"))
        return max(probe, int(plan[0]["Plan"]["Plan Rows"]))
