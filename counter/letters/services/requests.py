"""Requesting a letter: the reference code, the snapshot, the address check.

Called by the case's visit-1 service (``counter.services.visits``); the letter
prints what was true when it was requested, so the case and resident data are
copied onto it (:func:`snapshot`).
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.database.kept import prepared_cursor
from counter.audit import audit_record
from counter.errors import ApplicationError, Conflict
from counter.models import Case
from counter.models.cases import CaseState
from counter.transitions import is_user

from ..address import PostalAddress
from ..barcode import split_address
from ..content import KIND_OF
from ..models import InquiryLetter, LetterState, LetterStatusChange
from .lifecycle import audit_refusal, enqueue_render_on_commit, flag

S = LetterState
# Refusals of the address block that a supervisor can cure (代替文字); any other
# refusal is fixed by the clerk at the desk, now.
_FLAGGABLE = frozenset({"letter-character-not-in-font", "letter-variation-selector"})


def _new_reference() -> str:
    """Twelve digits, the last a check digit, shown as 1234-5678-9012.

    Digits only: easy to read out on the phone and to type if the QR code is
    damaged; the check digit catches a mistyped digit. Unique by the column's
    constraint: :func:`_insert_unless_taken` draws again on a collision.
    """
    body = f"{secrets.randbelow(10**11):011d}"
    check = _check_digit(body)
    return f"{body[:4]}-{body[4:8]}-{body[8:]}{check}"


# The letter row, unless its reference or its (case, visit) is already taken, and
# its first history row: one statement, no savepoint, and no SELECT before it (the
# unique constraints decide; nothing inserted, no history row either).
_INSERT_SQL = "INSERT INTO {table} ({columns}) VALUES ({values}) "
_INSERT_SQL += "ON CONFLICT DO NOTHING RETURNING {pk}"
_WITH_HISTORY_SQL = (
    "WITH letter AS (" + _INSERT_SQL + "), "
    "history AS (INSERT INTO {history} ({history_columns}) "
    "SELECT {pk}, {history_values} FROM letter) "
    "SELECT {pk} FROM letter"
)
#: Draws of a reference before giving up (each collides with 1 in 10^11 / letters).
_REFERENCE_DRAWS = 5


def _values(obj: Any, fields: list[Any]) -> list[Any]:
    return [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]


def _insert_unless_taken(
    letter: InquiryLetter, queued: LetterStatusChange
) -> str | None:
    """INSERT ``letter`` and its history row ``queued``; ``None``, or the reference
    of the visit's letter that is already there (then neither is saved).

    One statement on PostgreSQL; SQLite (the demo) has no INSERT inside a WITH,
    so there the history row is saved after the letter.
    """
    meta, history = InquiryLetter._meta, LetterStatusChange._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    history_fields = [
        f for f in history.concrete_fields if not f.primary_key and f.name != "letter"
    ]
    together = connection.vendor == "postgresql"
    quote = connection.ops.quote_name
    sql = (_WITH_HISTORY_SQL if together else _INSERT_SQL).format(
        table=quote(meta.db_table),
        columns=", ".join(quote(f.column) for f in fields),
        values=", ".join(["%s"] * len(fields)),
        pk=quote(meta.pk.column),
        history=quote(history.db_table),
        history_columns=", ".join(
            quote(f.column) for f in [history.get_field("letter"), *history_fields]
        ),
        history_values=", ".join(["%s"] * len(history_fields)),
    )
    history_values = _values(queued, history_fields) if together else []
    for _draw in range(_REFERENCE_DRAWS):
        letter.reference = _new_reference()
        with prepared_cursor(connection) as cursor:
            cursor.execute(sql, [*_values(letter, fields), *history_values])
            row = cursor.fetchone()
        if row is not None:
            letter.pk = row[0]
            letter._state.adding = False
            letter._state.db = connection.alias
            if not together:
                queued.letter = letter
                queued.save()
            return None
        existing = (
            InquiryLetter.objects.filter(case_id=letter.case_id, visit=letter.visit)
            .values_list("reference", flat=True)
            .first()
        )
        if existing is not None:
            return existing
    raise RuntimeError("no free letter reference after several draws")


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


def snapshot(letter: InquiryLetter, case: Case) -> None:
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
    """Queue the inquiry letter of the case's current visit
    (docs/rules/06-agents.md §6.2).

    Refused for a cancelled or closed case, for a second letter of the same visit,
    and for an address that cannot be mailed (postal code, length). A name the font
    cannot print does not refuse: the letter is kept and flagged for a supervisor.
    Rendering is scheduled on commit; if the broker is down the letter stays
    queued and the stuck-letter sweep queues it again, so the visit can finish.

    Every refusal is decided before anything is written, so the writes need no
    savepoint of their own inside the caller's transaction (the visit's).
    """
    try:
        letter, problem = _letter_prepare(
            case=case, deadline=deadline, actor=actor, first_visit_on=first_visit_on
        )
        queued = LetterStatusChange(
            to_state=S.QUEUED, actor=actor if is_user(actor) else None
        )
        with transaction.atomic(savepoint=False):
            existing = _insert_unless_taken(letter, queued)
            if existing is None:
                _letter_queued(letter, case=case, actor=actor, problem=problem)
        if existing is not None:
            raise _already_requested(existing)
    except ApplicationError as exc:
        audit_refusal("letter_request", exc, actor=actor, desk=desk, case=case)
        raise
    return letter


def _already_requested(reference: str) -> Conflict:
    return Conflict(
        "letter-already-requested",
        _(
            "An inquiry letter for this visit was already requested "
            "(reference %(reference)s). Retry that letter instead of "
            "requesting a second one."
        )
        % {"reference": reference},
        extra={"reference": reference},
    )


def _refuse_unless_requestable(case: Case) -> None:
    """A letter only for an open case and a procedure with a letter (one per
    visit: the unique constraint, see :func:`_insert_unless_taken`)."""
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
    if not case.applicant_name:
        raise ApplicationError(
            "letter-agent-name-missing",
            _("Enter the agent's name before sending the inquiry letter."),
        )


def _letter_prepare(
    *, case: Case, deadline: dt.date, actor: Any, first_visit_on: dt.date | None
) -> tuple[InquiryLetter, ApplicationError | None]:
    """The unsaved letter and the address problem a supervisor can cure, if any;
    raises what the clerk must fix now. Reads and writes nothing."""
    _refuse_unless_requestable(case)
    letter = InquiryLetter(
        municipality_id=case.municipality_id,
        office_id=case.office_id,
        case=case,
        visit=case.visit,
        kind=KIND_OF[case.procedure].value,  # type: ignore[index]
        procedure=case.procedure,
        state=S.QUEUED,
        state_changed_at=timezone.now(),
        first_visit_on=first_visit_on or timezone.localdate(),
        deadline=deadline,
        created_by=actor if is_user(actor) else None,
    )
    snapshot(letter, case)
    try:
        letter_address(letter)
    except ApplicationError as exc:
        if exc.code not in _FLAGGABLE:
            raise  # the clerk fixes postal code or address at the desk, now
        return letter, exc
    return letter, None


def _letter_queued(
    letter: InquiryLetter, *, case: Case, actor: Any, problem: ApplicationError | None
) -> None:
    """The saved letter's audit entry (its history row came with it); flagged or
    sent to render."""
    audit_record(
        action="letter_queued",
        actor=actor,
        case=case,
        obj=letter,
        data={
            "reference": letter.reference,
            "visit": letter.visit,
            "deadline": letter.deadline.isoformat(),
        },
    )
    if problem is not None:
        flag(letter, problem, actor=actor)
    else:
        enqueue_render_on_commit(letter.pk)
