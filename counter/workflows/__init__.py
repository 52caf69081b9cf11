"""One explicit state machine per procedure, as proxy models of ``Case``.

``workflow_for(case)`` gives the case its procedure's machine; the services in
counter/services call its transitions. ``docs/state-machines.md`` draws them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from counter.constants import Procedure

from .cert_issue import CertIssueCase
from .cert_revoke import CertRevokeCase
from .pin_change import PinChangeCase
from .pin_reset import PinResetCase
from .suspension import SuspensionCase
from .suspension_lift import SuspensionLiftCase

if TYPE_CHECKING:
    from counter.models.cases import Case

WORKFLOWS: dict[str, type[Case]] = {
    Procedure.PIN_CHANGE: PinChangeCase,
    Procedure.PIN_RESET: PinResetCase,
    Procedure.CERT_ISSUE: CertIssueCase,
    Procedure.CERT_RENEW: CertIssueCase,
    Procedure.CERT_REVOKE: CertRevokeCase,
    Procedure.SUSPENSION: SuspensionCase,
    Procedure.SUSPENSION_LIFT: SuspensionLiftCase,
}


def workflow_for(case: Case) -> Case:
    """The same row, seen through its procedure's state machine."""
    case.__class__ = WORKFLOWS[case.procedure]
    return case


__all__ = [
    "WORKFLOWS",
    "CertIssueCase",
    "CertRevokeCase",
    "PinChangeCase",
    "PinResetCase",
    "SuspensionCase",
    "SuspensionLiftCase",
    "workflow_for",
]
