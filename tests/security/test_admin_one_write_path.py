"""The admin is no second write path (issue "Why", first bullet): cases, cards,
certificates, residents and the audit trail are read-only there, clerks get no
admin, anything the console does save is an audit entry with before and after,
and nothing crosses the municipality boundary whatever the form submitted."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from counter.models import AuditEvent, Case, Desk, Office, Resident
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def console(supervisor: Any) -> Client:
    client = Client()
    client.force_login(supervisor)
    return client


def _refusals(reason: str) -> int:
    return AuditEvent.objects.filter(
        action="admin_change_refused", data__reason=reason
    ).count()


def test_a_clerk_gets_no_admin_at_all(clerk):
    client = Client()
    client.force_login(clerk)
    response = client.get("/admin/counter/case/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_a_supervisor_cannot_repoint_a_case_to_another_citys_resident(
    console, atsugi_case, sayama
):
    stranger = f.ResidentFactory(municipality=sayama)
    url = f"/admin/counter/case/{atsugi_case.pk}/change/"
    response = console.post(url, {"resident": stranger.pk, "fee": 0})
    assert response.status_code == 403
    atsugi_case.refresh_from_db()
    assert atsugi_case.resident.municipality_id != sayama.pk


def test_a_case_cannot_be_created_in_the_admin(console, sayama, city):
    before = Case.objects.count()
    assert console.get("/admin/counter/case/add/").status_code == 403
    response = console.post("/admin/counter/case/add/", {"municipality": sayama.pk})
    assert response.status_code == 403
    assert Case.objects.count() == before


@pytest.mark.parametrize("model", ["resident", "card", "certificate", "auditevent"])
def test_the_procedures_rows_are_read_only_in_the_admin(console, city, model):
    assert console.get(f"/admin/counter/{model}/add/").status_code == 403


def test_a_resident_cannot_be_moved_into_another_municipality(
    console, resident, sayama
):
    url = f"/admin/counter/resident/{resident.pk}/change/"
    page = console.get(url)
    assert page.status_code == 200
    assert b"<textarea" not in page.content
    response = console.post(url, {"municipality": sayama.pk, "name": "x"})
    assert response.status_code == 403
    assert Resident.objects.get(pk=resident.pk).municipality_id != sayama.pk


def test_an_office_in_another_municipality_is_refused_with_a_message(
    console, sayama, settings
):
    before = Office.objects.filter(municipality=sayama).count()
    response = console.post(
        "/admin/counter/office/add/",
        {
            "municipality": sayama.pk,
            "code": "intruder",
            "name": "乗っ取り支所",
            "kind": "branch",
            "phone": "0",
        },
        HTTP_ACCEPT_LANGUAGE="ja",
    )
    assert response.status_code == 200
    assert "市区町村の外" in response.content.decode()
    assert Office.objects.filter(municipality=sayama).count() == before
    assert _refusals("outside-municipality") == 1


def test_a_desk_pointing_at_another_citys_office_is_refused(console, sayama):
    foreign_office = f.main_office(sayama)
    response = console.post(
        "/admin/counter/desk/add/",
        {"office": foreign_office.pk, "code": "d9", "name": "窓口", "active": "on"},
    )
    assert response.status_code == 200
    assert not Desk.objects.filter(code="d9").exists()
    assert _refusals("outside-municipality") == 1


def test_the_case_forms_choices_stay_inside_the_city(console, city, sayama):
    f.main_office(sayama)
    page = console.get("/admin/counter/desk/add/")
    choices = page.context["adminform"].form.fields["office"].queryset
    assert {o.municipality_id for o in choices} == {city.pk}


def test_another_municipalitys_id_in_an_admin_url_is_refused_and_audited(
    console, sayama
):
    foreign_office = f.main_office(sayama)
    response = console.get(f"/admin/counter/office/{foreign_office.pk}/change/")
    assert response.status_code == 302
    refusal = AuditEvent.objects.get(action="admin_access_refused")
    assert refusal.data["reason"] == "outside-municipality"


def test_a_read_only_field_submitted_anyway_is_refused_and_audited(
    console, city, sayama
):
    profile = city.profile
    url = f"/admin/counter/municipalprofile/{profile.pk}/change/"
    form = console.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and v is not False}
    data["municipality"] = sayama.pk
    for prefix in ("opening_hours", "special_openings", "closed_days"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    response = console.post(url, data)
    assert response.status_code == 200
    profile.refresh_from_db()
    assert profile.municipality_id == city.pk
    assert _refusals("readonly-field") == 1


def test_every_admin_save_is_audited_with_before_and_after(console, office):
    url = f"/admin/counter/office/{office.pk}/change/"
    form = console.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and v is not False}
    if form.initial.get("handles_jpki"):
        data["handles_jpki"] = "on"
    old_phone = office.phone
    data["phone"] = "046-000-0000"
    response = console.post(url, data)
    assert response.status_code == 302, response.content[:800]
    event = AuditEvent.objects.get(action="admin_record_changed")
    assert event.data["model"] == "counter.office"
    assert event.data["changes"]["phone"] == [old_phone, "046-000-0000"]


def test_the_letters_list_selects_no_pdf_blob(console, city):
    with CaptureQueriesContext(connection) as queries:
        response = console.get("/admin/counter/inquiryletter/")
    assert response.status_code == 200
    selects = [q["sql"] for q in queries if "counter_inquiryletter" in q["sql"]]
    assert selects
    assert not any('"pdf"' in sql or "manifest_csv" in sql for sql in selects)
