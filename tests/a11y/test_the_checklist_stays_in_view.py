"""The checklist at a counter PC's 1366×768 (issue 15): the result and the
record button stay in view while the clerk ticks, and the filter box narrows
the rows, in real Chromium with the scripts the Content-Security-Policy allows."""

from __future__ import annotations

from typing import Any

import pytest

from tests.a11y.test_axe_on_every_screen import (  # noqa: F401
    screens,
    serious_violations,
)

pytestmark = [
    pytest.mark.a11y,
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

RECORD = "#id-checklist .id-checklist-bar form[method=post] button[type=submit]"


def _in_viewport(page: Any, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    size = page.viewport_size
    return (
        box is not None
        and box["y"] >= 0
        and box["y"] + box["height"] <= size["height"]
        and box["x"] + box["width"] <= size["width"]
    )


def test_the_record_button_is_in_view_after_ticking_a_document(
    screens: Any,  # noqa: F811
) -> None:
    page = screens["page"]
    page.goto(f"{screens['base']}/counter/cases/{screens['case'].reference}/")
    page.wait_for_load_state("networkidle")
    assert _in_viewport(page, RECORD)
    page.check("#doc-passport\\@holder")
    page.wait_for_selector("#id-checklist tr.ticked[data-key='passport@holder']")
    page.wait_for_load_state("networkidle")
    assert _in_viewport(page, RECORD)
    assert _in_viewport(page, "[data-testid=checklist-result]")
    assert serious_violations(page) == []


def test_the_filter_box_leaves_only_matching_and_ticked_rows(
    screens: Any,  # noqa: F811
) -> None:
    page = screens["page"]
    page.goto(f"{screens['base']}/counter/cases/{screens['case'].reference}/")
    page.wait_for_load_state("networkidle")
    page.check("#doc-my_number_card\\@holder")
    page.wait_for_selector("#id-checklist tr.ticked")
    page.wait_for_load_state("networkidle")
    before = page.locator("#id-checklist tbody tr:visible").count()
    page.fill("[data-checklist-filter]", "旅券")
    visible = page.locator("#id-checklist tbody tr:visible")
    names = visible.evaluate_all("rows => rows.map(r => r.dataset.name)")
    assert 1 < len(names) < before, names
    assert all("旅券" in n or "マイナンバー" in n for n in names), names
