"""A refused request writes nothing (issue "Why", third bullet): the auditor's
document check through the API is refused before any evidence row is stored, and
the auditor and the register integration cannot open a case anywhere they should
not."""

from __future__ import annotations

import pytest

from counter.errors import PermissionDenied
from counter.models import AuditEvent
from counter.services.case_documents import case_record_documents
from identity_docs.models import EvidencePresented
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_a_refused_document_check_stores_no_evidence(logins, atsugi_case):
    response = logins["auditor"].post(
        f"/api/v1/cases/{atsugi_case.reference}/documents/",
        {"documents": [{"code": "passport"}]},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not EvidencePresented.objects.filter(case=atsugi_case).exists()


def test_the_service_refuses_before_storing_evidence(atsugi_case, city):
    """Even called directly, the step's permission is checked first."""
    auditor = f.auditor(city)
    with pytest.raises(PermissionDenied):
        case_record_documents(
            case=atsugi_case, actor=auditor, documents=[{"code": "passport"}]
        )
    assert not EvidencePresented.objects.filter(case=atsugi_case).exists()
    assert AuditEvent.objects.filter(action__endswith="refused").exists()


def test_the_auditor_cannot_open_a_case_on_the_reception_screen(logins, atsugi_case):
    response = logins["auditor"].get(f"/counter/cases/{atsugi_case.reference}/")
    assert response.status_code == 403


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/cases/",
        "/api/v1/residents/?q=a",
        "/api/v1/desk/operations/1/",
        "/counter/console/",
        "/counter/",
    ],
)
def test_the_register_integration_reads_no_case_resident_or_console(logins, url):
    assert logins["register"].get(url).status_code in (302, 403, 404)
