"""Celery tasks of jpki_ops: thin callers of services, ids only, never PINs."""

from __future__ import annotations

from celery import shared_task

from jpki_ops.issuer.services import crl_refresh


@shared_task(name="jpki_ops.refresh_crl", acks_late=True)
def refresh_crl() -> dict[str, int]:
    """Beat (every 6 h): fresh CRLs long before their nextUpdate (1 day)."""
    return crl_refresh()
