"""No letter is stranded in ``queued``: a database or broker fault is retried, never
acknowledged as "busy"; after the last retry the letter fails visibly with the
error code; the outbox relay publishes a queued letter whose message may have been
lost exactly once per threshold, and never races the worker rendering it."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from celery.exceptions import Retry
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from counter.letters import services, tasks
from counter.letters.models import InquiryLetter, LetterState
from counter.letters.services import lifecycle, outbox

DEADLINE = dt.date(2026, 12, 26)


@pytest.fixture(autouse=True)
def broker_unreachable(monkeypatch):
    """The letter's own message is lost, whatever broker an earlier test left the
    Celery app pointing at: only the relay can publish it again."""
    monkeypatch.setattr(lifecycle, "publish_render", lambda pk: False)


@pytest.fixture
def letter(make_case):
    return services.letter_request(case=make_case(), deadline=DEADLINE)


@pytest.fixture
def published(monkeypatch):
    """The ids the relay publishes, in order (the broker itself is not the point)."""
    sent: list[int] = []
    monkeypatch.setattr(outbox, "publish_render", lambda pk: sent.append(pk) or True)
    return sent


def _database_gone(**kwargs):
    raise OperationalError("server closed the connection unexpectedly")


def _age(letter, minutes):
    InquiryLetter.objects.filter(pk=letter.pk).update(
        state_changed_at=timezone.now() - dt.timedelta(minutes=minutes)
    )


@pytest.mark.django_db
def test_a_database_error_is_retried_not_acknowledged_as_busy(letter, monkeypatch):
    monkeypatch.setattr(services, "letter_render", _database_gone)
    with pytest.raises(Retry) as exc:
        tasks.render_inquiry_letter.apply(args=[letter.pk])
    assert exc.value.when == 30
    letter.refresh_from_db()
    assert letter.state == LetterState.QUEUED


@pytest.mark.django_db
def test_after_the_last_retry_a_database_error_fails_the_letter_with_its_code(
    letter, monkeypatch
):
    monkeypatch.setattr(services, "letter_render", _database_gone)
    result = tasks.render_inquiry_letter.apply(
        args=[letter.pk], retries=tasks.RENDER_MAX_RETRIES
    )
    assert result.get() == LetterState.FAILED
    letter.refresh_from_db()
    assert letter.state == LetterState.FAILED
    assert letter.error_code == "letter-database-error"
    assert "server closed" in letter.error_message


@pytest.mark.django_db(transaction=True)
def test_a_letter_another_worker_holds_is_looked_at_again_not_dropped(letter):
    held, done = threading.Event(), threading.Event()

    def other_worker() -> None:
        try:
            with transaction.atomic():
                InquiryLetter.objects.select_for_update().get(pk=letter.pk)
                held.set()
                done.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=other_worker)
    thread.start()
    assert held.wait(10)
    try:
        with pytest.raises(Retry):
            tasks.render_inquiry_letter.apply(args=[letter.pk])
    finally:
        done.set()
        thread.join()
    assert tasks.render_inquiry_letter.apply(args=[letter.pk]).get() == "rendered"


@pytest.mark.django_db
def test_the_relay_publishes_a_stuck_letter_exactly_once(letter, published):
    threshold = letter.municipality.profile.letter_requeue_after_minutes
    assert services.letters_relay() == 0  # its own message is still fresh
    _age(letter, threshold + 1)
    assert services.letters_relay() == 1
    assert services.letters_relay() == 0  # published again only after the threshold
    assert published == [letter.pk]
    later = timezone.now() + dt.timedelta(minutes=threshold + 1)
    assert services.letters_relay(now=later) == 1
    assert published == [letter.pk, letter.pk]


@pytest.mark.django_db
def test_the_threshold_is_the_municipalitys_setting_in_minutes(letter, published):
    profile = letter.municipality.profile
    profile.letter_requeue_after_minutes = 3
    profile.save(update_fields=["letter_requeue_after_minutes"])
    _age(letter, 2)
    assert services.letters_relay() == 0
    _age(letter, 4)
    assert services.letters_relay() == 1


@pytest.mark.django_db
def test_the_relay_leaves_rendered_letters_alone(letter, published):
    tasks.render_inquiry_letter.apply(args=[letter.pk]).get()
    _age(letter, 60)
    assert services.letters_relay() == 0
    assert published == []


@pytest.mark.django_db(transaction=True)
def test_the_relay_skips_a_letter_a_worker_is_rendering(letter, published):
    """No race with the task it enqueues: a locked letter is not claimed (the
    worker holds it), and the relay holds no lock when it publishes."""
    _age(letter, 60)
    held, done = threading.Event(), threading.Event()

    def worker() -> None:
        try:
            with transaction.atomic():
                InquiryLetter.objects.select_for_update().get(pk=letter.pk)
                held.set()
                done.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=worker)
    thread.start()
    assert held.wait(10)
    try:
        assert services.letters_relay() == 0
    finally:
        done.set()
        thread.join()
    assert services.letters_relay() == 1
    assert published == [letter.pk]


def test_every_periodic_task_retries_database_faults():
    from counter import tasks as counter_tasks
    from jpki_ops import tasks as jpki_tasks

    periodic = [
        tasks.relay_letters,
        tasks.create_print_run,
        tasks.expire_inquiry_letters,
        tasks.flag_stuck_letters,
        counter_tasks.expire_overdue_cases,
        jpki_tasks.refresh_crl,
        jpki_tasks.time_out_card_operations,
    ]
    for task in periodic:
        assert task.acks_late, task.name
        assert OperationalError in tuple(
            c for e in task.autoretry_for for c in (e, *e.__subclasses__())
        ) or any(issubclass(OperationalError, e) for e in task.autoretry_for), task.name
