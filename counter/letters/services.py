"""Inquiry-letter services: request, render, print run, mail, answer, return, expire.

Callers: :func:`letter_request` from the case's visit-1 service
(``counter.services.visits.case_send_inquiry``), :func:`letter_mark_answered` from
visit 2; the Celery tasks in :mod:`counter.letters.tasks` call :func:`letter_render`,
:func:`print_run_create`, :func:`letters_expire_overdue` and
:func:`letters_flag_stuck`; the supervisor admin calls the ``letter_mark_*``,
:func:`letter_retry` and :func:`print_run_create`.

Every state change goes through :func:`_transition` (history row + audit event);
refusals are audited after their rollback (style.md §3 items 7, 8).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import logging
import secrets
from collections.abc import Iterable
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.db.models import (
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Value,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from counter.audit import audit_record
from counter.errors import ApplicationError, Conflict, NotFound
from counter.models import Case, Municipality, Office
from counter.models.cases import CaseState
from counter.reactions import Reaction, letter_expired, letter_undeliverable

from .address import PostalAddress
from .barcode import split_address
from .content import KIND_OF, LetterData, OfficeInfo, pin_rows_for
from .models import InquiryLetter, LetterState, LetterStatusChange, PrintRun
from .render import letter_pdf, letters_pdf

logger = logging.getLogger(__name__)

S = LetterState
# Allowed transitions (rules.md §6.2 for the paper's life; style.md §3.8 for
# failed/flagged/retry).
TRANSITIONS: dict[str, frozenset[str]] = {
    S.QUEUED: frozenset({S.RENDERED, S.FAILED, S.FLAGGED, S.EXPIRED}),
    S.RENDERED: frozenset({S.PRINTED, S.ANSWERED, S.EXPIRED}),
    S.PRINTED: frozenset({S.MAILED, S.ANSWERED, S.RETURNED_UNDELIVERABLE, S.EXPIRED}),
    S.MAILED: frozenset({S.ANSWERED, S.RETURNED_UNDELIVERABLE, S.EXPIRED}),
    S.FAILED: frozenset({S.QUEUED, S.EXPIRED}),
    S.FLAGGED: frozenset({S.QUEUED, S.EXPIRED}),
    S.ANSWERED: frozenset(),
    S.RETURNED_UNDELIVERABLE: frozenset(),
    S.EXPIRED: frozenset(),
}
STUCK_STATES = (S.QUEUED, S.RENDERED, S.PRINTED)
EXPIRABLE_STATES = (S.QUEUED, S.RENDERED, S.PRINTED, S.MAILED, S.FAILED, S.FLAGGED)
LETTER_PROCEDURE_ROLES = ("voluntary_agent",)


class LetterRenderError(Exception):
    """A rendering attempt failed for a reason a retry may cure."""


# ----------------------------------------------------------------- transitions


def _is_user(actor: Any) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def _transition(
    letter: InquiryLetter,
    to: str,
    *,
    actor: Any = None,
    actor_label: str = "",
    code: str = "",
    data: dict[str, Any] | None = None,
    fields: Iterable[str] = (),
) -> InquiryLetter:
    """Move ``letter`` (locked by the caller) to ``to``; history and audit."""
    source = letter.state
    if to not in TRANSITIONS[source]:
        raise Conflict(
            "letter-transition-not-allowed",
            _("The letter is %(state)s; it cannot become %(target)s.")
            % {"state": LetterState(source).label, "target": LetterState(to).label},
            extra={"reference": letter.reference, "from": source, "to": to},
        )
    now = timezone.now()
    letter.state = to
    letter.state_changed_at = now
    letter.stuck_since = None
    letter.save(
        update_fields=[
            "state",
            "state_changed_at",
            "stuck_since",
            "updated_at",
            *fields,
        ]
    )
    LetterStatusChange.objects.create(
        letter=letter,
        from_state=source,
        to_state=to,
        actor=actor if _is_user(actor) else None,
        actor_label=actor_label,
        code=code,
    )
    audit_record(
        action=f"letter_{to}",
        actor=actor,
        actor_label=actor_label,
        case=letter.case,
        obj=letter,
        data={
            "reference": letter.reference,
            "from": source,
            "to": to,
            **({"code": code} if code else {}),
            **(data or {}),
        },
    )
    return letter


def _lock(letter_id: int, *, nowait: bool = False) -> InquiryLetter:
    """Lock one letter row (single flight); call inside ``transaction.atomic()``."""
    try:
        return (
            InquiryLetter.objects.select_for_update(nowait=nowait, of=("self",))
            .select_related("case", "office", "municipality__profile")
            .get(pk=letter_id)
        )
    except InquiryLetter.DoesNotExist:
        raise NotFound("letter-not-found", _("No such inquiry letter.")) from None
    except DatabaseError:
        raise Conflict(
            "letter-busy",
            _("This letter is being processed right now; try again in a moment."),
        ) from None


def _audit_refusal(action: str, exc: ApplicationError, **context: Any) -> None:
    """Record a refused letter action; called after the rolled-back block."""
    audit_record(
        action=f"{action}_refused",
        data={"code": exc.code, "extra": exc.extra},
        **context,
    )


# ------------------------------------------------------------------- request


def _new_reference() -> str:
    """Twelve digits, the last a check digit, shown as 1234-5678-9012.

    Digits only: easy to read out on the phone and to type if the QR code is
    damaged; the check digit catches a mistyped digit.
    """
    while True:
        body = f"{secrets.randbelow(10**11):011d}"
        check = _check_digit(body)
        code = f"{body[:4]}-{body[4:8]}-{body[8:]}{check}"
        if not InquiryLetter.objects.filter(reference=code).exists():
            return code


def _check_digit(body: str) -> int:
    """Luhn check digit."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return -total % 10


def reference_is_well_formed(reference: str) -> bool:
    digits = reference.replace("-", "")
    return (
        len(digits) == 12
        and digits.isdigit()
        and _check_digit(digits[:11]) == int(digits[11])
    )


def _snapshot(letter: InquiryLetter, case: Case) -> None:
    """Copy what the letter prints from the case and resident (as stored)."""
    resident = case.resident
    letter.recipient_name = resident.display_name
    letter.recipient_postal_code = resident.postal_code
    letter.recipient_address = resident.address_substitute or resident.address
    letter.agent_name = case.applicant_name


def letter_address(letter: InquiryLetter) -> PostalAddress:
    """The validated address block; raises a coded ApplicationError."""
    town_area, block = split_address(letter.recipient_address)
    return PostalAddress.build(
        postal_code=letter.recipient_postal_code,
        town_area=town_area,
        block=block,
        name=letter.recipient_name,
    )


def letter_request(
    *,
    case: Case,
    deadline: dt.date,
    actor: Any = None,
    desk: Any = None,
    first_visit_on: dt.date | None = None,
) -> InquiryLetter:
    """Queue the inquiry letter of the case's current visit (rules.md §6.2).

    Refused for a cancelled or closed case, for a second letter of the same visit,
    and for an address that cannot be mailed (postal code, length). A name the font
    cannot print does not refuse: the letter is kept and flagged for a supervisor.
    Rendering is scheduled on commit; if the broker is down the letter stays
    queued and the stuck-letter sweep queues it again, so the visit can finish.
    """
    try:
        with transaction.atomic():
            letter = _letter_request(
                case=case,
                deadline=deadline,
                actor=actor,
                first_visit_on=first_visit_on,
            )
    except ApplicationError as exc:
        _audit_refusal("letter_request", exc, actor=actor, desk=desk, case=case)
        raise
    return letter


def _letter_request(
    *, case: Case, deadline: dt.date, actor: Any, first_visit_on: dt.date | None
) -> InquiryLetter:
    if case.state == CaseState.CANCELLED:
        raise Conflict(
            "letter-case-cancelled",
            _("The case was cancelled; no inquiry letter is sent for it."),
            extra={"case": case.reference},
        )
    if case.state in (CaseState.COMPLETED, CaseState.REFUSED, CaseState.EXPIRED):
        raise Conflict(
            "letter-case-closed",
            _("The case is closed; no inquiry letter is sent for it."),
            extra={"case": case.reference, "state": case.state},
        )
    if case.procedure not in {p.value for p in KIND_OF}:
        raise ApplicationError(
            "letter-procedure-without-inquiry",
            _("This procedure has no inquiry letter."),
            extra={"procedure": case.procedure},
        )
    existing = (
        InquiryLetter.objects.filter(case=case, visit=case.visit)
        .only("reference")
        .first()
    )
    if existing is not None:
        raise Conflict(
            "letter-already-requested",
            _(
                "An inquiry letter for this visit was already requested "
                "(reference %(reference)s). Retry that letter instead of "
                "requesting a second one."
            )
            % {"reference": existing.reference},
            extra={"reference": existing.reference},
        )
    if not case.applicant_name:
        raise ApplicationError(
            "letter-agent-name-missing",
            _("Enter the agent's name before sending the inquiry letter."),
        )
    letter = InquiryLetter(
        municipality_id=case.municipality_id,
        office_id=case.office_id,
        case=case,
        visit=case.visit,
        reference=_new_reference(),
        kind=KIND_OF[case.procedure].value,  # type: ignore[index]
        procedure=case.procedure,
        state=S.QUEUED,
        state_changed_at=timezone.now(),
        first_visit_on=first_visit_on or timezone.localdate(),
        deadline=deadline,
        created_by=actor if _is_user(actor) else None,
    )
    _snapshot(letter, case)
    flag: ApplicationError | None = None
    try:
        letter_address(letter)
    except ApplicationError as exc:
        if exc.code not in {
            "letter-character-not-in-font",
            "letter-variation-selector",
        }:
            raise  # the clerk fixes postal code or address at the desk, now
        flag = exc
    letter.save()
    LetterStatusChange.objects.create(
        letter=letter,
        to_state=S.QUEUED,
        actor=actor if _is_user(actor) else None,
    )
    audit_record(
        action="letter_queued",
        actor=actor,
        case=case,
        obj=letter,
        data={
            "reference": letter.reference,
            "visit": letter.visit,
            "deadline": deadline.isoformat(),
        },
    )
    if flag is not None:
        _flag(letter, flag, actor=actor)
    else:
        _enqueue_render_on_commit(letter.pk)
    return letter


def _flag(letter: InquiryLetter, exc: ApplicationError, **who: Any) -> None:
    letter.error_code = exc.code
    letter.error_message = str(exc.message)
    _transition(
        letter,
        S.FLAGGED,
        code=exc.code,
        data={"extra": exc.extra},
        fields=["error_code", "error_message", "attempts"],
        **who,
    )


def _enqueue_render_on_commit(letter_id: int) -> None:
    def enqueue() -> None:
        from .tasks import render_inquiry_letter

        try:
            render_inquiry_letter.delay(letter_id)
        except Exception:  # broker down: the letter stays queued, the sweep requeues
            logger.warning("letter %s stays queued: broker unreachable", letter_id)

    transaction.on_commit(enqueue)


# -------------------------------------------------------------------- render


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


def _hours_lines(office: Office) -> list[str]:
    """平日 8時30分～17時15分 / 土曜日 8時30分～12時 from the weekly opening hours."""
    from counter.models import OpeningHours

    slots = OpeningHours.objects.filter(
        profile__municipality_id=office.municipality_id
    ).filter(Q(office__isnull=True) | Q(office=office))
    by_day: dict[int, list[str]] = {}
    for slot in slots.order_by("weekday", "opens"):
        by_day.setdefault(slot.weekday, []).append(
            f"{_hhmm(slot.opens)}～{_hhmm(slot.closes)}"
        )
    names = "月火水木金土日"
    lines: list[str] = []
    weekdays = [", ".join(by_day.get(d, [])) for d in range(5)]
    if weekdays[0] and len(set(weekdays)) == 1:
        lines.append(f"平日 {weekdays[0]}")
    else:
        lines += [f"{names[d]}曜日 {weekdays[d]}" for d in range(5) if weekdays[d]]
    lines += [f"{names[d]}曜日 {', '.join(by_day[d])}" for d in (5, 6) if d in by_day]
    return lines[:3] or ["受付時間はお問い合わせください"]


def letter_data(letter: InquiryLetter) -> LetterData:
    """Everything the renderer needs, from the letter's snapshot."""
    from counter.constants import Procedure

    return LetterData(
        reference_code=letter.reference,
        procedure=Procedure(letter.procedure),
        address=letter_address(letter),
        agent_name=letter.agent_name,
        first_visit=letter.first_visit_on,
        deadline=letter.deadline,
        issued_on=letter.issued_on or timezone.localdate(),
        office=office_info(letter.office),
        pin_rows=pin_rows_for(letter.procedure, letter.case.pin_kinds or ()),
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
        letter = _lock(letter_id, nowait=True)
        if letter.state != S.QUEUED:
            return letter
        letter.attempts += 1
        letter.issued_on = letter.issued_on or timezone.localdate()
        try:
            pdf = letter_pdf(letter_data(letter))
        except ApplicationError as exc:  # the data needs a person, not a retry
            _flag(letter, exc, actor_label="letters")
            return letter
        except Exception as exc:  # noqa: BLE001 - recorded, then retried by the task
            letter.error_code = "letter-render-error"
            letter.error_message = f"{type(exc).__name__}: {exc}"[:500]
            error = exc
            if final_attempt:
                _transition(
                    letter,
                    S.FAILED,
                    actor_label="letters",
                    code="letter-render-error",
                    data={"attempts": letter.attempts},
                    fields=["attempts", "issued_on", "error_code", "error_message"],
                )
            else:
                letter.save(
                    update_fields=[
                        "attempts",
                        "issued_on",
                        "error_code",
                        "error_message",
                        "updated_at",
                    ]
                )
        else:
            letter.pdf = pdf
            letter.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
            letter.error_code = letter.error_message = ""
            _transition(
                letter,
                S.RENDERED,
                actor_label="letters",
                data={"bytes": len(pdf), "attempts": letter.attempts},
                fields=[
                    "attempts",
                    "issued_on",
                    "pdf",
                    "pdf_sha256",
                    "error_code",
                    "error_message",
                ],
            )
    if error is not None and not final_attempt:
        raise LetterRenderError(str(error)) from error
    return letter


def letter_render_failed(*, letter_id: int, error: str) -> InquiryLetter:
    """The task gave up (e.g. time limit): the letter fails visibly."""
    with transaction.atomic():
        letter = _lock(letter_id)
        if letter.state != S.QUEUED:
            return letter
        letter.error_code = "letter-render-error"
        letter.error_message = error[:500]
        return _transition(
            letter,
            S.FAILED,
            actor_label="letters",
            code="letter-render-error",
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
            locked = _lock(letter.pk)
            if locked.state == S.QUEUED:
                audit_record(
                    action="letter_requeued",
                    actor=actor,
                    case=locked.case,
                    obj=locked,
                    data={"reference": locked.reference},
                )
                _enqueue_render_on_commit(locked.pk)
                return locked
            if locked.state not in (S.FAILED, S.FLAGGED):
                raise Conflict(
                    "letter-not-retryable",
                    _("Only a failed, flagged or waiting letter can be retried."),
                    extra={"reference": locked.reference, "state": locked.state},
                )
            _snapshot(locked, locked.case)
            locked.attempts = 0
            locked.error_code = locked.error_message = ""
            _transition(
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
            _enqueue_render_on_commit(locked.pk)
    except ApplicationError as exc:
        _audit_refusal("letter_retry", exc, actor=actor, case=letter.case, obj=letter)
        raise
    letter.refresh_from_db()
    return letter


# ----------------------------------------------------------------- print run

MANIFEST_FIELDS = [
    "page",
    "reference",
    "postal_code",
    "addressee",
    "address",
    "procedure",
    "deadline",
    "case",
]


def _lock_print_runs(municipality: Municipality) -> None:
    """Single flight per municipality for print runs (advisory transaction lock)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [7_270_005, municipality.pk]
            )


def print_run_create(
    *,
    municipality: Municipality,
    run_date: dt.date | None = None,
    actor: Any = None,
    actor_label: str = "",
) -> PrintRun | None:
    """Collect every rendered letter into one PDF and a manifest by postal code.

    Returns None when no letter waits (a re-run of the day's task does nothing).
    """
    run_date = run_date or timezone.localdate()
    with transaction.atomic():
        _lock_print_runs(municipality)
        letters = list(
            InquiryLetter.objects.select_for_update(of=("self",))
            .select_related("case", "office__municipality")
            .filter(municipality=municipality, state=S.RENDERED)
            .order_by("recipient_postal_code", "reference")
        )
        if not letters:
            return None
        pdf = letters_pdf([letter_data(letter) for letter in letters])
        last = (
            PrintRun.objects.filter(municipality=municipality, run_date=run_date)
            .order_by("-sequence")
            .first()
        )
        run = PrintRun.objects.create(
            municipality=municipality,
            run_date=run_date,
            sequence=(last.sequence + 1) if last else 1,
            letter_count=len(letters),
            pdf=pdf,
            pdf_sha256=hashlib.sha256(pdf).hexdigest(),
            manifest_csv=_manifest(letters),
            created_by=actor if _is_user(actor) else None,
        )
        audit_record(
            action="print_run_created",
            actor=actor,
            actor_label=actor_label,
            municipality=municipality,
            obj=run,
            data={"letters": len(letters), "run_date": run_date.isoformat()},
        )
        for letter in letters:
            letter.print_run = run
            _transition(
                letter,
                S.PRINTED,
                actor=actor,
                actor_label=actor_label,
                data={"print_run": run.pk},
                fields=["print_run"],
            )
    return run


def _manifest(letters: list[InquiryLetter]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(MANIFEST_FIELDS)
    for page, letter in enumerate(letters, start=1):
        writer.writerow(
            [
                page,
                letter.reference,
                letter.recipient_postal_code,
                letter.recipient_name,
                letter.recipient_address,
                letter.procedure,
                letter.deadline.isoformat(),
                letter.case.reference,
            ]
        )
    return buffer.getvalue()


def print_runs_create_all(*, run_date: dt.date | None = None) -> list[PrintRun]:
    """The daily task: one run per municipality that has rendered letters."""
    ids = (
        InquiryLetter.objects.filter(state=S.RENDERED)
        .values_list("municipality_id", flat=True)
        .distinct()
    )
    runs = []
    for municipality in Municipality.objects.filter(pk__in=list(ids)):
        run = print_run_create(
            municipality=municipality, run_date=run_date, actor_label="print-run"
        )
        if run is not None:
            runs.append(run)
    return runs


# -------------------------------------------------------------- paper's life


def _act(
    action: str, letter: InquiryLetter, to: str, *, actor: Any, **kwargs: Any
) -> InquiryLetter:
    try:
        with transaction.atomic():
            locked = _lock(letter.pk)
            _transition(locked, to, actor=actor, **kwargs)
    except ApplicationError as exc:
        _audit_refusal(action, exc, actor=actor, case=letter.case, obj=letter)
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
        locked = _lock(letter.pk)
        if not locked.case_flagged:
            locked.case_flagged = True
            locked.save(update_fields=["case_flagged", "updated_at"])
            audit_record(
                action="letter_case_flagged",
                actor=actor,
                actor_label="" if _is_user(actor) else "letters",
                case=locked.case,
                obj=locked,
                data={"reference": locked.reference, "hook": hook},
            )


def on_letter_expired(letter: InquiryLetter) -> None:
    """Tell the case that its letter expired unanswered (rules.md §6.2)."""
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
            letter = _lock(letter_id)
            if letter.state not in EXPIRABLE_STATES or letter.deadline >= today:
                continue
            _transition(
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
    """Beat: list stuck letters for supervisors once, and queue stuck ones again."""
    now = now or timezone.now()
    count = 0
    for letter in letters_stuck(now=now):
        if letter.state == S.QUEUED:
            _enqueue_render_on_commit(letter.pk)
        if letter.stuck_since is not None:
            continue
        with transaction.atomic():
            locked = _lock(letter.pk)
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
