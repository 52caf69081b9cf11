"""A real Celery worker on Redis renders a batch of letters
(docs/reference/style.md §3.11).

The worker is a separate process (tests/fixtures/celery_worker.py) on the test
PostgreSQL database; letters are requested the way visit 1 requests them, so the
tasks go through ``transaction.on_commit`` → Redis → worker.
"""

from __future__ import annotations

import datetime as dt

import pytest

from counter.letters import services
from counter.letters.models import InquiryLetter, LetterState, LetterStatusChange
from counter.letters.printability import check_pdf
from tests.fixtures.celery_worker import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

BATCH = 12


def test_worker_renders_a_batch_and_a_print_run(celery_worker, make_case):
    from counter.letters.tasks import create_print_run, render_inquiry_letter

    procedures = ["pin_change", "pin_reset", "cert_issue", "cert_renew", "cert_revoke"]
    letters = [
        services.letter_request(
            case=make_case(
                procedure=procedures[i % len(procedures)],
                postal_code=f"243-00{i % 90 + 10:02d}",
            ),
            deadline=dt.date(2026, 12, 26),
        )
        for i in range(BATCH)
    ]
    ids = [letter.pk for letter in letters]

    def all_rendered() -> bool:
        return (
            InquiryLetter.objects.filter(pk__in=ids, state=LetterState.RENDERED).count()
            == BATCH
        )

    assert wait_until(all_rendered, timeout=90), celery_worker.log()[-3000:]
    for letter in InquiryLetter.objects.filter(pk__in=ids):
        assert check_pdf(bytes(letter.pdf), expected_pages=1).ok

    # Re-sending every task (a redelivery after a crash) changes nothing.
    results = [render_inquiry_letter.delay(pk) for pk in ids]
    assert [r.get(timeout=60) for r in results] == ["rendered"] * BATCH
    assert (
        LetterStatusChange.objects.filter(
            letter_id__in=ids, to_state="rendered"
        ).count()
        == BATCH
    )

    run_ids = create_print_run.delay().get(timeout=120)
    assert len(run_ids) == 1
    printed = InquiryLetter.objects.filter(pk__in=ids, state=LetterState.PRINTED)
    assert printed.count() == BATCH
    run = printed.first().print_run
    assert check_pdf(bytes(run.pdf), expected_pages=BATCH).ok
    assert create_print_run.delay().get(timeout=60) == []  # nothing left to print
