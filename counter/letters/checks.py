"""Django system check: the letter font is present, pinned, embeddable, covering.

docs/reference/letters-design.md §1.6: a missing or changed font must stop a deployment,
not produce
letters with boxes in them.
"""

from __future__ import annotations

from typing import Any

from django.core import checks

from .fonts import font_problems

HINT = "Restore counter/letters/fonts/ from the repository."


@checks.register(checks.Tags.compatibility)
def letter_font_check(
    app_configs: Any = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    return [checks.Error(p, hint=HINT, id="letters.E001") for p in font_problems()]
