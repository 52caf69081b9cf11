"""Celery tasks for inquiry letters: thin callers of :mod:`counter.letters.services`.

Stable names, ids only (never a PIN, never personal data), acknowledged late,
idempotent through the services' status guards and row locks
(docs/reference/style.md §3.8). Nothing is acknowledged without an outcome: a
database or broker fault, or a letter another worker holds, is retried with
backoff; after the last retry the letter fails visibly with the error code
(docs/adr/0013-letter-outbox-and-task-retries.md).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_init
from django.db import DatabaseError, InterfaceError
from kombu.exceptions import OperationalError as BrokerError

from counter.errors import Conflict

from . import services
from .render import warm_up

logger = logging.getLogger(__name__)

RENDER_MAX_RETRIES = 5
#: Faults a retry may cure: the database or the broker went away, a disk filled.
TRANSIENT = (DatabaseError, InterfaceError, BrokerError, OSError)
# Periodic tasks: retried on the same faults, a few times, quickly.
PERIODIC_RETRY = {
    "autoretry_for": TRANSIENT,
    "retry_backoff": 5,
    "retry_backoff_max": 120,
    "retry_jitter": True,
    "max_retries": 5,
}


@worker_init.connect(dispatch_uid="counter.letters.warm_up")
def warm_letter_caches(**_: Any) -> None:
    """In the worker's parent, before the pool forks: every child, and every child
    that replaces one recycled by memory, starts with the font parsed and the
    fixed part drawn instead of paying for them on its first letter."""
    try:
        warm_up()
    except Exception:  # noqa: BLE001 - a cold cache is slower, never a reason to stop
        logger.exception("letter caches not warmed; the first letters warm them")


def _backoff(retries: int) -> int:
    """30 s, 60 s, 120 s, 240 s, 480 s."""
    return 30 * 2**retries


def _code_of(exc: BaseException) -> str:
    """The stable code a supervisor sees on a letter that failed for a fault."""
    if isinstance(exc, BrokerError):
        return "letter-broker-error"
    if isinstance(exc, DatabaseError | InterfaceError):
        return "letter-database-error"
    return "letter-render-error"


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
    except Conflict as exc:
        if exc.code != "letter-busy":
            raise
        # Another worker holds the letter. It renders it, or it dies and the
        # lock goes with it: look again shortly rather than acknowledge "busy".
        if final:
            return "busy"
        raise self.retry(exc=exc, countdown=5 + self.request.retries * 5) from exc
    except SoftTimeLimitExceeded:
        services.letter_render_failed(letter_id=letter_id, error="time limit")
        return "failed"
    except services.LetterRenderError as exc:
        raise self.retry(exc=exc, countdown=_backoff(self.request.retries)) from exc
    except TRANSIENT as exc:
        if not final:
            raise self.retry(exc=exc, countdown=_backoff(self.request.retries)) from exc
        # Out of retries: visible as failed with the code, if the database is
        # back; if not, the exception stands and the relay publishes it again.
        services.letter_render_failed(
            letter_id=letter_id,
            error=f"{type(exc).__name__}: {exc}",
            code=_code_of(exc),
        )
        return "failed"
    return letter.state


@shared_task(name="counter.relay_letters", acks_late=True, **PERIODIC_RETRY)
def relay_letters() -> int:
    """Every few minutes: publish queued letters whose message may be lost."""
    return services.letters_relay()


@shared_task(name="counter.create_print_run", acks_late=True, **PERIODIC_RETRY)
def create_print_run(run_date: str | None = None) -> list[int]:
    """Daily: one print run per municipality with rendered letters."""
    day = dt.date.fromisoformat(run_date) if run_date else None
    return [run.pk for run in services.print_runs_create_all(run_date=day)]


@shared_task(name="counter.expire_inquiry_letters", acks_late=True, **PERIODIC_RETRY)
def expire_inquiry_letters() -> int:
    return services.letters_expire_overdue()


@shared_task(name="counter.flag_stuck_letters", acks_late=True, **PERIODIC_RETRY)
def flag_stuck_letters() -> int:
    return services.letters_flag_stuck()
