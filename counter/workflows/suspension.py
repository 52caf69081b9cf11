"""Suspension (一時停止) recorded from the call centre, 24 h / 365 days (§10).

One step: the call centre's report is recorded and the case completes; the
service suspends the card and puts its certificates on hold (or records the
signing certificate as revoked when that is what the J-LIS terminal shows —
§10 CONFLICT: the operator records what actually happened).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_fsm import transition

from counter.models.cases import Case, CaseState

from .base import CHANGE_CASE, BaseMachine


class SuspensionCase(BaseMachine, Case):
    class Meta:
        proxy = True
        verbose_name = _("suspension case")

    # §10: loss or theft reported by phone; no counter hours apply.
    @transition(
        field="state",
        custom={"rules": "§10"},
        source=CaseState.RECEIVED,
        target=CaseState.COMPLETED,
        permission=CHANGE_CASE,
    )
    def record_suspension(self) -> None:
        from django.utils import timezone

        self.completed_at = timezone.now()
