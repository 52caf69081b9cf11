"""The paper's life after printing: mailed, answered, returned, expired, stuck.

The supervisor console calls the ``letter_mark_*`` services, the case's visit-2
service calls :func:`letter_mark_answered`, the beat tasks call
:func:`letters_expire_overdue` and :func:`letters_flag_stuck`. A letter that
expired or came back is announced through :mod:`counter.reactions`; the
procedures react, this package never imports them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import (
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    QuerySet,
    Value,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from counter.audit import audit_record
from counter.errors import ApplicationError, NotFound
from counter.reactions import Reaction, letter_expired, letter_undeliverable
from counter.transitions import is_user

from ..models import (
    EXPIRABLE_STATES,
    STUCK_STATES,
    InquiryLetter,
    LetterState,
    PrintRun,
)
from .lifecycle import audit_refusal, lock, move

S = LetterState


def _act(action: str, letter: InquiryLetter, to: str, *, actor: Any) -> InquiryLetter:
    """Move a letter for a person; a refusal is audited as ``<action>_refused``."""
    try:
        with transaction.atomic():
            locked = lock(letter.pk)
            move(locked, to, actor=actor)
    except ApplicationError as exc:
        audit_refusal(action, exc, actor=actor, case=letter.case, obj=letter)
        raise
    return locked


def letter_mark_mailed(*, letter: InquiryLetter, actor: Any) -> InquiryLetter:
    """The printed letter was handed to the post (普通郵便・転送不要, §6.2)."""
    return _act("letter_mark_mailed", letter, S.MAILED, actor=actor)


def print_run_mark_mailed(*, print_run: PrintRun, actor: Any) -> int:
    """Every printed letter of a run was handed to the post."""
    count = 0
    for letter in print_run.letters.filter(state=S.PRINTED):
        letter_mark_mailed(letter=letter, actor=actor)
        count += 1
    return count


def letter_mark_answered(
    *, actor: Any, reference: str = "", letter: InquiryLetter | None = None
) -> InquiryLetter:
    """The answer sheet came back at visit 2 (called by the case's visit-2 service).

    Answering twice is harmless. A letter that was never rendered cannot have
    been answered: that is refused (a forged or wrong sheet).
    """
    if letter is None:
        letter = InquiryLetter.objects.filter(reference=reference.strip()).first()
        if letter is None:
            raise NotFound(
                "letter-reference-unknown",
                _("No inquiry letter has this reference code."),
                extra={"reference": reference},
            )
    if letter.state == S.ANSWERED:
        return letter
    return _act("letter_mark_answered", letter, S.ANSWERED, actor=actor)


def letter_mark_returned(*, letter: InquiryLetter, actor: Any) -> InquiryLetter:
    """The post returned the letter (宛所不明): the case is flagged for a supervisor."""
    locked = _act("letter_mark_returned", letter, S.RETURNED_UNDELIVERABLE, actor=actor)
    _tell_case(letter_undeliverable, locked, actor=actor)
    return locked


def _tell_case(
    reaction: Reaction[InquiryLetter], letter: InquiryLetter, *, actor: Any = None
) -> None:
    """Announce ``reaction`` for this letter and record that the case was told.

    The procedures react (``counter.services.visits``, connected in
    ``CounterConfig.ready()``); this module only announces it and keeps
    ``case_flagged`` on the letter.
    """
    reaction.send(letter)
    hook = f"on_{reaction.name}"
    with transaction.atomic():
        locked = lock(letter.pk)
        if not locked.case_flagged:
            locked.case_flagged = True
            locked.save(update_fields=["case_flagged", "updated_at"])
            audit_record(
                action="letter_case_flagged",
                actor=actor,
                actor_label="" if is_user(actor) else "letters",
                case=locked.case,
                obj=locked,
                data={"reference": locked.reference, "hook": hook},
            )


def on_letter_expired(letter: InquiryLetter) -> None:
    """Tell the case that its letter expired unanswered
    (docs/rules/06-agents.md §6.2)."""
    _tell_case(letter_expired, letter)


def letters_expire_overdue(*, today: dt.date | None = None) -> int:
    """Beat: letters whose second-visit deadline passed expire; cases are told."""
    today = today or timezone.localdate()
    overdue = list(
        InquiryLetter.objects.filter(
            state__in=EXPIRABLE_STATES, deadline__lt=today
        ).values_list("pk", flat=True)
    )
    count = 0
    for letter_id in overdue:
        with transaction.atomic():
            letter = lock(letter_id)
            if letter.state not in EXPIRABLE_STATES or letter.deadline >= today:
                continue
            move(
                letter,
                S.EXPIRED,
                actor_label="letters-expiry",
                code="letter-deadline-passed",
                data={"deadline": letter.deadline.isoformat()},
            )
        on_letter_expired(letter)
        count += 1
    # Letters that expired earlier but whose case was not told (a crash between).
    for letter in InquiryLetter.objects.filter(state=S.EXPIRED, case_flagged=False):
        on_letter_expired(letter)
    return count


def letters_stuck(*, now: dt.datetime | None = None) -> QuerySet[InquiryLetter]:
    """Letters in queued/rendered/printed longer than their profile allows."""
    now = now or timezone.now()
    allowed = ExpressionWrapper(
        F("municipality__profile__letter_stuck_after_hours")
        * Value(dt.timedelta(hours=1), output_field=DurationField()),
        output_field=DurationField(),
    )
    limit = ExpressionWrapper(
        Value(now, output_field=DateTimeField()) - allowed,
        output_field=DateTimeField(),
    )
    return (
        InquiryLetter.objects.filter(state__in=STUCK_STATES)
        .alias(limit=limit)
        .filter(state_changed_at__lt=F("limit"))
        .select_related("case", "office")
    )


def letters_flag_stuck(*, now: dt.datetime | None = None) -> int:
    """Beat: list stuck letters for supervisors once.

    Publishing a queued letter again is the relay's work (:mod:`.outbox`), minutes
    after its message, not hours. A letter a worker holds right now is skipped
    (``SKIP LOCKED``) and listed on the next run, so the sweep never makes the
    render task wait or give up.
    """
    now = now or timezone.now()
    count = 0
    for letter in letters_stuck(now=now):
        if letter.stuck_since is not None:
            continue
        with transaction.atomic():
            locked = (
                InquiryLetter.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("case")
                .filter(pk=letter.pk, stuck_since__isnull=True)
                .first()
            )
            if locked is None:
                continue
            locked.stuck_since = now
            locked.save(update_fields=["stuck_since", "updated_at"])
            audit_record(
                action="letter_stuck",
                actor_label="letters-sweep",
                case=locked.case,
                obj=locked,
                data={
                    "reference": locked.reference,
                    "state": locked.state,
                    "since": locked.state_changed_at.isoformat(),
                },
            )
        count += 1
    return count
