"""Reads for the clerk screens, the supervisor console and the API
(docs/reference/style.md §3.3).

One module per aggregate — :mod:`.cases`, :mod:`.residents`, :mod:`.letters`,
:mod:`.console` — each selector taking the user and starting from
``.visible_to(user)``. Callers use ``from counter import selectors`` and the
names below.
"""

from __future__ import annotations

from .cases import (
    card_operation,
    case_detail,
    case_for_api,
    case_history,
    cases_awaiting_approval,
    cases_awaiting_second_visit,
    cases_overdue_second_visit,
    cases_today_queue,
)
from .console import card_operations_failed, case_counts_daily
from .letters import letters_by_state
from .residents import (
    SEARCH_MATCHES_CAP,
    ResidentOverview,
    resident_cards,
    resident_overview,
    residents_matching,
    residents_search,
    search_has_more_matches,
)

__all__ = [
    "SEARCH_MATCHES_CAP",
    "ResidentOverview",
    "card_operation",
    "card_operations_failed",
    "case_counts_daily",
    "case_detail",
    "case_for_api",
    "case_history",
    "cases_awaiting_approval",
    "cases_awaiting_second_visit",
    "cases_overdue_second_visit",
    "cases_today_queue",
    "letters_by_state",
    "resident_cards",
    "resident_overview",
    "residents_matching",
    "residents_search",
    "search_has_more_matches",
]
