"""The render task: idempotent, bounded retries, terminal failure, supervisor retry.

docs/reference/style.md §3.8. Tasks are executed in-process with ``apply`` (no broker in
the
unit layer); the real worker is in tests/letters/integration.
"""

from __future__ import annotations

import datetime as dt

import pytest
from celery.exceptions import Retry

from counter.letters import services, tasks
from counter.letters.models import InquiryLetter, LetterState, LetterStatusChange

pytestmark = pytest.mark.django_db

DEADLINE = dt.date(2026, 12, 26)


@pytest.fixture
def letter(make_case):
    return services.letter_request(case=make_case(), deadline=DEADLINE)


def test_a_rerun_yields_the_same_letter_and_never_a_second_one(letter):
    first = tasks.render_inquiry_letter.apply(args=[letter.pk]).get()
    letter.refresh_from_db()
    sha = letter.pdf_sha256
    second = tasks.render_inquiry_letter.apply(args=[letter.pk]).get()
    letter.refresh_from_db()
    assert first == second == LetterState.RENDERED
    assert letter.pdf_sha256 == sha
    assert letter.attempts == 1
    assert InquiryLetter.objects.filter(case=letter.case).count() == 1
    assert (
        LetterStatusChange.objects.filter(letter=letter, to_state="rendered").count()
        == 1
    )


def test_rendering_the_same_snapshot_again_gives_the_same_bytes(letter):
    services.letter_render(letter_id=letter.pk)
    letter.refresh_from_db()
    from counter.letters.render import letter_pdf

    assert letter_pdf(services.letter_data(letter)) == bytes(letter.pdf)


def test_errors_are_retried_then_the_letter_fails_visibly(
    letter, monkeypatch, supervisor
):
    def broken(data):
        raise OSError("disk full")

    monkeypatch.setattr(services.rendering, "letter_pdf", broken)
    with pytest.raises(services.LetterRenderError):
        services.letter_render(letter_id=letter.pk)
    letter.refresh_from_db()
    assert (letter.state, letter.attempts) == (LetterState.QUEUED, 1)
    assert letter.error_code == "letter-render-error"

    result = tasks.render_inquiry_letter.apply(
        args=[letter.pk], retries=tasks.RENDER_MAX_RETRIES
    )
    assert result.get() == LetterState.FAILED
    letter.refresh_from_db()
    assert letter.state == LetterState.FAILED and letter.attempts == 2

    monkeypatch.undo()
    services.letter_retry(letter=letter, actor=supervisor)
    letter.refresh_from_db()
    assert (letter.state, letter.attempts, letter.error_code) == ("queued", 0, "")
    assert tasks.render_inquiry_letter.apply(args=[letter.pk]).get() == "rendered"


def test_a_task_before_its_last_retry_asks_celery_to_retry(letter, monkeypatch):
    monkeypatch.setattr(services.rendering, "letter_pdf", lambda data: 1 / 0)
    with pytest.raises(Retry) as exc:
        tasks.render_inquiry_letter.apply(args=[letter.pk])
    assert exc.value.when == 30  # first backoff step
    letter.refresh_from_db()
    assert letter.state == LetterState.QUEUED


def test_backoff_grows():
    assert [tasks._backoff(n) for n in range(4)] == [30, 60, 120, 240]


def test_task_names_are_stable():
    assert tasks.render_inquiry_letter.name == "counter.render_inquiry_letter"
    assert tasks.create_print_run.name == "counter.create_print_run"
    assert tasks.expire_inquiry_letters.name == "counter.expire_inquiry_letters"
    assert tasks.flag_stuck_letters.name == "counter.flag_stuck_letters"
    assert tasks.render_inquiry_letter.acks_late
