"""Who may apply for whom: holders, legal representatives (one visit, with proof)
and the signing-certificate bar for children under 15 and adult wards.

Checked at reception, before a case exists, so a refusal is specific:

- §6.1: a legal representative acts for a minor (parental authority, minor's
  guardian) or an adult ward (adult guardian), in one visit, with proof of
  authority (the documents themselves are checked by identity_docs, §5.2).
- §2, §6.1: for a child under 15 or an adult ward the legal representative
  applies (sets the PINs, accompanies a revocation); the holder alone may not.
- §7: no signing certificate for a child under 15 or an adult ward "in principle";
  only a supervisor's approved exception with its reason lets it go ahead.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_fsm import transition

from counter.constants import ApplicantRole, CertificateKind, Procedure
from counter.models.cases import CaseState
from counter.models.residents import Resident
from counter.models.tenancy import MunicipalProfile

from .base import APPROVE_EXCEPTIONS, _MachineBase

S = CaseState

#: §3: card validity switches at 18; a person under 18 is a minor (民法4条).
AGE_OF_MAJORITY = 18


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str | Promise


def needs_legal_representative(resident: Resident, on: dt.date) -> bool:
    """Under 15 or an adult ward: the legal representative must act (§2, §6.1)."""
    return resident.is_adult_ward or resident.age_on(on) < 15


def role_refusal(
    *, resident: Resident, applicant_role: str, procedure: str, on: dt.date
) -> Refusal | None:
    """Why this applicant may not act for this resident, or ``None``."""
    if applicant_role == ApplicantRole.LEGAL_REPRESENTATIVE:
        if not resident.is_adult_ward and resident.age_on(on) >= AGE_OF_MAJORITY:
            return Refusal(
                "no-legal-representative",
                _(
                    "An adult who is not an adult ward has no legal representative; "
                    "a voluntary agent uses the inquiry method instead."
                ),
            )
        return None
    if (
        applicant_role == ApplicantRole.HOLDER
        and procedure != Procedure.SUSPENSION
        and needs_legal_representative(resident, on)
    ):
        return Refusal(
            "legal-representative-required",
            _(
                "For a child under 15 or an adult ward the legal representative "
                "must apply at the counter."
            ),
        )
    return None


def signing_certificate_barred(
    *,
    resident: Resident,
    certificate_kinds: list[str],
    profile: MunicipalProfile,
    on: dt.date,
) -> Refusal | None:
    """§7: the bar on signing certificates, or ``None`` when it does not apply."""
    if CertificateKind.SIGNING not in certificate_kinds:
        return None
    if resident.is_adult_ward:
        return Refusal(
            "signing-certificate-barred-adult-ward",
            _(
                "A signing certificate is not issued to an adult ward unless a "
                "supervisor approves an exception with its reason."
            ),
        )
    if resident.age_on(on) < profile.signing_certificate_minimum_age:
        return Refusal(
            "signing-certificate-barred-under-age",
            _(
                "A signing certificate is not issued to a child under "
                "%(age)d unless a supervisor approves an exception with its reason."
            )
            % {"age": profile.signing_certificate_minimum_age},
        )
    return None


class SigningExceptionMachine(_MachineBase):
    """The supervisor's decision on a barred signing certificate (§7)."""

    # §7: a signing certificate for an under-15 or an adult ward only with a
    # supervisor's approved exception, recorded with its reason.
    @transition(
        field="state",
        custom={"rules": "§7"},
        source=S.AWAITING_APPROVAL,
        target=S.RECEIVED,
        permission=APPROVE_EXCEPTIONS,
    )
    def approve_exception(self, *, approver: Any, note: str) -> None:
        self.exception_approved_by = approver
        self.exception_approved_at = timezone.now()
        self.exception_approval_note = note
