"""docs/state-machines.md is generated from the machines; it must not drift, and
every transition cites its docs/rules section (docs/reference/style.md §3.5)."""

from __future__ import annotations

from pathlib import Path

from counter.workflows import WORKFLOWS
from counter.workflows.graph import render_markdown, transition_rows

DOC = Path(__file__).resolve().parents[2] / "docs" / "state-machines.md"


def test_the_document_matches_the_code():
    assert DOC.read_text(encoding="utf-8") == render_markdown(), (
        "Regenerate docs/state-machines.md (see counter/workflows/graph.py)."
    )


def test_every_transition_cites_a_rule():
    for machine in set(WORKFLOWS.values()):
        for name, _source, _target, _conditions, _permission, rules in transition_rows(
            machine
        ):
            assert "§" in rules, (
                f"{machine.__name__}.{name} cites no docs/rules section"
            )
