"""Django system check: the letter font is present, pinned, embeddable, covering.

letters.md §1.6: a missing or changed font must stop a deployment, not produce
letters with boxes in them.
"""

from __future__ import annotations

from typing import Any

from django.core import checks


@checks.register(checks.Tags.compatibility)
def letter_font_check(
    app_configs: Any = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    from .fonts import font_problems

    return [
        checks.Error(problem, hint="Restore counter/letters/fonts/ from the repository.",
                     id="letters.E001")
        for problem in font_problems()
    ]  # fmt: skip
