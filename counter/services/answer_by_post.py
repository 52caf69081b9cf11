"""The agent's second visit comes after the post (§6.3).

The answer sheet (照会書兼回答書) reaches the holder at the registered address by
post, so the second visit is accepted only on a letter marked mailed, and never
on the day of the first visit: the agent's procedure is never completed in one
day (seed-cert agent, seed-reset-3 agent visit 2).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from counter.errors import ApplicationError
from counter.letters.models import InquiryLetter, LetterState
from counter.models import Case
from counter.models.cases import CaseState


def check_answer_came_by_post(*, case: Case, day: dt.date) -> None:
    """Refuse a second visit before the letter went out by post (§6.3)."""
    if case.state != CaseState.AWAITING_SECOND_VISIT:
        return  # a replayed scan of a case already past visit 2
    letter = (
        InquiryLetter.objects.filter(reference=case.letter_reference)
        .only("state")
        .first()
    )
    if letter is None or letter.state != LetterState.MAILED:
        raise ApplicationError(
            "letter-not-mailed",
            _(
                "The inquiry letter has not been marked as mailed; the second visit "
                "is accepted only after the answer sheet went to the registered "
                "address by post (§6.3)."
            ),
            extra={"case": case.reference},
        )
    if day <= timezone.localdate(case.created_at):
        raise ApplicationError(
            "second-visit-same-day",
            _(
                "The second visit cannot be on the day of the first: the answer "
                "sheet comes back by post first (§6.3)."
            ),
            extra={"case": case.reference},
        )
