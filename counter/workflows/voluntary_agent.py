"""The voluntary agent's two visits (照会書方式, docs/rules/06-agents.md §6.2).

Visit 1 files the application and shows the agent's ID; the city mails an inquiry
letter to the holder's registered address (転送不要); the holder fills it in and
seals it; visit 2 — within the city's deadline (§17.2, a profile setting) and
found by the letter's reference code — brings the sealed answer sheet, the holder's
card and the agent's ID. Never the same day. Past the deadline the case expires.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import transition

from counter.models.cases import CaseState

from .base import (
    CHANGE_CASE,
    DOCUMENTS_SATISFIED,
    Guard,
    _is_agent_first_visit,
    _MachineBase,
)

S = CaseState

IS_AGENT_FIRST_VISIT = Guard(
    "inquiry-only-for-agent-first-visit",
    _("An inquiry letter is sent only at a voluntary agent's first visit."),
    lambda case: _is_agent_first_visit(case) and not case.one_visit_allowed(),
)
BEFORE_DEADLINE = Guard(
    "second-visit-deadline-passed",
    _(
        "The deadline for the second visit has passed; the application has expired "
        "and must be made again."
    ),
    lambda case: (
        case.second_visit_deadline is not None
        and timezone.localdate() <= case.second_visit_deadline
    ),
)


class TwoVisitMachine(_MachineBase):
    """The voluntary agent's inquiry method (照会書方式, §6.2)."""

    # §6.2: visit 1 files the application; the city mails an inquiry letter to
    # the holder's registered address (転送不要) and waits for the second visit.
    @transition(
        field="state",
        custom={"rules": "§6.2"},
        source=S.DOCUMENTS_CHECKED,
        target=S.AWAITING_SECOND_VISIT,
        conditions=[DOCUMENTS_SATISFIED, IS_AGENT_FIRST_VISIT],
        permission=CHANGE_CASE,
    )
    def send_inquiry(self, *, deadline: Any, letter_reference: str) -> None:
        self.second_visit_deadline = deadline
        self.letter_reference = letter_reference

    # §6.2: the agent returns with the sealed answer sheet within the deadline
    # (a per-city setting, §17.2); the documents are checked again for visit 2.
    @transition(
        field="state",
        custom={"rules": "§6.2, §17.2"},
        source=S.AWAITING_SECOND_VISIT,
        target=S.RECEIVED,
        conditions=[BEFORE_DEADLINE],
        permission=CHANGE_CASE,
    )
    def second_visit(self, *, at_desk: Any) -> None:
        self.visit = 2
        self.desk = at_desk
        self.documents_satisfied_visit = None

    # §6.2: past the deadline (or the letter expired) the application lapses.
    @transition(
        field="state",
        custom={"rules": "§6.2"},
        source=S.AWAITING_SECOND_VISIT,
        target=S.EXPIRED,
    )
    def expire(self, *, code: str) -> None:
        self.outcome_code = code
