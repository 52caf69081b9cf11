"""Lifting a suspension (一時停止解除) at the counter, never by phone (§10).

The found card and its PIN (the resident-register PIN confirms the card, §2);
a legal representative with ID and proof; a voluntary agent per the city's choice
(§5.2 VARIES — the seed default is the inquiry method). An abolished card cannot
be un-suspended (§8.6); revoked certificates stay revoked and a new signing
certificate is applied for separately (§10).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from counter.constants import CardOperationKind, PinKind
from counter.models.cases import Case

from .base import CounterMachine
from .voluntary_agent import TwoVisitMachine


class SuspensionLiftCase(CounterMachine, TwoVisitMachine, Case):
    class Meta:
        proxy = True
        verbose_name = _("suspension lifting case")

    def required_operations(self) -> list[tuple[str, dict[str, Any]]]:
        return [
            (
                CardOperationKind.PIN_VERIFY.value,
                {"pin_kind": PinKind.RESIDENT_REGISTER.value},
            )
        ]
