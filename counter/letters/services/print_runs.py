"""Print runs: every rendered letter of a municipality in one PDF and a manifest.

The run's PDF is assembled from the letters' stored PDFs, page by page, each
checked against its SHA-256 first: what is printed is exactly what was rendered
and hashed, never a fresh rendering from data that may have changed since.

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

import pypdfium2 as pdfium
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.database.kept import bytes_bound_on_server
from counter.audit import audit_batch, audit_record
from counter.errors import Conflict
from counter.models import Municipality
from counter.transitions import is_user

from ..models import InquiryLetter, LetterState, PrintRun
from .lifecycle import move

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
        pdf = assemble_stored_pdfs(letters)
        last = (
            PrintRun.objects.filter(municipality=municipality, run_date=run_date)
            .order_by("-sequence")
            .first()
        )
        # The run's PDF (about 30 MB for 1,000 letters) as a binary parameter,
        # not a hex literal twice its size (ADR 0041).
        with bytes_bound_on_server(connection):
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
        # The run's entry and every letter's in one batch, appended last.
        with audit_batch():
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


def assemble_stored_pdfs(letters: list[InquiryLetter]) -> bytes:
    """One PDF of the letters' stored pages, in order; a letter whose stored PDF no
    longer matches its hash stops the run (nothing printed, nothing moved)."""
    run = pdfium.PdfDocument.new()
    try:
        for letter in letters:
            stored = bytes(letter.pdf or b"")
            if hashlib.sha256(stored).hexdigest() != letter.pdf_sha256:
                raise Conflict(
                    "letter-pdf-mismatch",
                    _("A stored letter does not match its fingerprint: %(reference)s.")
                    % {"reference": letter.reference},
                )
            source = pdfium.PdfDocument(stored)
            try:
                run.import_pages(source)
            finally:
                source.close()
        buffer = io.BytesIO()
        run.save(buffer)
        return buffer.getvalue()
    finally:
        run.close()


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
