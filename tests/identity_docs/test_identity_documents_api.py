"""The two endpoints against PostgreSQL: the catalogue and the evaluator (issue 3 §5),
with a field-level 400 for each kind of bad input and nothing stored."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from counter.models import AuditEvent
from identity_docs.models import EvidencePresented

pytestmark = pytest.mark.django_db

EVALUATE = "/api/v1/requirements/evaluate/"


@pytest.fixture
def api(clerk: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(clerk)
    return client


def body(**overrides: Any) -> dict[str, Any]:
    data = {
        "procedure": "pin_reset",
        "applicant_role": "holder",
        "visit": 1,
        "on_date": "2026-11-26",
        "documents": [
            {"code": "my_number_card", "owner": "holder", "original": True},
            {"code": "passport", "owner": "holder", "expires_on": "2030-01-01"},
        ],
    }
    data.update(overrides)
    return data


def test_the_catalogue_lists_every_kind_with_its_constraints(api):
    response = api.get("/api/v1/identity-documents/")
    assert response.status_code == 200
    rows = {row["code"]: row for row in response.json()}
    assert rows["driving_history_certificate"] == {
        "code": "driving_history_certificate",
        "name_ja": "運転経歴証明書",
        "name_en": "Driving history certificate",
        "document_class": "A",
        "photo": True,
        "constraints": {
            "issued_on_or_after": "2012-04-01",
            "has_expiry": False,
            "expiry_required": False,
            "max_age_months": None,
            "accepted": True,
            "public_issuer": True,
        },
    }
    assert rows["student_id"]["document_class"] == "B"


def test_the_catalogue_shows_the_citys_own_classes(api, city):
    policy = city.profile.document_policy
    policy.document_overrides = {"seaman_handbook": {"document_class": "A"}}
    policy.save()
    rows = {row["code"]: row for row in api.get("/api/v1/identity-documents/").json()}
    assert rows["seaman_handbook"]["document_class"] == "A"


def test_both_endpoints_need_a_login():
    client = APIClient()
    assert client.get("/api/v1/identity-documents/").status_code in (401, 403)
    assert client.post(EVALUATE, body(), format="json").status_code in (401, 403)


def test_evaluate_answers_satisfied_with_the_documents_used(api):
    response = api.post(EVALUATE, body(), format="json")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["satisfied"] is True
    assert data["missing"] == []
    assert sorted(data["used"]) == ["my_number_card", "passport"]
    assert data["rejected"] == []


def test_evaluate_says_what_is_missing_and_what_was_refused(api):
    documents = [
        {"code": "my_number_card", "owner": "holder"},
        {"code": "passport", "owner": "holder", "original": False},
    ]
    data = api.post(EVALUATE, body(documents=documents), format="json").json()
    assert data["satisfied"] is False
    (missing,) = data["missing"]
    assert missing["rule"] == "holder_other_id"
    assert "マイナンバーカード以外" in missing["message_ja"]
    assert "other than the My Number Card" in missing["message_en"]
    assert [(r["code"], r["reason"]) for r in data["rejected"]] == [
        ("passport", "copy-not-accepted")
    ]


def test_the_waiver_fact_is_accepted(api):
    documents = [
        {"code": "my_number_card", "owner": "holder"},
        {"code": "driving_licence", "owner": "applicant"},
    ]
    request = body(
        procedure="pin_change",
        applicant_role="legal_representative",
        documents=documents,
        facts={"authority_confirmed_in_records": True},
    )
    data = api.post(EVALUATE, request, format="json").json()
    assert data["satisfied"] is True
    assert data["waived"] == ["proof_of_authority"]


def test_evaluating_stores_nothing_but_the_usual(api):
    before = AuditEvent.objects.count()
    api.post(EVALUATE, body(), format="json")
    api.post(EVALUATE, body(procedure="nonsense"), format="json")
    assert EvidencePresented.objects.count() == 0
    assert AuditEvent.objects.count() == before


BAD = [
    pytest.param({"procedure": "pin_unlock"}, ["procedure"], id="unknown procedure"),
    pytest.param({"applicant_role": "friend"}, ["applicant_role"], id="unknown role"),
    pytest.param({"visit": 2}, ["visit"], id="visit 2 for a holder (one visit)"),
    pytest.param(
        {"applicant_role": "legal_representative", "visit": 2},
        ["visit"],
        id="visit 2 for a legal representative (one visit)",
    ),
    pytest.param({"visit": 3}, ["visit"], id="visit 3"),
    pytest.param({"visit": -1}, ["visit"], id="negative visit"),
    pytest.param({"on_date": "2026-13-45"}, ["on_date"], id="date that does not parse"),
    pytest.param({"on_date": "1970-01-01"}, ["on_date"], id="absurd visit date"),
    pytest.param(
        {"documents": [{"code": "library_card", "owner": "holder"}]},
        ["documents"],
        id="unknown document code",
    ),
    pytest.param(
        {"documents": [{"code": "passport", "owner": "neighbour"}]},
        ["documents"],
        id="unknown owner",
    ),
    pytest.param(
        {"documents": [{"code": "passport", "issued_on": "yesterday"}]},
        ["documents"],
        id="issue date that does not parse",
    ),
    pytest.param(
        {"documents": [{"code": "passport", "issued_on": "2027-05-01"}]},
        ["documents"],
        id="issued after the visit",
    ),
    pytest.param(
        {
            "documents": [
                {
                    "code": "passport",
                    "issued_on": "2020-01-01",
                    "expires_on": "2019-01-01",
                }
            ]
        },
        ["documents"],
        id="expiry before issue",
    ),
    pytest.param(
        {"documents": [{"code": "passport"}] * 31},
        ["documents"],
        id="absurd number of documents",
    ),
    pytest.param({"documents": "passport"}, ["documents"], id="documents not a list"),
]


@pytest.mark.parametrize(("change", "fields"), BAD)
def test_bad_input_gets_a_field_level_400(api, change, fields):
    response = api.post(EVALUATE, body(**change), format="json")
    assert response.status_code == 400, response.json()
    data = response.json()
    assert data["code"] == "invalid-input"
    assert sorted(data["extra"]["fields"]) == fields


def test_a_field_message_is_japanese(api):
    data = api.post(EVALUATE, body(visit=2), format="json").json()
    (message,) = data["extra"]["fields"]["visit"]
    assert message == (
        "この申請者のこの手続きは1回目の来庁までです(2回目の来庁はありません)。"
    )


def test_the_endpoints_are_in_the_openapi_schema(api):
    response = api.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/identity-documents/" in paths
    assert "post" in paths["/api/v1/requirements/evaluate/"]


def test_an_operator_without_a_municipality_names_one(city):
    from django.contrib.auth.models import User

    operator = User.objects.create_superuser("root", password="x")
    client = APIClient()
    client.force_authenticate(operator)
    refused = client.post(EVALUATE, body(), format="json")
    assert refused.status_code == 400
    assert refused.json()["code"] == "municipality-required"
    answered = client.post(EVALUATE, body(municipality=city.code), format="json")
    assert answered.status_code == 200
    assert answered.json()["satisfied"] is True


def test_a_clerk_cannot_use_another_citys_rules(api, other_city):
    response = api.post(EVALUATE, body(municipality=other_city.code), format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "municipality-required"
