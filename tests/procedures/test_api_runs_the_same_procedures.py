"""The API: every clerk action is an authenticated endpoint calling the same
services; errors have one shape ``{"code", "message", "extra"}``."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from counter.models import Case
from tests import factories as f

from .by_post import letter_mailed
from .conftest import holder_card, holder_doc

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(clerk):
    client = APIClient()
    client.force_authenticate(clerk)
    return client


def test_the_api_needs_a_login(resident, card):
    response = APIClient().get("/api/v1/cases/")
    assert response.status_code in (401, 403)
    assert response.json()["code"] in ("not-authenticated", "not_authenticated")


def test_holders_pin_reset_through_the_api(api, resident, card, desk, agent):
    found = api.get("/api/v1/residents/", {"q": resident.name_kana[:3]}).json()
    assert [r["id"] for r in found] == [resident.pk]
    assert found[0]["cards"][0]["id"] == card.pk

    response = api.post(
        "/api/v1/cases/",
        {
            "resident": resident.pk,
            "card": card.pk,
            "desk": desk.pk,
            "procedure": "pin_reset",
            "applicant_role": "holder",
            "pin_kinds": ["signing"],
            "idempotency_key": "form-1",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    reference = response.json()["reference"]
    again = api.post(
        "/api/v1/cases/",
        {
            "resident": resident.pk,
            "card": card.pk,
            "desk": desk.pk,
            "procedure": "pin_reset",
            "applicant_role": "holder",
            "pin_kinds": ["signing"],
            "idempotency_key": "form-1",
        },
        format="json",
    )
    assert again.json()["reference"] == reference  # double submit: one case

    response = api.post(
        f"/api/v1/cases/{reference}/documents/",
        {
            "desk": desk.pk,
            "documents": [holder_card(), holder_doc("passport")],
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["evaluation"]["satisfied"] is True

    response = api.post(
        f"/api/v1/cases/{reference}/card-operations/",
        {"desk": desk.pk, "idempotency_key": "op-1"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["kind"] == "pin_reset"
    from jpki_ops.models import CardOperation

    agent.succeed(CardOperation.objects.get(pk=response.json()["operation"]))

    response = api.post(
        f"/api/v1/cases/{reference}/complete/", {"desk": desk.pk}, format="json"
    )
    assert response.json()["state"] == "completed"
    detail = api.get(f"/api/v1/cases/{reference}/").json()
    assert [h["transition"] for h in detail["history"]][-1] == "complete"
    queue = api.get("/api/v1/cases/").json()
    assert [c["reference"] for c in queue["results"]] == [reference]
    assert queue["next"] is None


def test_a_refusal_has_the_one_error_shape(api, resident, office):
    other = f.CardFactory(
        resident=f.ResidentFactory(municipality=resident.municipality)
    )
    response = api.post(
        "/api/v1/cases/",
        {
            "resident": resident.pk,
            "card": other.pk,
            "office": office.code,
            "procedure": "pin_reset",
            "applicant_role": "holder",
            "pin_kinds": ["signing"],
        },
        format="json",
    )
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "card-not-holders" and body["message"] and "extra" in body


def test_missing_documents_come_back_with_what_is_missing(api, resident, card, desk):
    reference = api.post(
        "/api/v1/cases/",
        {
            "resident": resident.pk,
            "card": card.pk,
            "desk": desk.pk,
            "procedure": "pin_reset",
            "applicant_role": "holder",
            "pin_kinds": ["signing"],
        },
        format="json",
    ).json()["reference"]
    response = api.post(
        f"/api/v1/cases/{reference}/documents/",
        {"documents": [holder_card()]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "documents-not-satisfied"
    assert response.json()["extra"]["missing"][0]["rule"] == "holder_other_id"


def test_another_citys_case_is_not_found(api):
    elsewhere = f.CaseFactory()
    response = api.get(f"/api/v1/cases/{elsewhere.reference}/")
    assert response.status_code == 404 and response.json()["code"] == "case-not-found"


def test_register_event_endpoint_revokes_the_signing_certificate(city, resident, card):
    signing = f.CertificateFactory(card=card)
    account = f.staff_user("clerk", city, None, username="juki-interface")
    account.user_permissions.add(Permission.objects.get(codename="add_registerevent"))
    client = APIClient()
    client.force_authenticate(type(account).objects.get(pk=account.pk))
    body = {
        "event_id": "juki-0001",
        "kind": "basic_items_changed",
        "register_id": resident.register_id,
        "occurred_on": "2026-11-25",
        "changes": {"address": "神奈川県厚木市旭町9-9"},
    }
    response = client.post("/api/v1/register-events/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["outcome"]["revoked"] == [signing.pk]
    assert (
        client.post("/api/v1/register-events/", body, format="json").status_code == 201
    )
    signing.refresh_from_db()
    assert signing.status == "revoked"


def test_register_events_need_their_permission(api, resident):
    response = api.post(
        "/api/v1/register-events/",
        {
            "event_id": "x",
            "kind": "deceased",
            "register_id": resident.register_id,
            "occurred_on": "2026-11-25",
        },
        format="json",
    )
    assert response.status_code == 403 and response.json()["code"] == "not-permitted"


def test_supervisor_endpoints(city, office, supervisor):
    f.CaseFactory(
        resident=f.ResidentFactory(municipality=city),
        office=office,
        state="awaiting_approval",
    )
    client = APIClient()
    client.force_authenticate(supervisor)
    assert len(client.get("/api/v1/cases/awaiting-approval/").json()["results"]) == 1
    assert client.get("/api/v1/cases/overdue-second-visits/").json() == {
        "next": None,
        "results": [],
    }
    counts = client.get("/api/v1/statistics/daily/").json()
    assert counts[0]["opened"] == 1 and counts[0]["procedure"] == "pin_reset"
    assert Case.objects.count() == 1


def test_every_case_endpoint_is_in_the_schema(api):
    from django.test import Client

    from counter.models import StaffProfile

    user = StaffProfile.objects.first().user
    browser = Client()
    browser.force_login(user)
    schema = browser.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    for path in (
        "/api/v1/cases/",
        "/api/v1/cases/{reference}/documents/",
        "/api/v1/cases/{reference}/card-operations/",
        "/api/v1/cases/{reference}/inquiry/",
        "/api/v1/second-visits/",
        "/api/v1/cases/{reference}/complete/",
        "/api/v1/cases/{reference}/cancel/",
        "/api/v1/cases/{reference}/approve-exception/",
        "/api/v1/register-events/",
        "/api/v1/suspensions/",
        "/api/v1/residents/",
    ):
        assert path in schema["paths"], path


def test_agent_visits_exception_and_cancel_through_the_api(
    api, city, resident, card, desk, supervisor, open_counter
):
    import datetime as dt

    from counter.letters.models import InquiryLetter

    base = {
        "resident": resident.pk,
        "card": card.pk,
        "desk": desk.pk,
        "applicant_name": "代理 花子",
        "applicant_address": "厚木市旭町1-1",
    }
    reference = api.post(
        "/api/v1/cases/",
        {
            **base,
            "procedure": "pin_reset",
            "applicant_role": "voluntary_agent",
            "pin_kinds": ["signing"],
        },
        format="json",
    ).json()["reference"]
    api.post(
        f"/api/v1/cases/{reference}/documents/",
        {
            "desk": desk.pk,
            "documents": [
                holder_card(),
                {"code": "driving_licence", "owner": "applicant"},
            ],
        },
        format="json",
    )
    sent = api.post(
        f"/api/v1/cases/{reference}/inquiry/", {"desk": desk.pk}, format="json"
    ).json()
    assert sent["state"] == "awaiting_second_visit" and sent["letter_reference"]
    letter_mailed(InquiryLetter.objects.get(case__reference=reference).pk)  # §6.3
    open_counter.move_to(dt.datetime(2026, 12, 1, 1, 0, tzinfo=dt.UTC))
    back = api.post(
        "/api/v1/second-visits/",
        {"reference": sent["letter_reference"], "desk": desk.pk},
        format="json",
    ).json()
    assert back["reference"] == reference and back["visit"] == 2
    cancelled = api.post(
        f"/api/v1/cases/{reference}/cancel/",
        {"desk": desk.pk, "reason": "holder came himself"},
        format="json",
    ).json()
    assert cancelled["state"] == "cancelled"

    child = f.ResidentFactory(municipality=city, under_15=True)
    child_card = f.CardFactory(resident=child)
    waiting = api.post(
        "/api/v1/cases/",
        {
            "resident": child.pk,
            "card": child_card.pk,
            "desk": desk.pk,
            "procedure": "cert_issue",
            "applicant_role": "legal_representative",
            "applicant_name": "親 一郎",
            "certificate_kinds": ["signing"],
            "exception_reason": "needed for a court filing",
        },
        format="json",
    ).json()
    assert waiting["state"] == "awaiting_approval"
    denied = api.post(
        f"/api/v1/cases/{waiting['reference']}/approve-exception/",
        {"note": "ok"},
        format="json",
    )
    assert denied.status_code == 403 and denied.json()["code"] == "not-permitted"
    boss = APIClient()
    boss.force_authenticate(supervisor)
    approved = boss.post(
        f"/api/v1/cases/{waiting['reference']}/approve-exception/",
        {"note": "checked with the guardian"},
        format="json",
    )
    assert approved.json()["state"] == "received"
