"""§5.4: where the city's document policy says identity documents are copied as
scans, the document check passes only once each counted class A or B document has
its scanned copy. The refusal names the document in Japanese, the documents shown
are still recorded, the refusal is audited, and a copy taken at the same visit
counts when the documents are recorded again. The card needs no copy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from counter.errors import ApplicationError
from counter.models import AuditEvent
from counter.services.case_documents import case_record_documents
from identity_docs.models import DocumentPolicy, EvidencePresented, ScannedCopy
from identity_docs.scans import scan_store

pytestmark = pytest.mark.django_db

TEST_KEY = "aWRlbnRpdHktZG9jcy10ZXN0LWtleS0zMi1ieXRlcyE="
SCAN = (b"%PDF-1.4 driving licence of the holder", "application/pdf")
SHOWN = [
    {"code": "my_number_card", "owner": "holder"},
    {"code": "driving_licence", "owner": "holder"},
]


@pytest.fixture(autouse=True)
def _scans_on_disk(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    settings.SCAN_ENCRYPTION_KEY = TEST_KEY


@pytest.fixture
def copies_kept(city: Any) -> None:
    DocumentPolicy.objects.filter(profile=city.profile).update(
        scanned_copies_required=True
    )


def _reset(counter_case: Any) -> Any:
    return counter_case(procedure="pin_reset", pin_kinds=["authentication"])


def test_without_the_scanned_copy_the_document_check_does_not_pass(
    copies_kept, counter_case, clerk, desk
):
    case = _reset(counter_case)
    with pytest.raises(ApplicationError) as exc:
        case_record_documents(case=case, actor=clerk, desk=desk, documents=SHOWN)
    assert exc.value.code == "scanned-copy-missing"
    assert exc.value.extra["documents"] == ["driving_licence"]
    with translation.override("ja"):
        message = str(exc.value.message)
    assert "写し（スキャン）" in message and "運転免許証" in message
    assert "§5.4" in message
    case.refresh_from_db()
    assert case.state == "received"
    assert EvidencePresented.objects.filter(case=case).count() == 2
    refused = AuditEvent.objects.get(action="case_record_documents_refused")
    assert refused.data["code"] == "scanned-copy-missing"


def test_with_the_scanned_copy_the_document_check_passes(
    copies_kept, counter_case, clerk, desk
):
    case = _reset(counter_case)
    case, evaluation = case_record_documents(
        case=case, actor=clerk, desk=desk, documents=SHOWN, scans={1: SCAN}
    )
    assert evaluation.satisfied and case.state == "documents_checked"
    copy = ScannedCopy.objects.get()
    assert copy.evidence.kind.code == "driving_licence"


def test_a_copy_taken_after_the_refusal_counts_when_recorded_again(
    copies_kept, counter_case, clerk, desk
):
    case = _reset(counter_case)
    with pytest.raises(ApplicationError):
        case_record_documents(
            case=case, actor=clerk, desk=desk, documents=SHOWN, scans={0: SCAN}
        )
    # The card's image is not the licence's copy: still refused.
    with pytest.raises(ApplicationError) as exc:
        case_record_documents(case=case, actor=clerk, desk=desk, documents=SHOWN)
    assert exc.value.code == "scanned-copy-missing"
    licence = EvidencePresented.objects.filter(
        case=case, kind__code="driving_licence"
    ).first()
    scan_store(evidence=licence, content=SCAN[0], content_type=SCAN[1], clerk=clerk)
    case, evaluation = case_record_documents(
        case=case, actor=clerk, desk=desk, documents=SHOWN
    )
    assert case.state == "documents_checked"


def test_a_city_that_keeps_paper_copies_passes_without_scans(counter_case, clerk, desk):
    case = _reset(counter_case)
    case, evaluation = case_record_documents(
        case=case, actor=clerk, desk=desk, documents=SHOWN
    )
    assert case.state == "documents_checked"
    assert not ScannedCopy.objects.exists()
