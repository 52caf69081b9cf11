"""The house plan (docs/architecture.md), checked on the source itself.

The layer contracts themselves are import-linter's (``.importlinter``, run by
``lint-imports`` in ``.ci/run``); these tests cover what it cannot see: imports
hidden inside functions to dodge a cycle, modules grown past one concern, and the
production card stack reaching into the test double.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("config", "counter", "identity_docs", "jpki_ops")
PROJECT_PREFIXES = tuple(f"{p}." for p in PACKAGES) + PACKAGES
MAX_LINES = 450


def _sources() -> list[Path]:
    return sorted(
        path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    )


def _is_project(module: str | None) -> bool:
    return bool(module) and (
        module in PACKAGES or module.startswith(PROJECT_PREFIXES)  # type: ignore[union-attr]
    )


def _imported(node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.ImportFrom):
        return [node.module or ""] if node.level == 0 else ["." * node.level]
    return [alias.name for alias in node.names]


def _hidden_imports(path: Path, root: Path = ROOT) -> list[str]:
    """Project imports inside a function, or after the first definition of a module.

    Allowed: ``AppConfig.ready()`` (Django's place for wiring), ``if TYPE_CHECKING``.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[str] = []

    def visit(node: ast.AST, inside: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(child, None if child.name == "ready" else child.name)
                continue
            if isinstance(child, ast.Import | ast.ImportFrom) and inside:
                found.extend(
                    f"{path.relative_to(root)}:{child.lineno} in {inside}()"
                    for module in _imported(child)
                    if module.startswith(".") or _is_project(module)
                )
            visit(child, inside)

    visit(tree, None)
    seen_definition = False
    for statement in tree.body:
        if isinstance(statement, ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef):
            seen_definition = True
        elif seen_definition and isinstance(statement, ast.Import | ast.ImportFrom):
            modules = _imported(statement)
            if any(m.startswith(".") or _is_project(m) for m in modules):
                found.append(
                    f"{path.relative_to(root)}:{statement.lineno} at the bottom"
                )
    return found


# The proxy models of the case machines must be imported while the app's models
# load; docs/architecture.md names this as the one cycle the plan keeps.
KEPT = {"counter/models/cases.py"}


def test_no_module_imports_another_inside_a_function_to_dodge_a_cycle():
    hidden = [
        line
        for path in _sources()
        if str(path.relative_to(ROOT)) not in KEPT
        for line in _hidden_imports(path)
    ]
    assert hidden == []


def test_every_module_outside_migrations_holds_at_most_450_lines():
    long = {
        str(path.relative_to(ROOT)): n
        for path in _sources()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


@pytest.mark.parametrize("package", ["pcsc", "agent", "issuer"])
def test_the_production_card_stack_never_imports_the_virtual_card(package):
    offenders = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in sorted((ROOT / "jpki_ops" / package).rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Import | ast.ImportFrom)
        and any("cardsim" in module for module in _imported(node))
    ]
    assert offenders == []


def test_the_hidden_import_finder_sees_one(tmp_path):
    """The finder itself must be able to fail."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import os\n\n\ndef f():\n    from counter import errors\n"
        "    import json\n\n\nfrom jpki_ops import models\n",
        encoding="utf-8",
    )
    assert _hidden_imports(sample, tmp_path) == [
        "sample.py:5 in f()",
        "sample.py:9 at the bottom",
    ]
