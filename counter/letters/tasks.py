"""Celery tasks for inquiry letters: thin callers of :mod:`counter.letters.services`.

Stable names, ids only (never a PIN, never personal data), acknowledged late,
idempotent through the services' status guards and row locks
(docs/reference/style.md §3.8).
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from counter.errors import Conflict

from . import services

RENDER_MAX_RETRIES = 5


def _backoff(retries: int) -> int:
    """30 s, 60 s, 120 s, 240 s, 480 s."""
    return 30 * 2**retries


@shared_task(
    name=services.RENDER_TASK,  # "counter.render_inquiry_letter"
    bind=True,
    acks_late=True,
    max_retries=RENDER_MAX_RETRIES,
    soft_time_limit=60,
    time_limit=90,
)
def render_inquiry_letter(self, letter_id: int) -> str:  # type: ignore[no-untyped-def]
    """Render one letter; a re-run returns the letter in the state it reached."""
    final = self.request.retries >= self.max_retries
    try:
        letter = services.letter_render(letter_id=letter_id, final_attempt=final)
    except Conflict:
        return "busy"  # another worker holds this letter's lock: it renders it
    except SoftTimeLimitExceeded:
        services.letter_render_failed(letter_id=letter_id, error="time limit")
        return "failed"
    except services.LetterRenderError as exc:
        raise self.retry(exc=exc, countdown=_backoff(self.request.retries)) from exc
    return letter.state


@shared_task(name="counter.create_print_run", acks_late=True)
def create_print_run(run_date: str | None = None) -> list[int]:
    """Daily: one print run per municipality with rendered letters."""
    day = dt.date.fromisoformat(run_date) if run_date else None
    return [run.pk for run in services.print_runs_create_all(run_date=day)]


@shared_task(name="counter.expire_inquiry_letters", acks_late=True)
def expire_inquiry_letters() -> int:
    return services.letters_expire_overdue()


@shared_task(name="counter.flag_stuck_letters", acks_late=True)
def flag_stuck_letters() -> int:
    return services.letters_flag_stuck()
