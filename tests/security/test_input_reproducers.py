"""Issue 11 'Why': each piece of bad input that used to answer 500 now answers
400 with a message for the field, and changes nothing."""

from __future__ import annotations

import json

import pytest
from django.db import OperationalError
from django.test import Client
from kombu.exceptions import OperationalError as BrokerDown
from rest_framework.test import APIClient

from counter import selectors
from counter.api.errors import server_error
from counter.models import Case
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(clerk):
    client = APIClient()
    client.force_authenticate(clerk)
    return client


@pytest.fixture
def browser(clerk):
    client = Client(raise_request_exception=False)
    client.force_login(clerk)
    return client


def _open_body(resident, card, **extra):
    return {
        "resident": resident.pk,
        "card": card.pk,
        "procedure": "pin_reset",
        "applicant_role": "holder",
        "pin_kinds": ["signing"],
        **extra,
    }


def test_a_checklist_case_that_is_not_a_number_is_a_400(browser):
    response = browser.get("/identity-documents/checklist/", {"case": "abc"})
    assert response.status_code == 400


def test_a_case_page_with_a_nul_in_its_reference_is_a_404(browser):
    response = browser.get("/counter/cases/%00/")
    assert response.status_code in (400, 404)


def test_a_checklist_record_with_a_visit_that_is_not_a_number_is_a_400(
    browser, open_counter, resident, card, clerk, office
):
    case = f.CaseFactory(resident=resident, card=card, office=office)
    response = browser.post(
        "/identity-documents/checklist/record/", {"case": case.pk, "visit": "x"}
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    "field", ["applicant_name", "applicant_address", "applicant_relation"]
)
def test_an_applicant_text_longer_than_its_column_is_a_400(
    api, open_counter, resident, card, field
):
    response = api.post(
        "/api/v1/cases/",
        _open_body(resident, card, **{field: "あ" * 301}),
        format="json",
    )
    assert response.status_code == 400, response.content
    assert field in response.json()["extra"]["fields"]


def test_a_refusal_code_longer_than_sixty_characters_is_a_400(
    api, open_counter, resident, card, office
):
    case = f.CaseFactory(resident=resident, card=card, office=office)
    response = api.post(
        f"/api/v1/cases/{case.reference}/refuse/",
        {"code": "x" * 61, "reason": "本人確認できず"},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert "code" in response.json()["extra"]["fields"]
    case.refresh_from_db()
    assert case.outcome_code == ""


def test_a_suspension_naming_a_certificate_that_is_not_on_a_card_is_a_400(
    api, open_counter, card
):
    response = api.post(
        "/api/v1/suspensions/",
        {"card": card.pk, "certificate_outcome": {"zz-not-hex\x00": "revoked"}},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert "certificate_outcome" in response.json()["extra"]["fields"]
    assert not Case.objects.exists()


def test_a_case_reference_with_a_nul_is_a_404_in_the_api(api):
    response = api.get("/api/v1/cases/%00/")
    assert response.status_code == 404
    assert response.json()["code"] == "case-not-found"


@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("cancel", {"reason": ""}, "reason"),
        ("refuse", {"code": "identity-unconfirmed", "reason": "  "}, "reason"),
        ("approve-exception", {"note": ""}, "note"),
    ],
)
def test_an_empty_reason_is_a_field_error_as_the_schema_says(
    api, open_counter, resident, card, office, action, body, field
):
    case = f.CaseFactory(resident=resident, card=card, office=office)
    response = api.post(
        f"/api/v1/cases/{case.reference}/{action}/", body, format="json"
    )
    assert response.status_code == 400, response.content
    assert field in response.json()["extra"]["fields"]
    schema = api.get("/api/v1/schema/", {"format": "json"}).json()
    operation = schema["paths"][f"/api/v1/cases/{{reference}}/{action}/"]["post"]
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    spec = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert field in spec["required"]
    assert spec["properties"][field]["pattern"] == "\\S"


def test_every_operation_documents_every_error_status(api):
    schema = api.get("/api/v1/schema/", {"format": "json"}).json()
    missing = [
        f"{method.upper()} {path} {status}"
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
        for status in ("400", "401", "403", "404", "409", "429", "500", "503")
        if status not in operation["responses"]
    ]
    assert missing == []


@pytest.mark.parametrize(
    ("failure", "status", "code"),
    [
        (OperationalError("connection refused"), 503, "database-unavailable"),
        (BrokerDown("broker down"), 503, "broker-unavailable"),
        (RuntimeError("山田 太郎 1980-05-05"), 500, "server-error"),
    ],
)
def test_an_outage_or_a_failure_answers_the_json_error_without_its_text(
    api, monkeypatch, failure, status, code
):
    def fail(**kwargs):
        raise failure

    monkeypatch.setattr(selectors, "cases_awaiting_approval", fail)
    response = api.get("/api/v1/cases/awaiting-approval/")
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code
    assert str(failure) not in response.content.decode()


def test_a_failure_before_the_view_answers_json_on_the_api_only(rf):
    try:
        raise OperationalError("database is gone")
    except OperationalError:
        api_answer = server_error(rf.get("/api/v1/cases/"))
    assert api_answer.status_code == 503
    assert json.loads(api_answer.content)["code"] == "database-unavailable"


def test_an_api_address_no_route_matches_answers_json(api):
    response = api.get("/api/v1/desk/operations/-1/")
    assert response.status_code == 404
    assert response.json()["code"] == "not-found"


def test_a_catalogue_query_with_a_forged_municipality_code_is_a_400(api):
    response = api.get("/api/v1/identity-documents/", {"municipality": "14\x00123"})
    assert response.status_code == 400
    assert "municipality" in response.json()["extra"]["fields"]


def test_an_exception_may_be_rejected_without_a_note(
    open_counter, city, office, resident, card, supervisor
):
    case = f.CaseFactory(
        resident=resident, card=card, office=office, state="awaiting_approval"
    )
    client = APIClient()
    client.force_authenticate(supervisor)
    response = client.post(
        f"/api/v1/cases/{case.reference}/reject-exception/", {"note": ""}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "refused"
