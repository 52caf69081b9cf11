"""Steps the procedure tests share after opening (``counter_case``): show
documents, run the card work, finish."""

from __future__ import annotations

import itertools
from typing import Any

from counter.models import Case
from counter.services.cases import (
    case_complete,
    case_record_documents,
    case_request_card_operation,
)

_keys = itertools.count(1)


def show(
    case: Case,
    clerk: Any,
    desk: Any,
    *documents: dict[str, Any],
    facts: dict[str, bool] | None = None,
) -> Case:
    case, evaluation = case_record_documents(
        case=case, actor=clerk, desk=desk, documents=list(documents), facts=facts
    )
    assert evaluation.satisfied
    return case


def run_card_work(case: Case, clerk: Any, desk: Any, agent: Any) -> Case:
    """Every card operation the procedure needs, each succeeding at the desk."""
    while case.state == "documents_checked" and case.pending_operations():
        operation = case_request_card_operation(
            case=case, actor=clerk, desk=desk, idempotency_key=f"op-{next(_keys)}"
        )
        case = agent.succeed(operation)
    return case


def finish(case: Case, clerk: Any, desk: Any, agent: Any) -> Case:
    case = run_card_work(case, clerk, desk, agent)
    return case_complete(case=case, actor=clerk, desk=desk)
