"""The voluntary agent's two visits (§6.2): inquiry letter, second visit, expiry.

``case_send_inquiry`` ends visit 1: the deadline comes from the municipal profile
(§17.2, a setting) and the letter is requested from counter.letters, whose
reference code (printed as a QR code) finds the case again at visit 2.
``case_second_visit`` is what the clerk's scan of that code calls. Letters that
pass their deadline call :func:`on_letter_expired`; the beat sweep
:func:`cases_expire_overdue` catches cases whose letter never came back.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from counter.audit import audit_batch, audit_record
from counter.calendar import next_open_day
from counter.errors import ApplicationError, NotFound
from counter.letters.services import (
    letter_mark_answered,
    letter_request,
    reference_is_well_formed,
)
from counter.models import Case, Desk
from counter.models.cases import CaseState

from . import reception
from .answer_by_post import check_answer_came_by_post
from .case_flow import case_check, case_lock, case_transition, refusals_audited
from .certificates import certificates_sync_from_issuer


def second_visit_deadline(*, case: Case, on: dt.date | None = None) -> dt.date:
    """The last day the agent may come back: ``inquiry_deadline_days`` after the
    first visit, moved on to the next day the office accepts the procedure when
    it would fall on a closed day (a Sunday, a holiday, the year-end closure)."""
    on = on or timezone.localdate()
    deadline = on + dt.timedelta(days=case.municipality.profile.inquiry_deadline_days)
    return next_open_day(office=case.office, day=deadline, procedure=case.procedure)


#: The columns ``send_inquiry`` changes besides the state (workflows.voluntary_agent).
_SEND_INQUIRY_FIELDS = ("second_visit_deadline", "letter_reference", "updated_at")


def case_send_inquiry(*, case: Case, actor: Any, desk: Desk | None = None) -> Case:
    """End visit 1: request the inquiry letter to the holder's registered address.

    The letter's and the case's audit entries go to the chain in one statement at
    the end of the transaction, after the row locks (ADR 0028).
    """
    with (
        refusals_audited("case_send_inquiry", actor=actor, desk=desk, case=case),
        transaction.atomic(),
        audit_batch(),
    ):
        locked = case_lock(case.pk)
        # Guards before the letter, so a refused step requests no letter. The
        # same clerk's double-submitted form is a harmless repeat (the letter is
        # on its way); another clerk is refused with case-state-conflict.
        if case_check(locked, "send_inquiry", actor=actor) is None:
            return locked
        deadline = second_visit_deadline(case=locked)
        letter = letter_request(case=locked, deadline=deadline, actor=actor)
        case_transition(
            locked,
            "send_inquiry",
            actor=actor,
            desk=desk,
            deadline=deadline,
            letter_reference=letter.reference,
            data={"deadline": deadline.isoformat(), "letter": letter.pk},
            # What the step writes, not every column of the row (ADR 0028).
            fields=_SEND_INQUIRY_FIELDS,
        )
    return locked


def case_find_by_letter(*, reference: str, actor: Any) -> Case:
    """The case an inquiry letter belongs to, within what ``actor`` may see."""
    reference = (reference or "").strip()
    if reference and not reference_is_well_formed(reference):
        # Not a code any letter carries (a mistyped digit fails the check digit):
        # say so, rather than "no case waits for it".
        raise ApplicationError(
            "letter-reference-malformed",
            _(
                "This is not a letter reference code: it has 12 digits like "
                "1234-5678-9012. Scan the QR code again or check each digit."
            ),
            extra={"reference": reference[:64]},
        )
    case = (
        Case.objects.visible_to(actor)
        .filter(letter_reference=reference)
        .exclude(letter_reference="")
        .first()
        if reference
        else None
    )
    if case is None:
        raise NotFound(
            "letter-reference-unknown",
            _("No case waits for a letter with this reference code."),
            extra={"reference": reference},
        )
    return case


def case_second_visit(
    *, reference: str, actor: Any, desk: Desk, at: dt.datetime | None = None
) -> Case:
    """Visit 2, found by the letter's reference code (the clerk scans the QR code).

    Past the deadline the case expires (committed) and the clerk is told so.
    """
    with refusals_audited(
        "case_second_visit", actor=actor, desk=desk, data={"reference": reference}
    ):
        case = case_find_by_letter(reference=reference, actor=actor)
        reception.check_registered(resident=case.resident, office=desk.office)
        reception.check_open(office=desk.office, procedure=case.procedure, at=at)
        day = timezone.localdate(at) if at else timezone.localdate()
        if (
            case.state == CaseState.AWAITING_SECOND_VISIT
            and case.second_visit_deadline is not None
            and day > case.second_visit_deadline
        ):
            _expire(case, code="second-visit-deadline-passed", actor=actor, desk=desk)
            raise ApplicationError(
                "second-visit-deadline-passed",
                _(
                    "The deadline for the second visit (%(deadline)s) has passed; the "
                    "application has expired and must be made again."
                )
                % {"deadline": case.second_visit_deadline.isoformat()},
                extra={"case": case.reference},
            )
        check_answer_came_by_post(case=case, day=day)
        if case.card is not None:
            # §9.1 again: between the visits the holder may have revoked at home,
            # reset a PIN at a kiosk (§11.2) or registered a phone (§12.1).
            certificates_sync_from_issuer(card=case.card, actor=actor, case=case)
        with transaction.atomic():
            locked = case_lock(case.pk)
            case_transition(
                locked,
                "second_visit",
                actor=actor,
                desk=desk,
                at_desk=desk,
                data={"reference": reference},
            )
            if not getattr(locked, "_replayed", False):
                # A letter never rendered cannot have come back: refused, rolled back.
                letter_mark_answered(reference=locked.letter_reference, actor=actor)
    return locked


def _expire(
    case: Case,
    *,
    code: str,
    actor: Any = None,
    desk: Desk | None = None,
    actor_label: str = "",
) -> Case:
    with transaction.atomic():
        locked = case_lock(case.pk)
        if locked.state != CaseState.AWAITING_SECOND_VISIT:
            return locked
        case_transition(
            locked,
            "expire",
            actor=actor,
            actor_label=actor_label,
            desk=desk,
            code=code,
            data={"code": code},
        )
    return locked


def on_letter_expired(letter: Any) -> Case | None:
    """Hook for counter.letters: the letter's deadline passed unanswered (§6.2)."""
    case_id = getattr(letter, "case_id", None)
    if case_id is None:
        return None
    case = Case.objects.get(pk=case_id)
    return _expire(case, code="inquiry-letter-expired", actor_label="letters")


def on_letter_undeliverable(letter: Any) -> Case | None:
    """Hook for counter.letters: returned 宛所不明. The case is flagged for a
    supervisor; the agent cannot come back with an answer that never arrived."""
    case_id = getattr(letter, "case_id", None)
    if case_id is None:
        return None
    with transaction.atomic():
        case = case_lock(case_id)
        if "letter-undeliverable" not in (case.flags or []):
            case.flags = [*(case.flags or []), "letter-undeliverable"]
            case.save(update_fields=["flags", "updated_at"])
            audit_record(
                action="case_flagged",
                actor_label="letters",
                case=case,
                obj=case,
                data={"flag": "letter-undeliverable"},
            )
    return case


def cases_expire_overdue(*, today: dt.date | None = None) -> int:
    """Beat sweep: cases past their second-visit deadline expire (idempotent)."""
    today = today or timezone.localdate()
    count = 0
    overdue = Case.objects.filter(
        state=CaseState.AWAITING_SECOND_VISIT, second_visit_deadline__lt=today
    ).values_list("pk", flat=True)
    for case_id in list(overdue):
        case = Case.objects.get(pk=case_id)
        expired = _expire(
            case, code="second-visit-deadline-passed", actor_label="sweep"
        )
        count += int(expired.state == CaseState.EXPIRED)
    return count
