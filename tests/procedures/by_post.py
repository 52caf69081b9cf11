"""The inquiry letter goes out by post before the agent may come back (§6.3)."""

from __future__ import annotations

from counter.letters.models import InquiryLetter
from counter.letters.services import (
    letter_mark_mailed,
    letter_render,
    print_run_create,
)


def letter_mailed(letter_id: int) -> InquiryLetter:
    """Render, print in the day's run and mark mailed, as the back office does;
    the clerk who opened the case does the paperwork."""
    letter = letter_render(letter_id=letter_id)
    actor = letter.case.created_by
    print_run_create(municipality=letter.municipality, actor=actor)
    letter.refresh_from_db()
    return letter_mark_mailed(letter=letter, actor=actor)
