"""A real Celery worker (Redis, separate process) runs the nightly purge of scanned
copies past their retention date (docs/reference/style.md §3.11, integration layer)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from identity_docs.evaluator import PresentedDocument

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

#: The worker reads the scans' directory from its own settings, so this test keeps
#: MEDIA_ROOT as configured; only this process needs a key to encrypt.
TEST_KEY = "aWRlbnRpdHktZG9jcy10ZXN0LWtleS0zMi1ieXRlcyE="


def test_the_worker_purges_expired_copies_and_keeps_the_rows(
    celery_worker, settings, city
):
    from django.contrib.auth.models import User

    from counter.models import AuditEvent, Case, Resident, StaffProfile
    from identity_docs.models import ScannedCopy
    from identity_docs.scans import scan_store
    from identity_docs.services import evidence_record, identity_document_kinds_load
    from identity_docs.tasks import purge_expired_scans

    settings.SCAN_ENCRYPTION_KEY = TEST_KEY
    identity_document_kinds_load()  # a flushed database lost the migration's rows
    clerk = User.objects.create_user("clerk-int", password="x")
    office = city.offices.get(code="honcho")
    StaffProfile.objects.create(user=clerk, municipality=city, office=office)
    resident = Resident.objects.create(
        municipality=city,
        register_id="R-9",
        name="厚木 太郎",
        name_kana="アツギ タロウ",
        address="厚木市中町3-17-17",
        birth_date=timezone.localdate() - timedelta(days=365 * 40),
        gender="male",
    )
    case = Case.objects.create(
        municipality=city,
        office=office,
        resident=resident,
        reference="C-INT-1",
        procedure="pin_reset",
        applicant_role="holder",
    )
    rows, _ = evidence_record(
        case=case,
        visit=1,
        documents=[PresentedDocument(code="passport")],
        clerk=clerk,
    )
    old = scan_store(
        evidence=rows[0], content=b"old scan", content_type="image/png", clerk=clerk
    )
    new = scan_store(
        evidence=rows[0], content=b"new scan", content_type="image/png", clerk=clerk
    )
    ScannedCopy.objects.filter(pk=old.pk).update(
        retain_until=timezone.localdate() - timedelta(days=1)
    )
    old_path, new_path = Path(old.file.path), Path(new.file.path)
    assert old_path.exists() and new_path.exists()

    assert purge_expired_scans.delay().get(timeout=60) == 1, celery_worker.log()[-2000:]

    old.refresh_from_db()
    assert old.purged_at is not None and not old_path.exists()
    assert new_path.exists()
    assert AuditEvent.objects.filter(
        action="scan_purged", object_id=str(old.pk)
    ).exists()
    assert purge_expired_scans.delay().get(timeout=60) == 0  # a redelivery is harmless
    new.file.delete(save=False)
