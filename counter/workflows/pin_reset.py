"""PIN reset / unlock (初期化・再設定): an issuer-authorised reset on the card.

Documents per role (§5.2: holder one A or one B besides the card; legal
representative two A or A+B plus the holder's document and proof of authority; a
voluntary agent by the inquiry method). The new PIN is typed on the desk's PIN pad
(or, for an agent, taken from the sealed answer sheet); the issuer authorises
"reset this PIN" without ever learning the value
(docs/reference/card-protocol.md §14.1).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from counter.constants import CardOperationKind
from counter.models.cases import Case

from .base import CounterMachine
from .voluntary_agent import TwoVisitMachine


class PinResetCase(CounterMachine, TwoVisitMachine, Case):
    class Meta:
        proxy = True
        verbose_name = _("PIN reset case")

    def required_operations(self) -> list[tuple[str, dict[str, Any]]]:
        # §11: a counter reset may cover any of the four PINs.
        return [
            (CardOperationKind.PIN_RESET.value, {"pin_kind": kind})
            for kind in self.pin_kinds or []
        ]
