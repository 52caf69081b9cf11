"""Celery tasks of the document rules: thin callers of services
(docs/reference/style.md §3.8)."""

from __future__ import annotations

from celery import shared_task

from identity_docs.scans import scans_purge_expired


@shared_task(name="identity_docs.purge_expired_scans", acks_late=True)
def purge_expired_scans() -> int:
    """Daily: delete scanned copies past their retention date (idempotent)."""
    return scans_purge_expired()
