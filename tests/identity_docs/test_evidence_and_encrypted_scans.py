"""What was shown at a visit is recorded with who checked it; the counter's copy is
encrypted at rest, opened only by supervisors with an audit entry, and purged after
the city's retention period (issue 3 §4; seed: 窓口で複写いたします)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils import timezone

from counter.errors import NotFound, PermissionDenied
from counter.models import AuditEvent
from identity_docs.evaluator import PresentedDocument
from identity_docs.scans import scan_open, scan_store, scans_purge_expired
from identity_docs.services import evidence_record
from identity_docs.tasks import purge_expired_scans

pytestmark = pytest.mark.django_db

PLAINTEXT = b"%PDF-1.4 passport scan of ATSUGI HANAKO TZ1234567"


#: A valid Fernet key for these tests (32 bytes, urlsafe base64).
TEST_KEY = "aWRlbnRpdHktZG9jcy10ZXN0LWtleS0zMi1ieXRlcyE="


@pytest.fixture(autouse=True)
def media_in_tmp(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path)
    settings.SCAN_ENCRYPTION_KEY = TEST_KEY
    return tmp_path


@pytest.fixture
def evidence(make_case: Any, clerk: Any) -> Any:
    case = make_case("pin_reset", "holder")
    rows, result = evidence_record(
        case=case,
        visit=1,
        documents=[
            PresentedDocument(code="my_number_card", owner="holder"),
            PresentedDocument(code="passport", owner="holder"),
        ],
        clerk=clerk,
    )
    assert result.satisfied
    return rows[1]


def test_evidence_records_each_document_who_checked_it_and_the_answer(make_case, clerk):
    case = make_case("pin_reset", "holder")
    rows, result = evidence_record(
        case=case,
        visit=1,
        documents=[
            PresentedDocument(code="my_number_card", owner="holder"),
            PresentedDocument(code="passport", owner="holder", original=False),
        ],
        clerk=clerk,
    )
    assert not result.satisfied
    assert [(r.kind.code, r.accepted, r.reason) for r in rows] == [
        ("my_number_card", True, ""),
        ("passport", False, "copy-not-accepted"),
    ]
    assert all(r.checked_by == clerk and r.checked_at for r in rows)
    event = AuditEvent.objects.filter(action="identity_documents_checked").get()
    assert event.case == case
    assert event.data["satisfied"] is False
    assert event.data["missing"] == ["holder_other_id"]


def test_the_scan_on_disk_and_in_the_database_is_not_the_plaintext(
    evidence, clerk, media_in_tmp
):
    scan = scan_store(
        evidence=evidence,
        content=PLAINTEXT,
        content_type="application/pdf",
        clerk=clerk,
    )
    on_disk = Path(scan.file.path).read_bytes()
    assert PLAINTEXT not in on_disk
    assert b"TZ1234567" not in on_disk
    assert on_disk.startswith(b"gAAAAA")  # a Fernet token
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT * FROM identity_docs_scannedcopy WHERE id = %s", [scan.pk]
        )
        row = cursor.fetchone()
    assert all("TZ1234567" not in str(value) for value in row)
    assert scan.retain_until == timezone.localdate() + timedelta(days=365)


def test_a_supervisor_opens_a_copy_and_leaves_an_audit_entry(
    evidence, clerk, supervisor
):
    scan = scan_store(
        evidence=evidence,
        content=PLAINTEXT,
        content_type="application/pdf",
        clerk=clerk,
    )
    assert scan_open(scan=scan, user=supervisor) == PLAINTEXT
    event = AuditEvent.objects.filter(action="scan_viewed").get()
    assert event.actor == supervisor
    assert event.case == evidence.case
    assert event.object_id == str(scan.pk)


def test_a_clerk_cannot_open_a_copy_and_the_attempt_is_audited(evidence, clerk):
    scan = scan_store(
        evidence=evidence, content=PLAINTEXT, content_type="image/png", clerk=clerk
    )
    with pytest.raises(PermissionDenied):
        scan_open(scan=scan, user=clerk)
    assert AuditEvent.objects.filter(action="scan_view_refused", actor=clerk).exists()
    assert not AuditEvent.objects.filter(action="scan_viewed").exists()


def test_retention_comes_from_the_citys_policy_and_the_task_purges(
    evidence, clerk, supervisor, city
):
    policy = city.profile.document_policy
    policy.scan_retention_days = 30
    policy.save()
    scan = scan_store(
        evidence=evidence, content=PLAINTEXT, content_type="image/jpeg", clerk=clerk
    )
    assert scan.retain_until == timezone.localdate() + timedelta(days=30)
    path = Path(scan.file.path)
    assert scans_purge_expired(today=scan.retain_until) == 0  # kept on the last day
    assert path.exists()
    scan.retain_until = timezone.localdate() - timedelta(days=1)
    scan.save()
    assert purge_expired_scans() == 1
    assert not path.exists()
    scan.refresh_from_db()
    assert scan.purged_at is not None
    assert AuditEvent.objects.filter(action="scan_purged").count() == 1
    assert purge_expired_scans() == 0  # idempotent
    with pytest.raises(NotFound):
        scan_open(scan=scan, user=supervisor)


@pytest.mark.parametrize(
    ("content", "content_type", "code"),
    [
        (b"", "image/png", "scan-size-invalid"),
        (b"x" * (10 * 1024 * 1024 + 1), "image/png", "scan-size-invalid"),
        (b"<html>", "text/html", "scan-type-not-allowed"),
    ],
)
def test_bad_scans_are_refused(evidence, clerk, content, content_type, code):
    from counter.errors import ApplicationError

    with pytest.raises(ApplicationError) as info:
        scan_store(
            evidence=evidence, content=content, content_type=content_type, clerk=clerk
        )
    assert info.value.code == code


def test_a_missing_key_is_a_clear_configuration_error(evidence, clerk, settings):
    settings.SCAN_ENCRYPTION_KEY = ""
    with pytest.raises(ImproperlyConfigured, match="SCAN_ENCRYPTION_KEY"):
        scan_store(
            evidence=evidence, content=PLAINTEXT, content_type="image/png", clerk=clerk
        )
    settings.SCAN_ENCRYPTION_KEY = "bm90LWEtZmVybmV0LWtleQ=="
    with pytest.raises(ImproperlyConfigured, match="not a Fernet key"):
        scan_store(
            evidence=evidence, content=PLAINTEXT, content_type="image/png", clerk=clerk
        )
    del settings.SCAN_ENCRYPTION_KEY
    with pytest.raises(ImproperlyConfigured, match="SCAN_ENCRYPTION_KEY"):
        scan_store(
            evidence=evidence, content=PLAINTEXT, content_type="image/png", clerk=clerk
        )


def test_an_answer_sheet_is_never_scanned_because_it_carries_pins(make_case, clerk):
    from counter.errors import ApplicationError

    case = make_case("pin_reset", "voluntary_agent", ref="C-2")
    rows, _ = evidence_record(
        case=case,
        visit=2,
        documents=[PresentedDocument(code="inquiry_answer_sheet", sealed=True)],
        clerk=clerk,
    )
    with pytest.raises(ApplicationError) as info:
        scan_store(
            evidence=rows[0], content=b"PIN 1234", content_type="image/png", clerk=clerk
        )
    assert info.value.code == "scan-not-allowed"
    assert not rows[0].scans.exists()
