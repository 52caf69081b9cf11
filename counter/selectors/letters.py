"""Reads of inquiry letters: how many are in each lifecycle state."""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from counter.letters.models import InquiryLetter, LetterState


def letters_by_state(*, user: Any) -> list[dict[str, Any]]:
    """How many inquiry letters are in each lifecycle state (office-scoped)."""
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
