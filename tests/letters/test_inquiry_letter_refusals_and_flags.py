"""Bad input: refused or flagged with a specific code; no letter lost, none twice.

docs/rules/06-agents.md §6.2 (one inquiry per visit, the registered address);
docs/reference/letters-design.md §3.1.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from counter.errors import ApplicationError
from counter.letters import services
from counter.letters.models import InquiryLetter, LetterState
from counter.models import AuditEvent, Case

pytestmark = pytest.mark.django_db

DEADLINE = dt.date(2026, 12, 26)


def refused(case, code):
    with pytest.raises(ApplicationError) as exc:
        services.letter_request(case=case, deadline=DEADLINE)
    assert exc.value.code == code
    event = (
        AuditEvent.objects.filter(action="letter_request_refused")
        .order_by("seq")
        .last()
    )
    assert event is not None and event.data["code"] == code and event.case_id == case.pk
    return exc.value


def test_a_cancelled_case_gets_no_letter(make_case):
    case = make_case(state="cancelled")
    refused(case, "letter-case-cancelled")
    assert not InquiryLetter.objects.exists()


def test_a_second_letter_for_the_same_visit_is_refused(make_case):
    case = make_case()
    first = services.letter_request(case=case, deadline=DEADLINE)
    error = refused(case, "letter-already-requested")
    assert error.extra["reference"] == first.reference
    assert InquiryLetter.objects.filter(case=case).count() == 1


@pytest.mark.parametrize(
    ("postal_code", "address", "code"),
    [
        ("", "神奈川県厚木市中町3丁目17-8", "postal-code-missing"),
        ("243-001", "神奈川県厚木市中町3丁目17-8", "postal-code-malformed"),
        ("243-0018", "神奈川県厚木市中町3丁目17-8 " + "長い建物の名前" * 12,
         "address-too-long"),
    ],
)  # fmt: skip
def test_an_address_that_cannot_be_mailed_is_refused(
    make_case, postal_code, address, code
):
    case = make_case(postal_code=postal_code, address=address)
    refused(case, code)
    assert not InquiryLetter.objects.exists()


def test_a_name_the_font_lacks_flags_the_letter_and_keeps_the_case(
    make_case, supervisor, django_capture_on_commit_callbacks
):
    """𠮷 is in no shipped font: flagged with the character named
    (docs/reference/letters-design.md §3.1)."""
    case = make_case(name="\U00020bb7野 太郎")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        letter = services.letter_request(case=case, deadline=DEADLINE)
    assert not callbacks  # nothing is rendered
    letter.refresh_from_db()
    assert letter.state == LetterState.FLAGGED
    assert letter.error_code == "letter-character-not-in-font"
    assert "\U00020bb7" in letter.error_message and "U+20BB7" in letter.error_message
    assert "代替文字" in letter.error_message
    assert Case.objects.filter(pk=case.pk, state="documents_checked").exists()
    event = AuditEvent.objects.get(action="letter_flagged")
    assert event.data["extra"]["code_point"] == "U+20BB7"

    # The supervisor registers the substitute-character name and retries.
    case.resident.name_substitute = "吉野 太郎"
    case.resident.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.letter_retry(letter=letter, actor=supervisor)
    letter.refresh_from_db()
    assert letter.recipient_name == "吉野 太郎"
    letter = services.letter_render(letter_id=letter.pk)
    assert letter.state == LetterState.RENDERED


def test_a_retry_of_a_letter_that_is_fine_is_refused(make_case, supervisor):
    letter = services.letter_request(case=make_case(), deadline=DEADLINE)
    services.letter_render(letter_id=letter.pk)
    with pytest.raises(ApplicationError) as exc:
        services.letter_retry(letter=letter, actor=supervisor)
    assert exc.value.code == "letter-not-retryable"
    assert AuditEvent.objects.filter(action="letter_retry_refused").exists()


def test_the_letter_and_its_first_history_row_are_one_statement_prepared_once(
    make_case,
):
    """Kept SQL, prepared on the server like the kept reads (ADR 0035): the
    letter row's insert is parsed and planned once per connection, not per letter."""
    for _ in range(3):
        services.letter_request(case=make_case(), deadline=DEADLINE)
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        inserts = [
            row[0] for row in cursor.fetchall() if '"counter_inquiryletter"' in row[0]
        ]
    assert len(inserts) == 1, inserts
    assert "$1" in inserts[0]
    assert InquiryLetter.objects.count() == 3
