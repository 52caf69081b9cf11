"""The machines as tables, for docs/state-machines.md (graphviz is not installed
on the build machines, so django_fsm's ``graph_transitions`` cannot draw them).

``manage.py shell --no-imports -c "from counter.workflows.graph import render_markdown;
print(render_markdown(), end='')" > docs/state-machines.md`` regenerates the file;
a test fails when the file and the code disagree.
"""

from __future__ import annotations

from typing import Any

from django_fsm import RETURN_VALUE

from counter.workflows import WORKFLOWS

HEADER = """# Case state machines

Generated from `counter/workflows/` by `counter.workflows.graph.render_markdown`; a test
(`tests/procedures/test_state_machine_document_is_current.py`) fails when this
file and the code disagree. One machine per procedure (proxy models of `Case`,
django-fsm-2, `FSMField(protected=True)`); every transition runs through the
services' one mutation path (lock → transition → status-history row → audit →
side effects). "Rules" cites `docs/rules`; "Conditions" are the guard codes a
refused step answers with; "Permission" is checked for staff actors (the desk
agent and the register act as the system).

States: `received` 受付, `awaiting_approval` 承認待ち, `documents_checked`
書類確認済, `awaiting_second_visit` 2回目来庁待ち, `card_operation` カード操作中,
`ready_to_complete` 完了待ち, `completed` 完了, `cancelled` 取下げ, `refused`
不可, `expired` 期限切れ.
"""


def _targets(target: Any) -> str:
    if isinstance(target, RETURN_VALUE):
        return " / ".join(f"`{t}`" for t in target.allowed_states)
    return f"`{target}`"


def transition_rows(machine: type) -> list[tuple[str, str, str, str, str, str]]:
    """One row per transition and outcome; sources with the same outcome merged."""
    field = machine._meta.get_field("state")  # type: ignore[attr-defined]
    grouped: dict[tuple[str, str, str, str, str], list[str]] = {}
    for t in field.get_all_transitions(machine):
        key = (
            t.name,
            _targets(t.target),
            ", ".join(f"`{c.code}`" for c in t.conditions) or "—",
            f"`{t.permission}`" if t.permission else "— (system)",
            t.custom.get("rules", ""),
        )
        grouped.setdefault(key, []).append(f"`{t.source}`")
    return sorted(
        (name, ", ".join(sorted(set(sources))), target, conditions, permission, rules)
        for (name, target, conditions, permission, rules), sources in grouped.items()
    )


def render_markdown() -> str:
    parts = [HEADER]
    seen: set[type] = set()
    for machine in WORKFLOWS.values():
        if machine in seen:
            continue
        seen.add(machine)
        names = [f"`{p}`" for p, m in WORKFLOWS.items() if m is machine]
        module_doc = __import__(machine.__module__, fromlist=["_"]).__doc__ or ""
        parts.append(f"\n## {machine.__name__} — {', '.join(names)}\n")
        parts.append(f"\n{module_doc.strip()}\n")
        parts.append(
            "\n| Transition | From | To | Conditions | Permission | Rules |\n"
            "|---|---|---|---|---|---|\n"
        )
        parts.extend(
            "| " + " | ".join(row) + " |\n" for row in transition_rows(machine)
        )
    return "".join(parts)
