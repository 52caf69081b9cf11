"""The console's read that counter.selectors does not offer: letters by state."""

from __future__ import annotations

from typing import Any

from django.db.models import Count


def letters_by_state(*, user: Any) -> list[dict[str, Any]]:
    """How many inquiry letters are in each lifecycle state (office-scoped)."""
    from counter.letters.models import InquiryLetter, LetterState

    labels = dict(LetterState.choices)
    rows = (
        InquiryLetter.objects.visible_to(user)
        .values("state")
        .annotate(n=Count("id"))
        .order_by("state")
    )
    return [
        {"state": r["state"], "label": labels.get(r["state"], r["state"]), "n": r["n"]}
        for r in rows
    ]
