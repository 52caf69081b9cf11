"""Scanned copies of identity documents, encrypted at rest (seed: 窓口で複写いたします).

Only Fernet ciphertext reaches the disk; the key is ``settings.SCAN_ENCRYPTION_KEY``.
Viewing a copy is a read of sensitive data: it needs ``counter.view_scans`` and
leaves an audit entry (docs/reference/style.md §3.7). Copies are purged after the
retention days
of the city's document policy by the task ``identity_docs.purge_expired_scans``.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from counter.audit import audit_record
from counter.errors import ApplicationError, NotFound, PermissionDenied
from identity_docs.constants import DocumentClass
from identity_docs.models import EvidencePresented, ScannedCopy
from identity_docs.services import document_policy_get

MAX_SCAN_BYTES = 10 * 1024 * 1024
ALLOWED_CONTENT_TYPES = ("image/jpeg", "image/png", "application/pdf")


def _fernet() -> Fernet:
    key = getattr(settings, "SCAN_ENCRYPTION_KEY", "")
    if not key:
        raise ImproperlyConfigured(
            "SCAN_ENCRYPTION_KEY is not set: scanned identity documents cannot be "
            "stored or opened. Generate one with Fernet.generate_key()."
        )
    try:
        return Fernet(key)
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            "SCAN_ENCRYPTION_KEY is not a Fernet key (32 bytes, urlsafe base64)."
        ) from exc


def scan_store(
    *,
    evidence: EvidencePresented,
    content: bytes,
    content_type: str,
    clerk: Any,
    desk: Any = None,
) -> ScannedCopy:
    """Encrypt and keep the counter's copy of one document shown.

    Never an answer sheet: the holder writes PINs on it, and a PIN never leaves
    the desk (team rules), not even as an encrypted image.
    """
    if evidence.kind.document_class == DocumentClass.ANSWER_SHEET:
        raise ApplicationError(
            "scan-not-allowed",
            _("The answer sheet carries PINs; it is never scanned or stored."),
        )
    if content_type not in ALLOWED_CONTENT_TYPES:
        raise ApplicationError(
            "scan-type-not-allowed",
            _("Scans must be JPEG, PNG or PDF."),
            extra={"allowed": list(ALLOWED_CONTENT_TYPES)},
        )
    if not content or len(content) > MAX_SCAN_BYTES:
        raise ApplicationError(
            "scan-size-invalid",
            _("The scan is empty or larger than 10 MB."),
            extra={"max_bytes": MAX_SCAN_BYTES},
        )
    token = _fernet().encrypt(content)
    policy = document_policy_get(profile=evidence.case.municipality.profile)
    now = timezone.now()
    with transaction.atomic():
        scan = ScannedCopy(
            evidence=evidence,
            content_type=content_type,
            size=len(content),
            uploaded_by=clerk,
            uploaded_at=now,
            retain_until=timezone.localdate(now)
            + timedelta(days=policy.scan_retention_days),
        )
        scan.file.save(f"{uuid.uuid4().hex}.enc", ContentFile(token), save=False)
        scan.save()
        audit_record(
            action="scan_stored",
            actor=clerk,
            desk=desk,
            case=evidence.case,
            obj=scan,
            data={"evidence": evidence.pk, "content_type": content_type},
        )
    return scan


def scan_open(*, scan: ScannedCopy, user: Any, desk: Any = None) -> bytes:
    """Decrypt a copy for a supervisor; every opening is audited."""
    case = scan.evidence.case
    if not user.has_perm("counter.view_scans"):
        audit_record(
            action="scan_view_refused", actor=user, desk=desk, case=case, obj=scan
        )
        raise PermissionDenied(
            "scan-view-not-allowed", _("Only supervisors may view scanned copies.")
        )
    if scan.purged_at is not None or not scan.file:
        raise NotFound(
            "scan-purged",
            _("This copy was deleted at the end of its retention period."),
        )
    with scan.file.open("rb") as handle:
        token = handle.read()
    try:
        content = _fernet().decrypt(token)
    except InvalidToken as exc:
        raise ApplicationError(
            "scan-unreadable",
            _("The copy cannot be decrypted with the configured key."),
            status=500,
        ) from exc
    audit_record(
        action="scan_viewed",
        actor=user,
        desk=desk,
        case=case,
        obj=scan,
        data={"evidence": scan.evidence_id},
    )
    return content


def scans_purge_expired(*, today: date | None = None) -> int:
    """Delete the files of copies past their retention date; keep the rows.

    Idempotent: already purged copies are skipped, so a retried task does no harm.
    """
    day = today or timezone.localdate()
    purged = 0
    due = ScannedCopy.objects.filter(retain_until__lt=day, purged_at__isnull=True)
    for scan in due.select_related("evidence__case"):
        with transaction.atomic():
            if scan.file:
                scan.file.delete(save=False)
            scan.purged_at = timezone.now()
            scan.save(update_fields=["file", "purged_at"])
            audit_record(
                action="scan_purged",
                case=scan.evidence.case,
                obj=scan,
                data={"retain_until": scan.retain_until.isoformat()},
            )
        purged += 1
    return purged
