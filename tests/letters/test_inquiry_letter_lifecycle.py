"""The inquiry letter's life, each step audited (docs/rules/06-agents.md §6.2;
docs/reference/style.md §3.7, §3.8).

queued → rendered → printed (in a run) → mailed → answered / returned / expired.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from pypdf import PdfReader

from counter.errors import ApplicationError
from counter.letters import services
from counter.letters.models import InquiryLetter, LetterState, LetterStatusChange
from counter.models import AuditEvent

pytestmark = pytest.mark.django_db

DEADLINE = dt.date(2026, 12, 26)


def actions(letter):
    return list(
        AuditEvent.objects.filter(
            object_id=str(letter.pk), action__startswith="letter_"
        )
        .order_by("seq")
        .values_list("action", flat=True)
    )


def request(case, **kwargs):
    return services.letter_request(case=case, deadline=DEADLINE, **kwargs)


def test_request_queues_one_letter_and_schedules_rendering_on_commit(
    make_case, supervisor, django_capture_on_commit_callbacks
):
    case = make_case()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        letter = request(case, actor=supervisor)
    assert len(callbacks) == 1  # render_inquiry_letter.delay(letter.pk)
    assert letter.state == LetterState.QUEUED
    assert services.reference_is_well_formed(letter.reference)
    assert letter.recipient_name == "見本 花子"
    assert letter.agent_name == "代理 太郎"
    assert letter.kind == "pin"
    assert actions(letter) == ["letter_queued"]
    event = AuditEvent.objects.get(action="letter_queued")
    assert event.case_id == case.pk and event.actor_id == supervisor.pk


def test_full_paper_life_with_history_and_audit(make_case, supervisor):
    letter = request(make_case(), actor=supervisor)
    letter = services.letter_render(letter_id=letter.pk)
    assert letter.state == LetterState.RENDERED
    assert bytes(letter.pdf).startswith(b"%PDF") and len(letter.pdf_sha256) == 64
    assert letter.issued_on is not None

    run = services.print_run_create(municipality=letter.municipality, actor=supervisor)
    letter.refresh_from_db()
    assert letter.state == LetterState.PRINTED and letter.print_run == run

    services.letter_mark_mailed(letter=letter, actor=supervisor)
    services.letter_mark_answered(reference=letter.reference, actor=supervisor)
    letter.refresh_from_db()
    assert letter.state == LetterState.ANSWERED
    assert list(
        LetterStatusChange.objects.filter(letter=letter).values_list(
            "to_state", flat=True
        )
    ) == ["queued", "rendered", "printed", "mailed", "answered"]
    assert actions(letter) == [
        "letter_queued", "letter_rendered", "letter_printed", "letter_mailed",
        "letter_answered",
    ]  # fmt: skip
    # Answering twice (a second scan at the desk) changes nothing.
    services.letter_mark_answered(reference=letter.reference, actor=supervisor)
    assert LetterStatusChange.objects.filter(letter=letter).count() == 5


def test_history_rows_cannot_be_edited(make_case):
    letter = request(make_case())
    change = LetterStatusChange.objects.get(letter=letter)
    with pytest.raises(ValueError, match="append-only"):
        change.save()


def test_print_run_is_one_pdf_with_a_manifest_sorted_by_postal_code(make_case):
    codes = ["243-0035", "243-0003", "243-0018"]
    letters = [request(make_case(postal_code=code)) for code in codes]
    for letter in letters:
        services.letter_render(letter_id=letter.pk)
    run = services.print_run_create(municipality=letters[0].municipality)
    assert run.letter_count == 3
    rows = list(csv.DictReader(io.StringIO(run.manifest_csv)))
    assert [r["postal_code"] for r in rows] == sorted(codes)
    assert [r["page"] for r in rows] == ["1", "2", "3"]
    pages = PdfReader(io.BytesIO(bytes(run.pdf))).pages
    assert len(pages) == 3
    last = "".join(pages[-1].extract_text().split())
    assert rows[-1]["reference"] in last
    # A re-run of the day's task finds nothing new and makes no second run.
    assert services.print_run_create(municipality=letters[0].municipality) is None
    assert all(
        InquiryLetter.objects.get(pk=letter.pk).state == LetterState.PRINTED
        for letter in letters
    )


def test_returned_undeliverable_flags_the_case(make_case, supervisor):
    letter = request(make_case())
    services.letter_render(letter_id=letter.pk)
    services.print_run_create(municipality=letter.municipality)
    letter = services.letter_mark_returned(letter=letter, actor=supervisor)
    letter.refresh_from_db()
    assert letter.state == LetterState.RETURNED_UNDELIVERABLE
    assert letter.case_flagged
    assert (
        "letter-undeliverable"
        in letter.case.__class__.objects.get(pk=letter.case_id).flags
    )
    assert "letter_case_flagged" in actions(letter)


def test_expired_letters_flag_their_cases(make_case):
    case = make_case(state="awaiting_second_visit")
    letter = request(case)
    services.letter_render(letter_id=letter.pk)
    assert services.letters_expire_overdue(today=DEADLINE) == 0  # last day still ok
    assert services.letters_expire_overdue(today=DEADLINE + dt.timedelta(days=1)) == 1
    letter.refresh_from_db()
    assert letter.state == LetterState.EXPIRED
    assert letter.case_flagged
    case.refresh_from_db()
    assert case.state == "expired"
    assert actions(letter)[-2:] == ["letter_expired", "letter_case_flagged"]
    # The sweep is idempotent.
    assert services.letters_expire_overdue(today=DEADLINE + dt.timedelta(days=2)) == 0


def test_a_letter_never_rendered_cannot_be_answered(make_case, supervisor):
    letter = request(make_case())
    with pytest.raises(ApplicationError) as exc:
        services.letter_mark_answered(reference=letter.reference, actor=supervisor)
    assert exc.value.code == "letter-transition-not-allowed"
    assert AuditEvent.objects.filter(action="letter_mark_answered_refused").exists()
    letter.refresh_from_db()
    assert letter.state == LetterState.QUEUED


def test_stuck_letters_are_listed_once_and_queued_again(make_case, monkeypatch):
    from django.utils import timezone

    from counter.letters.services import outbox

    letter = request(make_case())
    later = timezone.now() + dt.timedelta(hours=47)
    assert list(services.letters_stuck(now=later)) == []
    much_later = timezone.now() + dt.timedelta(hours=49)  # profile: 48 hours
    assert list(services.letters_stuck(now=much_later)) == [letter]
    assert services.letters_flag_stuck(now=much_later) == 1
    assert services.letters_flag_stuck(now=much_later) == 0  # listed once
    published: list[int] = []
    monkeypatch.setattr(outbox, "publish_render", published.append)
    assert services.letters_relay(now=much_later) == 1  # queued again: the relay
    assert published == [letter.pk]
    letter.refresh_from_db()
    assert letter.stuck_since == much_later
    assert actions(letter).count("letter_stuck") == 1


def test_the_database_refuses_to_rewrite_letter_history(make_case):
    from django.db import DatabaseError, connection, transaction

    letter = request(make_case())
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE counter_letterstatuschange SET to_state = 'mailed' "
            "WHERE letter_id = %s",
            [letter.pk],
        )


def test_the_visit_finishes_when_the_broker_is_down(
    make_case, django_capture_on_commit_callbacks
):
    """The unit layer's broker is unreachable: the letter stays queued for the sweep."""
    with django_capture_on_commit_callbacks(execute=True):
        letter = request(make_case())
    letter.refresh_from_db()
    assert letter.state == LetterState.QUEUED
