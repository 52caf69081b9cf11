"""A print run prints exactly the letters that were rendered and hashed
(docs/reference/style.md §3.7): its pages are the stored PDFs, and a stored PDF
that no longer matches its SHA-256 stops the run with nothing printed."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from counter.audit import verify_chain
from counter.errors import Conflict
from counter.letters import services
from counter.letters.models import InquiryLetter, LetterState, PrintRun
from counter.models import AuditEvent

pytestmark = pytest.mark.django_db

DEADLINE = dt.date(2026, 12, 26)


def rendered(make_case, **kwargs):
    letter = services.letter_request(case=make_case(**kwargs), deadline=DEADLINE)
    return services.letter_render(letter_id=letter.pk)


def page_text(pdf: bytes, page: int = 0) -> str:
    return "".join(PdfReader(io.BytesIO(pdf)).pages[page].extract_text().split())


def test_the_printed_page_is_the_stored_letter_not_a_fresh_rendering(make_case):
    letter = rendered(make_case, name="見本 花子")
    stored = page_text(bytes(letter.pdf))
    # The resident's name changes after rendering; the stored letter stands.
    InquiryLetter.objects.filter(pk=letter.pk).update(recipient_name="別人 次郎")
    run = services.print_run_create(municipality=letter.municipality)
    assert run is not None and run.letter_count == 1
    assert page_text(bytes(run.pdf)) == stored
    assert "見本花子" in stored and "別人次郎" not in page_text(bytes(run.pdf))


def test_a_stored_letter_that_does_not_match_its_hash_stops_the_run(make_case):
    good = rendered(make_case, postal_code="243-0003")
    bad = rendered(make_case, postal_code="243-0035")
    InquiryLetter.objects.filter(pk=bad.pk).update(pdf_sha256="0" * 64)
    with pytest.raises(Conflict) as refused:
        services.print_run_create(municipality=good.municipality)
    assert refused.value.code == "letter-pdf-mismatch"
    assert bad.reference in str(refused.value)
    assert not PrintRun.objects.exists()
    assert set(InquiryLetter.objects.values_list("state", flat=True)) == {
        LetterState.RENDERED
    }


def test_a_print_runs_audit_entries_take_one_statement_however_many_letters(
    make_case,
):
    """One entry per letter moved to printed, plus the run's own, appended as one
    batch at the end of the run (ADR 0024, ADR 0028): the chain is held for one
    statement, not for the whole run."""
    letters = [rendered(make_case, postal_code=f"243-00{n:02d}") for n in range(5)]
    with CaptureQueriesContext(connection) as queries:
        run = services.print_run_create(municipality=letters[0].municipality)
    assert run is not None and run.letter_count == 5
    on_the_chain = [
        q["sql"]
        for q in queries
        if "counter_auditevent" in q["sql"] or "counter_auditchainhead" in q["sql"]
    ]
    assert len(on_the_chain) == 1, on_the_chain
    printed = AuditEvent.objects.filter(action="letter_printed", case__isnull=False)
    assert printed.count() == 5
    assert AuditEvent.objects.filter(action="print_run_created").count() == 1
    assert list(verify_chain()) == []
