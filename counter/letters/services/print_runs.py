"""Print runs: every rendered letter of a municipality in one PDF and a manifest.

The daily task :func:`counter.letters.tasks.create_print_run` calls
:func:`print_runs_create_all`; the supervisor console calls
:func:`print_run_create` for one municipality.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from counter.audit import audit_record
from counter.models import Municipality
from counter.transitions import is_user

from ..models import InquiryLetter, LetterState, PrintRun
from ..render import letters_pdf
from .lifecycle import move
from .rendering import letter_data

S = LetterState
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
            created_by=actor if is_user(actor) else None,
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
            move(
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
