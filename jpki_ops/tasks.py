"""Celery tasks of jpki_ops: thin callers of services, ids only, never PINs.

Both are periodic and idempotent; a database fault is retried with backoff,
never acknowledged as done (docs/adr/0013-letter-outbox-and-task-retries.md).
"""

from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError, InterfaceError

from jpki_ops.issuer.services import crl_refresh
from jpki_ops.services import card_operations_time_out

_RETRY = {
    "autoretry_for": (DatabaseError, InterfaceError),
    "retry_backoff": 5,
    "retry_backoff_max": 120,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(name="jpki_ops.refresh_crl", acks_late=True, **_RETRY)
def refresh_crl() -> dict[str, int]:
    """Beat (every 6 h): fresh CRLs long before their nextUpdate (1 day)."""
    return crl_refresh()


@shared_task(name="jpki_ops.time_out_card_operations", acks_late=True, **_RETRY)
def time_out_card_operations() -> int:
    """Beat (every minute): card operations nobody claimed or finished in time end
    as timed out, so the clerk's screen never waits forever (jpki-B)."""
    return card_operations_time_out()
