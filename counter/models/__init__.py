from .access import AccessPath, AccessRecord
from .audit import AppendOnlyError, AuditChainHead, AuditEvent
from .cases import Case, CaseStatusChange
from .counts import CaseDayCount
from .profile import ProcedureDuration
from .residents import Card, Certificate, Resident
from .tenancy import (
    ClosedDay,
    Desk,
    Municipality,
    MunicipalProfile,
    Office,
    OpeningHours,
    SpecialOpening,
    StaffProfile,
)

__all__ = [
    "AccessPath",
    "AccessRecord",
    "AppendOnlyError",
    "AuditChainHead",
    "AuditEvent",
    "Card",
    "Case",
    "CaseDayCount",
    "CaseStatusChange",
    "Certificate",
    "ClosedDay",
    "Desk",
    "Municipality",
    "MunicipalProfile",
    "Office",
    "OpeningHours",
    "ProcedureDuration",
    "Resident",
    "SpecialOpening",
    "StaffProfile",
]

from counter.letters.models import *  # noqa: E402,F401,F403
