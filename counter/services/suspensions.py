"""Suspension (一時停止) from the call centre and its lifting at the counter (§10).

The call centre works 24 h / 365 days, so no counter hours apply to
:func:`suspension_record`. What happens to the certificates is a CONFLICT in the
sources (§10): J-LIS puts both on hold, several cities revoke the signing
certificate. The operator records what the J-LIS terminal actually shows through
``certificate_outcome``; the default is J-LIS's (both on hold).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from counter.audit import audit_record
from counter.constants import (
    ApplicantRole,
    CardStatus,
    CertificateStatus,
    CertificateStatusReason,
    OfficeKind,
    Procedure,
)
from counter.errors import ApplicationError, Conflict
from counter.models import Card, Case, CaseStatusChange, Desk, Office

from .case_closing import case_complete
from .case_counts import count_case_opened
from .case_flow import case_lock, case_transition, refusals_audited
from .case_opening import case_reference
from .certificates import certificate_revoke, certificate_suspend

HOLD = "suspended"
REVOKE = "revoked"


def suspension_record(
    *,
    card: Card,
    actor: Any,
    office: Office | None = None,
    certificate_outcome: Mapping[str, str] | None = None,
    police_receipt_number: str = "",
    note: str = "",
) -> Case:
    """Record a loss or theft reported to the call centre: the card is suspended
    and its certificates put on hold (or revoked, as the operator records)."""
    outcome = {k: v for k, v in (certificate_outcome or {}).items()}
    with refusals_audited(
        "suspension_record",
        actor=actor,
        municipality=card.municipality,
        data={"card": card.pk},
    ):
        if any(v not in (HOLD, REVOKE) for v in outcome.values()):
            raise ApplicationError(
                "suspension-outcome-invalid",
                _("Record each certificate as suspended or revoked."),
            )
        if card.status == CardStatus.SUSPENDED:
            raise Conflict(
                "card-already-suspended", _("This card is already suspended.")
            )
        if card.status != CardStatus.ACTIVE:
            raise ApplicationError(
                "card-not-active",
                _("Only a card in use can be suspended (it is %(status)s).")
                % {"status": card.get_status_display()},
            )
        office = office or _main_office(card)
        with transaction.atomic():
            case = Case(
                municipality=card.municipality,
                office=office,
                resident=card.resident,
                card=card,
                reference=case_reference(timezone.localdate()),
                procedure=Procedure.SUSPENSION,
                applicant_role=ApplicantRole.HOLDER,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
            case.save()
            count_case_opened(case)
            CaseStatusChange.objects.create(
                case=case,
                from_state="",
                to_state=case.state,
                transition="open",
                actor=case.created_by,
            )
            locked = case_lock(case.pk)
            case_transition(
                locked,
                "record_suspension",
                actor=actor,
                reason=note,
                data={
                    "police_receipt_number": police_receipt_number,
                    "certificate_outcome": outcome,
                },
            )
            card.status = CardStatus.SUSPENDED
            card.status_changed_at = timezone.now()
            card.save(update_fields=["status", "status_changed_at"])
            audit_record(action="card_suspended", actor=actor, case=locked, obj=card)
            for certificate in card.certificates.filter(
                status=CertificateStatus.ACTIVE
            ):
                if outcome.get(certificate.kind, HOLD) == REVOKE:
                    certificate_revoke(
                        certificate=certificate,
                        reason=CertificateStatusReason.KEY_COMPROMISE,
                        actor=actor,
                        case=locked,
                    )
                else:
                    certificate_suspend(
                        certificate=certificate, actor=actor, case=locked
                    )
    return locked


def _main_office(card: Card) -> Office:
    office = (
        Office.objects.filter(municipality=card.municipality, kind=OfficeKind.MAIN)
        .order_by("pk")
        .first()
    )
    if office is None:
        raise ApplicationError(
            "no-main-office", _("The municipality has no main office.")
        )
    return office


def suspension_lift(*, case: Case, actor: Any, desk: Desk | None = None) -> Case:
    """Complete a lifting case at the counter (§10): the card is in use again; the
    certificates on hold end or come back as the city's rule says (§10.2)."""
    if case.procedure != Procedure.SUSPENSION_LIFT:
        raise ApplicationError(
            "wrong-procedure", _("This case is not for lifting a suspension.")
        )
    return case_complete(case=case, actor=actor, desk=desk)
