"""Evidence names only documents of the case's own municipality's catalogue
(issue 10, bad input; docs/rules/05-identity-documents.md §5.1): another city's
local document code is refused with its own message, nothing is stored, and the
refusal is audited like every other refusal, through the service, the API and
the checklist screen."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from counter.errors import ApplicationError
from counter.models import AuditEvent, Case
from identity_docs.evaluator import PresentedDocument
from identity_docs.models import EvidencePresented, IdentityDocumentKind
from identity_docs.services import evidence_record

pytestmark = pytest.mark.django_db

SAYAMA_PASS = "sayama_citizen_pass"
MESSAGE_JA = "この市区町村の本人確認書類の一覧にない書類です"


@pytest.fixture
def sayama_pass(sayama: Any) -> IdentityDocumentKind:
    """Sayama's own local document (a kind with its municipality)."""
    return IdentityDocumentKind.objects.create(
        code=SAYAMA_PASS,
        name_ja="狭山市民カード",
        name_en="Sayama citizen card",
        document_class="B",
        accepted=True,
        municipality=sayama,
        sort_order=900,
    )


@pytest.fixture
def atsugi_pass(city: Any) -> IdentityDocumentKind:
    return IdentityDocumentKind.objects.create(
        code="atsugi_citizen_pass",
        name_ja="厚木市民カード",
        name_en="Atsugi citizen card",
        document_class="B",
        accepted=True,
        municipality=city,
        sort_order=900,
    )


def _documents(*codes: str) -> list[PresentedDocument]:
    return [PresentedDocument(code=code, owner="holder") for code in codes]


def test_the_service_refuses_another_citys_local_document_and_stores_nothing(
    atsugi_case: Case, clerk: Any, sayama_pass: IdentityDocumentKind
) -> None:
    with pytest.raises(ApplicationError) as refused:
        evidence_record(
            case=atsugi_case,
            visit=1,
            documents=_documents("my_number_card", SAYAMA_PASS),
            clerk=clerk,
        )
    assert refused.value.code == "document-not-in-catalogue"
    assert refused.value.extra == {"codes": [SAYAMA_PASS]}
    assert MESSAGE_JA in str(refused.value.message)
    assert not EvidencePresented.objects.exists()
    assert not AuditEvent.objects.filter(action="identity_documents_checked").exists()


def test_the_service_still_records_the_citys_own_local_document(
    atsugi_case: Case, clerk: Any, atsugi_pass: IdentityDocumentKind
) -> None:
    rows, _result = evidence_record(
        case=atsugi_case,
        visit=1,
        documents=_documents("my_number_card", atsugi_pass.code),
        clerk=clerk,
    )
    assert [r.kind.code for r in rows] == ["my_number_card", atsugi_pass.code]


def test_the_api_answers_400_with_the_code_stores_nothing_and_audits_the_refusal(
    atsugi_case: Case, clerk: Any, sayama_pass: IdentityDocumentKind
) -> None:
    api = APIClient()
    api.force_authenticate(clerk)
    response = api.post(
        f"/api/v1/cases/{atsugi_case.reference}/documents/",
        {"documents": [{"code": "my_number_card"}, {"code": SAYAMA_PASS}]},
        format="json",
    )
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "document-not-in-catalogue"
    assert MESSAGE_JA in response.json()["message"]
    assert not EvidencePresented.objects.exists()
    refusal = AuditEvent.objects.get(action="case_record_documents_refused")
    assert refusal.case == atsugi_case
    assert refusal.data["code"] == "document-not-in-catalogue"
    assert refusal.data["extra"] == {"codes": [SAYAMA_PASS]}
    atsugi_case.refresh_from_db()
    assert atsugi_case.state == "received"


def test_the_checklist_screen_refuses_a_forged_document_says_so_and_audits_it(
    client: Any, atsugi_case: Case, clerk: Any, sayama_pass: IdentityDocumentKind
) -> None:
    """The screen's form offers only this city's documents; a forged tick of
    another city's is refused with the document's code named, not dropped."""
    client.force_login(clerk)
    response = client.post(
        "/identity-documents/checklist/record/",
        {
            "case": atsugi_case.pk,
            "visit": "1",
            "doc": ["my_number_card@holder", f"{SAYAMA_PASS}@holder"],
        },
        follow=True,
    )
    page = response.content.decode()
    assert "この確認表にない書類です" in page and SAYAMA_PASS in page
    assert not EvidencePresented.objects.exists()
    refusal = AuditEvent.objects.get(action="evidence_record_refused")
    assert refusal.case == atsugi_case
    assert refusal.data == {
        "code": "document-not-in-catalogue",
        "codes": [SAYAMA_PASS],
    }
