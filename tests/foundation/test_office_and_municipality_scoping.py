"""Scope is enforced in one place (counter.scoping): clerks see their own office,
supervisors their municipality, nobody another municipality's data."""

import datetime as dt

import pytest
from django.test import Client

from counter.models import Case, Desk, Resident
from counter.roles import ROLE_AUDITOR, ROLE_CLERK, ROLE_SUPERVISOR


def _resident(municipality, register_id):
    return Resident.objects.create(
        municipality=municipality,
        register_id=register_id,
        name="試験 太郎",
        name_kana="シケン タロウ",
        address="どこか",
        birth_date=dt.date(1980, 1, 1),
        gender="male",
    )


def _case(office, resident, reference):
    return Case.objects.create(
        municipality=office.municipality,
        office=office,
        resident=resident,
        reference=reference,
        procedure="pin_reset",
        applicant_role="holder",
        state="received",
    )


@pytest.fixture
def two_cities(make_municipality, make_staff):
    atsugi = make_municipality("142123", "厚木市")
    ebina = make_municipality("142158", "海老名市")
    a_main = atsugi.offices.get()
    a_branch = atsugi.offices.create(code="kita", name="北部支所", kind="branch")
    e_main = ebina.offices.get()
    for office in (a_main, a_branch, e_main):
        Desk.objects.create(office=office, code="d1", name="1番")
    a_res, e_res = _resident(atsugi, "A1"), _resident(ebina, "E1")
    cases = {
        "a_main": _case(a_main, a_res, "A-MAIN"),
        "a_branch": _case(a_branch, a_res, "A-BRANCH"),
        "e_main": _case(e_main, e_res, "E-MAIN"),
    }
    users = {
        "a_clerk": make_staff("a_clerk", ROLE_CLERK, atsugi, a_main),
        "a_supervisor": make_staff("a_supervisor", ROLE_SUPERVISOR, atsugi, None),
        "a_auditor": make_staff("a_auditor", ROLE_AUDITOR, atsugi, None),
        "e_supervisor": make_staff("e_supervisor", ROLE_SUPERVISOR, ebina, None),
    }
    return atsugi, ebina, cases, users


def refs(qs):
    return sorted(qs.values_list("reference", flat=True))


def test_a_clerk_sees_only_the_cases_of_their_own_office(two_cities):
    *_, users = two_cities
    assert refs(Case.objects.visible_to(users["a_clerk"])) == ["A-MAIN"]
    assert Desk.objects.visible_to(users["a_clerk"]).count() == 1


def test_a_supervisor_sees_every_office_of_their_municipality_only(two_cities):
    *_, users = two_cities
    assert refs(Case.objects.visible_to(users["a_supervisor"])) == [
        "A-BRANCH",
        "A-MAIN",
    ]
    assert refs(Case.objects.visible_to(users["e_supervisor"])) == ["E-MAIN"]


def test_an_auditor_reads_the_whole_municipality(two_cities):
    *_, users = two_cities
    assert refs(Case.objects.visible_to(users["a_auditor"])) == ["A-BRANCH", "A-MAIN"]


def test_residents_of_another_municipality_are_invisible(two_cities):
    atsugi, ebina, _, users = two_cities
    visible = Resident.objects.visible_to(users["a_clerk"])
    assert set(visible.values_list("municipality", flat=True)) == {atsugi.pk}
    assert (
        not Resident.objects.visible_to(users["e_supervisor"])
        .filter(municipality=atsugi)
        .exists()
    )


def test_anonymous_sees_nothing(two_cities):
    from django.contrib.auth.models import AnonymousUser

    assert not Case.objects.visible_to(AnonymousUser()).exists()
    assert not Resident.objects.visible_to(None).exists()


def test_the_admin_console_shows_only_the_own_municipality(two_cities):
    atsugi, ebina, cases, users = two_cities
    client = Client()
    client.force_login(users["e_supervisor"])
    listing = client.get("/admin/counter/case/")
    assert listing.status_code == 200
    assert "E-MAIN" in listing.text
    assert "A-MAIN" not in listing.text
    other = client.get(f"/admin/counter/case/{cases['a_main'].pk}/change/")
    assert other.status_code == 302  # "does not exist" redirect, never the data


def test_the_api_does_not_reveal_another_municipalitys_office(two_cities):
    *_, users = two_cities
    client = Client()
    client.force_login(users["e_supervisor"])
    response = client.get("/api/v1/counter-status/", {"office": "kita"})
    assert response.status_code == 404
    assert response.json()["code"] == "unknown-office"
