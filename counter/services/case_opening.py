"""Opening a case (受付): the reception checks, the reference, the fee.

The first phase of a case; the later phases live in :mod:`.case_documents`,
:mod:`.case_card_work` and :mod:`.case_closing`. Screens and the API import
these through :mod:`counter.services.cases`.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from typing import Any, cast

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from counter.audit import audit_record
from counter.constants import ApplicantRole, Procedure
from counter.errors import ApplicationError, Conflict, PermissionDenied
from counter.models import Card, Case, CaseStatusChange, Desk, Office, Resident
from counter.models.cases import FINAL_STATES, CaseState, RevocationKind
from counter.workflows import workflow_for
from counter.workflows.cert_issue import CertIssueCase
from counter.workflows.legal_representative import signing_certificate_barred

from . import reception
from .case_counts import count_case_opened
from .case_flow import refusals_audited
from .certificates import certificates_sync_from_issuer

_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def case_reference(on: dt.date) -> str:
    """A new case's reference: the day and six characters a clerk can read aloud."""
    tail = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(6))
    return f"C{on:%y%m%d}-{tail}"


def _fee(
    *, procedure: str, profile: Any, card_reissued_by_holder_fault: bool
) -> tuple[int, str]:
    """§4: certificates are free, except on a card re-issued through the holder's
    fault (200 yen by default; the profile holds the amounts)."""
    if procedure not in (Procedure.CERT_ISSUE, Procedure.CERT_RENEW):
        return 0, ""
    if card_reissued_by_holder_fault and procedure == Procedure.CERT_ISSUE:
        return (
            profile.reissued_card_certificate_fee_yen,
            "certificates on a card re-issued through the holder's fault (§4)",
        )
    return profile.certificate_fee_yen, ""


def case_open(
    *,
    resident: Resident,
    office: Office,
    procedure: str,
    applicant_role: str,
    actor: Any,
    desk: Desk | None = None,
    card: Card | None = None,
    pin_kinds: Sequence[str] = (),
    certificate_kinds: Sequence[str] = (),
    revocation_kind: str = "",
    applicant_name: str = "",
    applicant_address: str = "",
    applicant_relation: str = "",
    uses_jlis_answer_sheet: bool = False,
    card_reissued_by_holder_fault: bool = False,
    exception_reason: str = "",
    idempotency_key: str = "",
    at: dt.datetime | None = None,
) -> Case:
    """Reception (受付): open a case after the checks of :mod:`.reception`.

    A signing certificate for an under-15 or an adult ward (§7) is refused unless
    ``exception_reason`` is given; then the case waits for a supervisor's
    approval (:func:`case_approve_exception`). The same ``idempotency_key`` again
    returns the case already opened (a double-submitted form).
    """
    with refusals_audited(
        "case_open",
        actor=actor,
        desk=desk,
        office=office,
        data={
            "procedure": procedure,
            "applicant_role": applicant_role,
            "resident": resident.pk,
        },
    ):
        existing = _case_for_key(office, idempotency_key, resident, procedure)
        if existing is not None:
            return existing
        return _case_open(
            resident=resident,
            office=office,
            procedure=procedure,
            applicant_role=applicant_role,
            actor=actor,
            desk=desk,
            card=card,
            pin_kinds=pin_kinds,
            certificate_kinds=certificate_kinds,
            revocation_kind=revocation_kind,
            applicant_name=applicant_name,
            applicant_address=applicant_address,
            applicant_relation=applicant_relation,
            uses_jlis_answer_sheet=uses_jlis_answer_sheet,
            card_reissued_by_holder_fault=card_reissued_by_holder_fault,
            exception_reason=exception_reason,
            idempotency_key=idempotency_key,
            at=at,
        )


def _refuse_second_open_case(*, resident: Resident, procedure: str) -> None:
    """One open case per resident and procedure: Back + 受付する again must not
    start a second one beside the first (issue 15); the clerk goes on with it."""
    open_case = (
        Case.objects.filter(
            municipality_id=resident.municipality_id,
            resident=resident,
            procedure=procedure,
        )
        .exclude(state__in=FINAL_STATES)
        .order_by("created_at")
        .first()
    )
    if open_case is not None:
        raise Conflict(
            "case-already-open",
            _(
                "This resident already has an open case for this procedure "
                "(%(reference)s). Continue that case, or cancel it first."
            )
            % {"reference": open_case.reference},
            extra={"reference": open_case.reference},
        )


def _case_open(
    *,
    resident: Resident,
    office: Office,
    procedure: str,
    applicant_role: str,
    actor: Any,
    desk: Desk | None,
    card: Card | None,
    pin_kinds: Sequence[str],
    certificate_kinds: Sequence[str],
    revocation_kind: str,
    applicant_name: str,
    applicant_address: str,
    applicant_relation: str,
    uses_jlis_answer_sheet: bool,
    card_reissued_by_holder_fault: bool,
    exception_reason: str,
    idempotency_key: str,
    at: dt.datetime | None,
) -> Case:
    if procedure not in Procedure.values or applicant_role not in ApplicantRole.values:
        raise ApplicationError(
            "unknown-procedure", _("Unknown procedure or applicant role.")
        )
    if procedure == Procedure.SUSPENSION:
        raise ApplicationError(
            "suspension-by-call-centre",
            _(
                "A suspension is recorded from the call centre, "
                "not opened at the counter."
            ),
        )
    if desk is not None and desk.office_id != office.pk:
        raise PermissionDenied(
            "desk-other-office", _("This desk belongs to another office.")
        )
    day = timezone.localdate(at) if at else timezone.localdate()
    profile = office.municipality.profile
    reception.check_registered(resident=resident, office=office)
    reception.check_open(office=office, procedure=procedure, at=at)
    _refuse_second_open_case(resident=resident, procedure=procedure)
    if (
        procedure == Procedure.CERT_REVOKE
        and revocation_kind not in RevocationKind.values
    ):
        raise ApplicationError(
            "revocation-kind-missing",
            _(
                "Choose a revocation request (失効申請) "
                "or notification (失効届出) (§9)."
            ),
        )
    card = reception.check_card(
        card=card,
        resident=resident,
        procedure=procedure,
        revocation_kind=revocation_kind,
        on=day,
    )
    if procedure in reception.ISSUER_CHECKED_PROCEDURES:
        # §9.1: J-LIS's view first; its answer is kept even if reception refuses.
        certificates_sync_from_issuer(card=card, actor=actor)
    reception.check_applicant(
        resident=resident,
        applicant_role=applicant_role,
        procedure=procedure,
        applicant_name=applicant_name,
        on=day,
    )
    pins: list[str] = []
    certs: list[str] = []
    if procedure in reception.PIN_PROCEDURES:
        pins = reception.check_pin_kinds(card=card, pin_kinds=pin_kinds, on=day)
    if procedure in reception.CERTIFICATE_PROCEDURES:
        certs = reception.check_certificates(
            card=card,
            procedure=procedure,
            certificate_kinds=certificate_kinds,
            renewal_window_months=profile.renewal_window_months,
            on=day,
        )
    state = CaseState.RECEIVED
    if procedure in (Procedure.CERT_ISSUE, Procedure.CERT_RENEW):
        bar = signing_certificate_barred(
            resident=resident, certificate_kinds=certs, profile=profile, on=day
        )
        if bar is not None:
            if not exception_reason.strip():
                raise ApplicationError(bar.code, bar.message)
            state = CaseState.AWAITING_APPROVAL
    fee, fee_reason = _fee(
        procedure=procedure,
        profile=profile,
        card_reissued_by_holder_fault=card_reissued_by_holder_fault,
    )
    try:
        with transaction.atomic():
            case = Case(
                municipality=office.municipality,
                office=office,
                desk=desk,
                resident=resident,
                card=card,
                reference=case_reference(day),
                procedure=procedure,
                applicant_role=applicant_role,
                state=state,
                pin_kinds=pins,
                certificate_kinds=certs,
                revocation_kind=revocation_kind
                if procedure == Procedure.CERT_REVOKE
                else "",
                applicant_name=applicant_name.strip(),
                applicant_address=applicant_address.strip(),
                applicant_relation=applicant_relation.strip(),
                uses_jlis_answer_sheet=bool(uses_jlis_answer_sheet),
                fee_yen=fee,
                fee_reason=fee_reason,
                exception_reason=exception_reason.strip()
                if state != CaseState.RECEIVED
                else "",
                idempotency_key=idempotency_key,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
            if procedure in (Procedure.CERT_ISSUE, Procedure.CERT_RENEW):
                machine = cast(CertIssueCase, workflow_for(case))
                case.certificate_plan = machine.plan_certificates(day)
            case.save()
            count_case_opened(case)
            CaseStatusChange.objects.create(
                case=case,
                from_state="",
                to_state=state,
                transition="open",
                actor=case.created_by,
                desk=desk,
            )
            audit_record(
                action="case_opened",
                actor=actor,
                desk=desk,
                case=case,
                obj=case,
                data={
                    "procedure": procedure,
                    "applicant_role": applicant_role,
                    "state": state,
                    "pin_kinds": pins,
                    "certificate_kinds": certs,
                    "fee_yen": fee,
                },
            )
    except IntegrityError:
        existing = _case_for_key(office, idempotency_key, resident, procedure)
        if existing is None:
            raise
        return existing
    return workflow_for(case)


def _case_for_key(
    office: Office, key: str, resident: Resident, procedure: str
) -> Case | None:
    """The case a repeated reception form already opened; the same key for
    another person or procedure is a client error, not a repeat."""
    if not key:
        return None
    existing = Case.objects.filter(
        municipality_id=office.municipality_id, idempotency_key=key
    ).first()
    if existing is None:
        return None
    if existing.resident_id != resident.pk or existing.procedure != procedure:
        raise Conflict(
            "idempotency-key-reused",
            _("This form was already used to open another case; reload the form."),
            extra={"case": existing.reference},
        )
    return workflow_for(existing)
