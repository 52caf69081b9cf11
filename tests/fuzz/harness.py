"""The loop every role's fuzz run shares: it sends each generated call and
keeps what the checks found."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode
from schemathesis.checks import load_all_checks
from schemathesis.core.failures import FailureGroup


def fuzz(
    schema: Any,
    examples: int,
    *,
    include: Callable[[Any], bool] = lambda operation: True,
    negative_examples: int = 0,
) -> tuple[Counter[int], list[str]]:
    """Every check on ``examples`` generated calls per included operation (and
    ``negative_examples`` calls the schema calls invalid): the statuses answered
    (0: a failed check) and the failures, described."""
    load_all_checks()
    statuses: Counter[int] = Counter()
    failures: list[str] = []
    plan = [(GenerationMode.POSITIVE, examples)]
    if negative_examples:
        plan.append((GenerationMode.NEGATIVE, negative_examples))
    for result in schema.get_all_operations():
        operation = result.ok()
        if not include(operation):
            continue
        for mode, count in plan:

            @given(case=operation.as_strategy(generation_mode=mode))
            @hypothesis_settings(
                max_examples=count,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            def run(case: Any) -> None:
                try:
                    response = case.call_and_validate()
                    statuses[response.status_code] += 1
                except (AssertionError, FailureGroup) as exc:
                    statuses[0] += 1
                    failures.append(f"{case.operation.label}: {exc}"[:2000])

            run()
    return statuses, failures
