"""Every environment variable the production settings read is listed for the
operator (issue 11 §1): in the Kubernetes manifests (the madoguchi-config ConfigMap,
or a secretKeyRef of every pod), in the configuration reference the deploy guides
point to (docs/configuration.md) and in .env.example, the one-server env file.

The reads are found in the source: config/settings/production.py and every settings
module it imports (``from .base import *`` and on), each ``config("NAME", …)``,
``os.environ.get/setdefault("NAME")``, ``os.environ["NAME"]`` and
``os.getenv("NAME")``. A new setting without a manifest entry fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ROOT / "config" / "settings"
K8S = ROOT / "deploy" / "k8s"

pytestmark = pytest.mark.deploy


def _name(node: ast.expr, where: str) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    raise AssertionError(f"{where}: an environment read whose name is not a literal")


def _is_environ(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "environ"
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
    )


def _reads_env(func: ast.expr) -> bool:
    if isinstance(func, ast.Name):
        return func.id == "config"
    if not isinstance(func, ast.Attribute):
        return False
    if func.attr == "getenv":
        return isinstance(func.value, ast.Name) and func.value.id == "os"
    return func.attr in ("get", "setdefault", "pop") and _is_environ(func.value)


def env_reads(source: str, where: str) -> set[str]:
    """The variable names ``source`` reads from the environment."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and node.args and _reads_env(node.func):
            names.add(_name(node.args[0], where))
        elif isinstance(node, ast.Subscript) and _is_environ(node.value):
            names.add(_name(node.slice, where))
    return names


def settings_modules(start: Path) -> list[Path]:
    """``start`` and every module of config/settings it imports, transitively."""
    seen: list[Path] = []
    pending = [start]
    while pending:
        path = pending.pop()
        if path in seen:
            continue
        seen.append(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
                pending.append(SETTINGS / f"{node.module}.py")
            elif (
                isinstance(node, ast.ImportFrom)
                and node.module
                and (node.module.startswith("config.settings."))
            ):
                pending.append(SETTINGS / f"{node.module.rsplit('.', 1)[1]}.py")
    return seen


def production_reads() -> dict[str, str]:
    reads: dict[str, str] = {}
    for path in settings_modules(SETTINGS / "production.py"):
        where = str(path.relative_to(ROOT))
        for name in env_reads(path.read_text(encoding="utf-8"), where):
            reads.setdefault(name, where)
    return reads


def manifest_variables() -> set[str]:
    names: set[str] = set()
    for path in sorted(K8S.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if not doc:
                continue
            if doc["kind"] == "ConfigMap" and doc["metadata"]["name"] == (
                "madoguchi-config"
            ):
                names |= set(doc["data"])
            if doc["kind"] in ("Deployment", "Job"):
                pod: dict[str, Any] = doc["spec"]["template"]["spec"]
                for container in pod["containers"]:
                    names |= {entry["name"] for entry in container.get("env", [])}
    return names


def test_the_finder_sees_every_kind_of_read() -> None:
    source = (
        "import os\n"
        'A = config("ONE", 1, help_text="")\n'
        'os.environ.setdefault("TWO", "x")\n'
        'B = os.environ["THREE"]\n'
        'C = os.getenv("FOUR")\n'
        'D = os.environ.get("FIVE")\n'
    )
    assert env_reads(source, "example") == {"ONE", "TWO", "THREE", "FOUR", "FIVE"}
    with pytest.raises(AssertionError, match="not a literal"):
        env_reads("config(name, 1)", "example")


def test_the_production_settings_and_their_imports_are_all_read() -> None:
    names = {path.name for path in settings_modules(SETTINGS / "production.py")}
    assert {"production.py", "base.py", "card.py", "hardening.py"} <= names
    reads = production_reads()
    assert {"SECRET_KEY", "SECURE_SSL_REDIRECT", "AXES_IPWARE_PROXY_COUNT"} <= set(
        reads
    )


def test_every_production_setting_is_in_the_kubernetes_manifests() -> None:
    listed = manifest_variables()
    missing = {name: where for name, where in production_reads().items()}
    missing = {name: where for name, where in missing.items() if name not in listed}
    assert not missing, (
        f"read by the production settings, not in deploy/k8s (config.yaml or a "
        f"secretKeyRef): {missing}"
    )


def test_every_production_setting_is_in_the_configuration_reference() -> None:
    reference = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    for name, where in production_reads().items():
        assert f"`{name}`" in reference, (
            f"{name} ({where}) not in docs/configuration.md"
        )
        assert f"\n{name}=" in example, f"{name} ({where}) not in .env.example"


def test_the_manifests_list_no_variable_the_application_does_not_know() -> None:
    known = set(production_reads()) | {"DJANGO_SETTINGS_MODULE"}
    reference = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    unknown = {
        name for name in manifest_variables() - known if f"`{name}`" not in reference
    }
    assert not unknown, f"deploy/k8s lists variables nothing reads: {unknown}"
