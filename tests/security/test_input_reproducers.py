"""Issue 11 'Why': each piece of bad input that used to answer 500 now answers
400 with a message for the field, and changes nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

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
