"""Environment variables, each declared once with a help text.

Every setting that an operator may change is read through :func:`config`, which
records the name, default and help text in :data:`REGISTRY`. ``manage.py
config_reference`` renders that registry into ``docs/configuration.md`` and a test
checks that the document and ``.env.example`` list every variable, so the
reference cannot drift from the code (open-zaak's DocumentationParams idea).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class EnvVar:
    name: str
    default: Any
    help_text: str
    group: str


REGISTRY: dict[str, EnvVar] = {}

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def config(name: str, default: Any, *, help_text: str, group: str = "General") -> Any:
    """Read ``name`` from the environment, cast to the type of ``default``."""
    REGISTRY.setdefault(name, EnvVar(name, default, help_text, group))
    raw = os.environ.get(name)
    if raw is None:
        return default
    if isinstance(default, bool):
        lowered = raw.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ValueError(f"{name} must be true or false, got {raw!r}")
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    if isinstance(default, list):
        return [item.strip() for item in raw.split(",") if item.strip()]
    return raw
