"""Revocation (失効): a request (失効申請) or a notification (失効届出), §9.

A request is made with the card; the resident-register PIN confirms the card
(§2, §5.2 "Revocation at counter"). A notification of a lost or stolen card is made
without it, so no card operation is needed. A voluntary agent uses the inquiry
method in two visits (§9); an under-15 or adult ward is accompanied by the legal
representative (§6.1). The issuer revokes; free of charge (§4).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from counter.constants import CardOperationKind, PinKind
from counter.models.cases import Case, RevocationKind

from .base import CounterMachine
from .voluntary_agent import TwoVisitMachine


class CertRevokeCase(CounterMachine, TwoVisitMachine, Case):
    class Meta:
        proxy = True
        verbose_name = _("certificate revocation case")

    def required_operations(self) -> list[tuple[str, dict[str, Any]]]:
        if self.revocation_kind == RevocationKind.NOTIFICATION:
            return []  # §9: the card is lost, stolen or broken
        return [
            (
                CardOperationKind.PIN_VERIFY.value,
                {"pin_kind": PinKind.RESIDENT_REGISTER.value},
            )
        ]
