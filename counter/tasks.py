"""Thin Celery entry points of the counter; the work is in the services."""

from __future__ import annotations

from celery import shared_task

from counter.services.visits import cases_expire_overdue


@shared_task(name="counter.expire_overdue_cases", acks_late=True)
def expire_overdue_cases() -> int:
    """Beat, daily: cases whose second-visit deadline passed end as expired.

    Idempotent: an expired case is not in the overdue selection any more.
    """
    return cases_expire_overdue()
