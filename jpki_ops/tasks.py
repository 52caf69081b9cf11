"""Celery tasks of jpki_ops: thin callers of services, ids only, never PINs."""

from __future__ import annotations

from celery import shared_task

from jpki_ops.issuer.services import crl_refresh
from jpki_ops.services import card_operations_time_out


@shared_task(name="jpki_ops.refresh_crl", acks_late=True)
def refresh_crl() -> dict[str, int]:
    """Beat (every 6 h): fresh CRLs long before their nextUpdate (1 day)."""
    return crl_refresh()


@shared_task(name="jpki_ops.time_out_card_operations", acks_late=True)
def time_out_card_operations() -> int:
    """Beat (every minute): card operations nobody claimed or finished in time end
    as timed out, so the clerk's screen never waits forever (jpki-B)."""
    return card_operations_time_out()
