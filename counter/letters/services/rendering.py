"""Rendering a letter: its data, the office block, the render task's work, retry.

The Celery task :func:`counter.letters.tasks.render_inquiry_letter` calls
:func:`letter_render` and, when it gives up, :func:`letter_render_failed`; the
supervisor console calls :func:`letter_retry`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.database.kept import bytes_bound_on_server
from counter.audit import audit_record
from counter.calendar import weekly_hours
from counter.constants import Procedure
from counter.errors import ApplicationError, Conflict
from counter.models import Office

from ..content import LetterData, OfficeInfo, case_pin_rows
from ..models import InquiryLetter, LetterState
from ..render import letter_pdf
from .lifecycle import audit_refusal, enqueue_render_on_commit, flag, lock, move
from .requests import letter_address, snapshot

S = LetterState
_ERROR_FIELDS = ["attempts", "issued_on", "error_code", "error_message"]
#: Rendering attempts a letter gets before it fails (the task's first run + 5 retries).
RENDER_MAX_ATTEMPTS = 6


class LetterRenderError(Exception):
    """A rendering attempt failed for a reason a retry may cure."""


def office_info(office: Office) -> OfficeInfo:
    """Sender, office, phone and hours for the letter, from the profile data."""
    municipality = office.municipality
    hours = _hours_lines(office)
    return OfficeInfo(
        municipality=municipality.name,
        sender=f"{municipality.name}長",
        office=" ".join(p for p in (office.name, office.counter_name) if p),
        address=office.address,
        phone=office.phone,
        hours=tuple(hours),
    )


def _hhmm(t: dt.time) -> str:
    return f"{t.hour}時{t.minute:02d}分" if t.minute else f"{t.hour}時"


def _merged(ranges: list[tuple[dt.time, dt.time]]) -> list[tuple[dt.time, dt.time]]:
    """Overlapping, touching and repeated slots of one day as one range each."""
    merged: list[tuple[dt.time, dt.time]] = []
    for opens, closes in sorted(ranges):
        if merged and opens <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], closes))
        else:
            merged.append((opens, closes))
    return merged


def _day_names(days: list[int]) -> str:
    """月～水・金曜日: runs of three or more days with ～, the rest with ・."""
    names = "月火水木金土日"
    runs: list[list[int]] = []
    for d in days:
        if runs and d == runs[-1][-1] + 1:
            runs[-1].append(d)
        else:
            runs.append([d])
    parts = [
        f"{names[r[0]]}～{names[r[-1]]}"
        if len(r) >= 3
        else "・".join(names[d] for d in r)
        for r in runs
    ]
    return "・".join(parts) + "曜日"


def _hours_lines(office: Office) -> list[str]:
    """平日 8時30分～17時15分 / 土曜日 8時30分～12時 from the weekly opening hours.

    A day's slots are merged (a city-wide and an office's own slot may overlap),
    and days with the same hours share one line, so each day is named once.
    """
    ranges: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for slot in weekly_hours(office):  # the process's copy of the city's calendar
        ranges.setdefault(slot.weekday, []).append((slot.opens, slot.closes))
    by_day = {
        day: ", ".join(f"{_hhmm(a)}～{_hhmm(b)}" for a, b in _merged(slots_of_day))
        for day, slots_of_day in sorted(ranges.items())
    }
    lines: list[str] = []
    if all(by_day.get(d) == by_day.get(0) for d in range(5)) and 0 in by_day:
        lines.append(f"平日 {by_day[0]}")
        by_day = {d: h for d, h in by_day.items() if d >= 5}
    days_of: dict[str, list[int]] = {}
    for day, hours in by_day.items():
        days_of.setdefault(hours, []).append(day)
    lines += [f"{_day_names(days)} {hours}" for hours, days in days_of.items()]
    return lines or ["受付時間はお問い合わせください"]


def letter_data(letter: InquiryLetter) -> LetterData:
    """Everything the renderer needs, from the letter's snapshot."""
    return LetterData(
        reference_code=letter.reference,
        procedure=Procedure(letter.procedure),
        address=letter_address(letter),
        agent_name=letter.agent_name,
        first_visit=letter.first_visit_on,
        deadline=letter.deadline,
        issued_on=letter.issued_on or timezone.localdate(),
        office=office_info(letter.office),
        # §6.4: exactly the PINs the card step asks at visit 2.
        pin_rows=case_pin_rows(letter.case),
    )


def letter_render(*, letter_id: int, final_attempt: bool = False) -> InquiryLetter:
    """Render one queued letter (idempotent; single flight per letter).

    A letter that is not queued is returned as it is. A coded refusal from the
    layout (an unprintable name, an address that no longer fits) flags the
    letter. Any other error is recorded and raised as :class:`LetterRenderError`
    for the task to retry; on the final attempt the letter fails (terminal,
    visible, retryable by a supervisor).
    """
    error: Exception | None = None
    with transaction.atomic():
        letter = lock(letter_id, nowait=True)
        if letter.state != S.QUEUED:
            return letter
        letter.attempts += 1
        # Bounded by the letter, not the message: a re-published message (the
        # outbox relay) starts its own retry count but not a new allowance.
        final_attempt = final_attempt or letter.attempts >= RENDER_MAX_ATTEMPTS
        letter.issued_on = letter.issued_on or timezone.localdate()
        try:
            pdf = letter_pdf(letter_data(letter))
        except ApplicationError as exc:  # the data needs a person, not a retry
            flag(letter, exc, actor_label="letters")
            return letter
        except Exception as exc:  # noqa: BLE001 - recorded, then retried by the task
            letter.error_code = "letter-render-error"
            letter.error_message = f"{type(exc).__name__}: {exc}"[:500]
            error = exc
            if final_attempt:
                move(
                    letter,
                    S.FAILED,
                    actor_label="letters",
                    code="letter-render-error",
                    data={"attempts": letter.attempts},
                    fields=_ERROR_FIELDS,
                )
            else:
                letter.save(update_fields=[*_ERROR_FIELDS, "updated_at"])
        else:
            letter.pdf = pdf
            letter.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
            letter.error_code = letter.error_message = ""
            # The PDF as a binary parameter, not a hex literal (ADR 0041).
            with bytes_bound_on_server(connection):
                move(
                    letter,
                    S.RENDERED,
                    actor_label="letters",
                    data={"bytes": len(pdf), "attempts": letter.attempts},
                    fields=[*_ERROR_FIELDS, "pdf", "pdf_sha256"],
                )
    if error is not None and not final_attempt:
        raise LetterRenderError(str(error)) from error
    return letter


def letter_render_failed(
    *, letter_id: int, error: str, code: str = "letter-render-error"
) -> InquiryLetter:
    """The task gave up (time limit, database or broker still failing after the
    last retry): the letter fails visibly with ``code``, retryable by a supervisor."""
    with transaction.atomic():
        letter = lock(letter_id)
        if letter.state != S.QUEUED:
            return letter
        letter.error_code = code
        letter.error_message = error[:500]
        return move(
            letter,
            S.FAILED,
            actor_label="letters",
            code=code,
            fields=["error_code", "error_message"],
        )


def letter_retry(*, letter: InquiryLetter, actor: Any) -> InquiryLetter:
    """A supervisor retries a failed, flagged or stuck-queued letter.

    The counter of attempts starts again and the snapshot is taken again from
    the case, so a substitute-character name (代替文字) registered in the
    meantime is used.
    """
    try:
        with transaction.atomic():
            locked = lock(letter.pk)
            if locked.state == S.QUEUED:
                audit_record(
                    action="letter_requeued",
                    actor=actor,
                    case=locked.case,
                    obj=locked,
                    data={"reference": locked.reference},
                )
                enqueue_render_on_commit(locked.pk)
                return locked
            if locked.state not in (S.FAILED, S.FLAGGED):
                raise Conflict(
                    "letter-not-retryable",
                    _("Only a failed, flagged or waiting letter can be retried."),
                    extra={"reference": locked.reference, "state": locked.state},
                )
            snapshot(locked, locked.case)
            locked.attempts = 0
            locked.error_code = locked.error_message = ""
            move(
                locked,
                S.QUEUED,
                actor=actor,
                code="retry",
                fields=[
                    "attempts",
                    "error_code",
                    "error_message",
                    "recipient_name",
                    "recipient_postal_code",
                    "recipient_address",
                    "agent_name",
                ],
            )
            enqueue_render_on_commit(locked.pk)
    except ApplicationError as exc:
        audit_refusal("letter_retry", exc, actor=actor, case=letter.case, obj=letter)
        raise
    letter.refresh_from_db()
    return letter
