"""PIN change (暗証番号変更): the current PIN is verified on the card, then set anew.

Holder in person with the card; a legal representative in one visit with proof of
authority (§6.1); a voluntary agent in two visits by the inquiry method, where the
holder writes the current PIN on the answer sheet and the clerk types it on the
PIN pad at visit 2 — a wrong PIN there means the change cannot be done and a reset
is suggested instead (seed table "PIN change"; §6.2).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from counter.constants import CardOperationKind
from counter.models.cases import Case

from .base import CounterMachine
from .voluntary_agent import TwoVisitMachine


class PinChangeCase(CounterMachine, TwoVisitMachine, Case):
    class Meta:
        proxy = True
        verbose_name = _("PIN change case")

    def required_operations(self) -> list[tuple[str, dict[str, Any]]]:
        # §2: one CHANGE REFERENCE DATA per PIN, each needing its current PIN.
        return [
            (CardOperationKind.PIN_CHANGE.value, {"pin_kind": kind})
            for kind in self.pin_kinds or []
        ]
