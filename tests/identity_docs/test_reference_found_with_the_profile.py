"""The catalogue and evaluate endpoints find the user's municipal profile and
the fingerprint of its reference data in one query (``city_reference_for_user``;
issue 14, ADR 0030), and check document codes against the city's kept catalogue:
the same city as ``profile_for_user``, the same refusals, the same answers as
reading the database."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from counter.errors import ApplicationError
from identity_docs.api.serializers import EvaluateInput, EvaluateOutput
from identity_docs.evaluator import PresentedDocument
from identity_docs.models import IdentityDocumentKind
from identity_docs.reference_cache import city_reference, city_reference_for_user
from identity_docs.services import profile_for_user, requirements_evaluate
from tests import factories as f

pytestmark = pytest.mark.django_db

EVALUATE = "/api/v1/requirements/evaluate/"


def body(**overrides: Any) -> dict[str, Any]:
    return {
        "procedure": "pin_reset",
        "applicant_role": "holder",
        "visit": 1,
        "on_date": "2026-11-26",
        "documents": [
            {"code": "my_number_card", "owner": "holder", "original": True},
            {"code": "passport", "owner": "holder", "expires_on": "2030-01-01"},
        ],
        **overrides,
    }


@pytest.fixture
def operator(db: Any) -> User:
    return User.objects.create_superuser("root", password="x")


@pytest.fixture
def sayama_pass(other_city: Any) -> IdentityDocumentKind:
    """Another city's local document: in the table, not in our catalogue."""
    return IdentityDocumentKind.objects.create(
        code="sayama_citizen_pass",
        name_ja="狭山市民カード",
        name_en="Sayama citizen card",
        document_class="B",
        accepted=True,
        municipality=other_city,
        sort_order=900,
    )


def test_the_profile_found_is_profile_for_users(clerk, city, other_city, operator):
    for user, code in [
        (clerk, None),
        (clerk, city.code),
        (operator, city.code),
        (operator, other_city.code),
    ]:
        expected = city_reference(profile_for_user(user=user, municipality_code=code))
        assert city_reference_for_user(user=user, municipality_code=code) is expected
    assert city_reference_for_user(user=operator, municipality_code=city.code) is not (
        city_reference_for_user(user=operator, municipality_code=other_city.code)
    )


def test_a_city_not_the_users_is_refused_as_before(clerk, other_city, operator):
    nobody = User.objects.create_user("nobody", password="x")
    for user, code in [
        (clerk, other_city.code),
        (clerk, "999999"),
        (operator, None),
        (operator, "999999"),
        (nobody, None),
        (nobody, other_city.code),
    ]:
        with pytest.raises(ApplicationError) as refused:
            city_reference_for_user(user=user, municipality_code=code)
        assert refused.value.code == "municipality-required"


def _database_answer(user: Any, data: dict[str, Any]) -> dict[str, Any]:
    """The evaluation as reading the database gives it: codes validated against
    the table, the rule and catalogue read without a kept reference."""
    checked = EvaluateInput(data=data)
    if not checked.is_valid():
        return {"fields": json.loads(JSONRenderer().render(checked.errors))}
    values = checked.validated_data
    profile = profile_for_user(user=user, municipality_code=values.get("municipality"))
    result = requirements_evaluate(
        profile=profile,
        procedure=values["procedure"],
        applicant_role=values["applicant_role"],
        visit=values["visit"],
        documents=[PresentedDocument(**d) for d in values["documents"]],
        on_date=values["on_date"],
        facts=values.get("facts") or {},
    )
    return dict(EvaluateOutput(result.as_dict()).data)


@pytest.mark.parametrize(
    "codes",
    [
        ["my_number_card", "passport"],
        ["my_number_card", "sayama_citizen_pass"],
        ["sayama_citizen_pass"],
        ["no_such_document"],
        ["passport", "no_such_document", "sayama_citizen_pass"],
    ],
)
def test_codes_are_judged_as_the_database_judges_them(clerk, sayama_pass, codes):
    client = APIClient()
    client.force_authenticate(clerk)
    data = body(documents=[{"code": code, "owner": "holder"} for code in codes])
    answer = client.post(EVALUATE, data, format="json").json()
    expected = _database_answer(clerk, data)
    if "fields" in expected:
        assert answer["code"] == "invalid-input"
        assert answer["extra"]["fields"] == expected["fields"]
    else:
        assert answer == expected


def test_the_catalogues_codes_are_checked_without_reading_the_kinds(clerk):
    client = APIClient()
    client.force_authenticate(clerk)
    client.post(EVALUATE, body(), format="json")
    with CaptureQueriesContext(connection) as again:
        answered = client.post(EVALUATE, body(), format="json")
    assert answered.json()["satisfied"] is True
    assert len(again.captured_queries) == 1  # the profile and the fingerprint
    assert "md5(" in again.captured_queries[0]["sql"]


def test_an_operator_naming_a_city_gets_its_rules(city, operator):
    client = APIClient()
    client.force_authenticate(operator)
    assert client.post(EVALUATE, body(), format="json").json()["code"] == (
        "municipality-required"
    )
    for _ in range(2):
        answered = client.post(EVALUATE, body(municipality=city.code), format="json")
        assert answered.json()["satisfied"] is True
    spaced = client.post(EVALUATE, body(municipality=f" {city.code}"), format="json")
    assert spaced.json() == answered.json()


def test_a_city_without_a_profile_answers_as_profile_for_user(clerk, city):
    stranger: Any = f.MunicipalityFactory(code="999998", name="無設定町")
    stranger.profile.delete()
    member = f.clerk(stranger)
    with pytest.raises(Exception) as direct:
        profile_for_user(user=member)
    with pytest.raises(type(direct.value)):
        city_reference_for_user(user=member)
    # Invalid input is still refused as invalid before the missing profile fails.
    client = APIClient()
    client.force_authenticate(member)
    refused = client.post(EVALUATE, body(visit=9), format="json")
    assert refused.status_code == 400
    assert "visit" in refused.json()["extra"]["fields"]


def test_the_profile_and_fingerprint_query_is_prepared_once_per_connection(clerk):
    """Kept SQL, prepared on the server like the kept reads (ADR 0035): parsed
    and planned once, not on every catalogue or evaluate request."""
    first = city_reference_for_user(user=clerk)
    assert city_reference_for_user(user=clerk) is first
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall() if "md5(" in row[0]]
    assert len(prepared) == 1, prepared
    assert "$1" in prepared[0]
