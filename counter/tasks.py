"""Thin Celery entry points of the counter; the work is in the services."""

from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError, InterfaceError

from counter.services.visits import cases_expire_overdue


@shared_task(
    name="counter.expire_overdue_cases",
    acks_late=True,
    # A database fault is retried with backoff, never acknowledged as done.
    autoretry_for=(DatabaseError, InterfaceError),
    retry_backoff=5,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=5,
)
def expire_overdue_cases() -> int:
    """Beat, daily: cases whose second-visit deadline passed end as expired.

    Idempotent: an expired case is not in the overdue selection any more.
    """
    return cases_expire_overdue()
