"""The catalogue and the evaluator keep a city's reference data per process
(identity_docs/reference_cache.py; issue 14, ADR 0030) and never answer from a
state older than the database's, however the rows were changed."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from identity_docs.models import DocumentChoice, IdentityDocumentKind, RequirementRule
from tests import factories as f

pytestmark = pytest.mark.django_db

CATALOGUE = "/api/v1/identity-documents/"
EVALUATE = "/api/v1/requirements/evaluate/"
PASSPORT_ONLY = {
    "procedure": "pin_reset",
    "applicant_role": "holder",
    "visit": 1,
    "on_date": "2026-11-26",
    "documents": [
        {"code": "my_number_card", "owner": "holder", "original": True},
        {"code": "passport", "owner": "holder", "expires_on": "2030-01-01"},
    ],
}


@pytest.fixture
def api(clerk: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(clerk)
    return client


def _passport(api: APIClient) -> dict[str, Any]:
    rows = {row["code"]: row for row in api.get(CATALOGUE).json()}
    return rows["passport"]


def test_a_second_call_reads_no_catalogue_rows(api):
    api.get(CATALOGUE)
    with CaptureQueriesContext(connection) as first_again:
        api.get(CATALOGUE)
    tables = " ".join(q["sql"] for q in first_again.captured_queries)
    assert "md5(" in tables  # the fingerprint, and no row of the catalogue
    assert 'FROM "identity_docs_identitydocumentkind" ORDER BY' not in tables
    assert len(first_again.captured_queries) <= 2


def test_a_city_choice_changed_by_an_update_is_answered_at_once(api, city):
    assert _passport(api)["constraints"]["accepted"] is True
    DocumentChoice.objects.filter(municipality=city, kind__code="passport").update(
        accepted=False
    )
    assert _passport(api)["constraints"]["accepted"] is False


def test_a_national_kind_renamed_or_a_choice_dropped_is_answered_at_once(api, city):
    assert _passport(api)["name_en"] == "Passport"
    IdentityDocumentKind.objects.filter(code="passport").update(name_en="Pass")
    assert _passport(api)["name_en"] == "Pass"
    DocumentChoice.objects.filter(municipality=city, kind__code="passport").update(
        active=False
    )
    codes = {row["code"] for row in api.get(CATALOGUE).json()}
    assert "passport" not in codes


def test_a_rule_changed_after_an_evaluation_decides_the_next_one(api, city):
    assert api.post(EVALUATE, PASSPORT_ONLY, format="json").json()["satisfied"]
    rule = RequirementRule.objects.get(
        profile=city.profile, procedure="pin_reset", applicant_role="holder", visit=1
    )
    impossible = [
        {"id": "never", "alternatives": [[{"codes": ["student_id"], "count": 5}]]}
    ]
    RequirementRule.objects.filter(pk=rule.pk).update(rules=impossible)
    answer = api.post(EVALUATE, PASSPORT_ONLY, format="json").json()
    assert answer["satisfied"] is False
    RequirementRule.objects.filter(pk=rule.pk).delete()
    gone = api.post(EVALUATE, PASSPORT_ONLY, format="json")
    assert gone.status_code == 400
    assert "visit" in gone.json()["extra"]["fields"]


def test_each_city_keeps_its_own_reference(api, city):
    other_city = f.MunicipalityFactory(code="149999", name="ベツ市")
    other = APIClient()
    other.force_authenticate(f.clerk(other_city, f.main_office(other_city)))
    DocumentChoice.objects.filter(
        municipality=other_city, kind__code="passport"
    ).update(accepted=False)
    assert _passport(api)["constraints"]["accepted"] is True
    assert _passport(other)["constraints"]["accepted"] is False
