"""The API's case lists come a bounded page at a time, each page after the last
row of the one before (keyset pagination, ADR 0022): every case once, in order,
however many there are and while new ones are opened."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from counter.api.pagination import DEFAULT_LIMIT
from counter.models import AccessRecord, Case
from counter.models.cases import CaseState
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(clerk):
    client = APIClient()
    client.force_authenticate(clerk)
    return client


def _open(city, office, n, **extra):
    return [
        f.CaseFactory(
            resident=f.ResidentFactory(municipality=city), office=office, **extra
        ).reference
        for _ in range(n)
    ]


def _walk(api, url, **params):
    pages, seen = 0, []
    response = api.get(url, params)
    while True:
        assert response.status_code == 200, response.json()
        body = response.json()
        seen += [c["reference"] for c in body["results"]]
        pages += 1
        if body["next"] is None:
            return pages, seen
        response = api.get(body["next"])


def test_the_queue_pages_through_every_case_once_oldest_first(api, city, office):
    opened = _open(city, office, 7)
    pages, seen = _walk(api, "/api/v1/cases/", limit=3)
    assert pages == 3
    assert seen == opened


def test_a_case_opened_while_paging_is_neither_repeated_nor_lost(api, city, office):
    opened = _open(city, office, 4)
    first = api.get("/api/v1/cases/", {"limit": 2}).json()
    assert [c["reference"] for c in first["results"]] == opened[:2]
    later = _open(city, office, 1)
    rest = api.get(first["next"]).json()
    rest_refs = [c["reference"] for c in rest["results"]]
    while rest["next"]:
        rest = api.get(rest["next"]).json()
        rest_refs += [c["reference"] for c in rest["results"]]
    assert rest_refs == opened[2:] + later


def test_cases_opened_at_the_same_instant_are_told_apart_by_id(api, city, office):
    opened = _open(city, office, 5)
    same = timezone.now().replace(microsecond=0)
    Case.objects.filter(reference__in=opened).update(created_at=same, updated_at=same)
    _pages, seen = _walk(api, "/api/v1/cases/", limit=2)
    assert seen == sorted(opened, key=lambda r: Case.objects.get(reference=r).pk)


def test_a_cursor_the_list_did_not_give_out_is_refused_with_the_field(api):
    # not base64; [1]; {"a":1}; ["2026-13-45T00:00:00",1]
    for forged in (
        "not-a-cursor",
        "WzFd",
        "eyJhIjoxfQ",
        "WyIyMDI2LTEzLTQ1VDAwOjAwOjAwIiwxXQ",
    ):
        response = api.get("/api/v1/cases/", {"cursor": forged})
        assert response.status_code == 400
        assert "cursor" in response.json()["extra"]["fields"]


def test_the_page_size_is_bounded(api, city, office):
    for limit in (0, 201, -1):
        response = api.get("/api/v1/cases/", {"limit": limit})
        assert response.status_code == 400
        assert "limit" in response.json()["extra"]["fields"]
    _open(city, office, DEFAULT_LIMIT + 1)
    assert len(api.get("/api/v1/cases/").json()["results"]) == DEFAULT_LIMIT


def test_the_supervisors_lists_page_the_same_way(city, office, supervisor):
    waiting = _open(city, office, 3, state=CaseState.AWAITING_APPROVAL)
    overdue = _open(city, office, 3, state=CaseState.AWAITING_SECOND_VISIT)
    deadline = timezone.localdate() - dt.timedelta(days=10)
    for i, reference in enumerate(reversed(overdue)):
        Case.objects.filter(reference=reference).update(
            second_visit_deadline=deadline + dt.timedelta(days=i)
        )
    client = APIClient()
    client.force_authenticate(supervisor)
    pages, seen = _walk(client, "/api/v1/cases/awaiting-approval/", limit=2)
    assert (pages, seen) == (2, waiting)
    pages, seen = _walk(client, "/api/v1/cases/overdue-second-visits/", limit=2)
    assert (pages, seen) == (2, list(reversed(overdue)))


def test_the_pages_and_their_parameters_are_in_the_schema(api):
    schema = api.get("/api/v1/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/cases/"]["get"]
    assert operation["operationId"] == "cases_list"  # as before the pages
    names = {p["name"] for p in operation["parameters"]}
    assert {"cursor", "limit", "office"} <= names
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]
    page = schema["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]
    assert set(page["properties"]) == {"next", "results"}
    assert page["properties"]["next"]["nullable"] is True
    limit = next(p for p in operation["parameters"] if p["name"] == "limit")
    assert limit["schema"]["maximum"] == 200


def test_the_case_detail_costs_the_same_queries_however_long_its_history(
    city, office, clerk, desk, open_counter, django_assert_max_num_queries
):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=clerk)}")

    def opened(**extra):
        resident = f.ResidentFactory(municipality=city)
        return f.CaseFactory(
            resident=resident,
            card=f.CardFactory(resident=resident),
            office=office,
            clerk=clerk,
            desk=desk,
            pin_kinds=["signing"],
            **extra,
        )

    fresh = opened()
    busy = opened(documents_checked=True)
    api.get(f"/api/v1/cases/{fresh.reference}/")  # the permissions cached
    for case in (fresh, busy):
        before = AccessRecord.objects.filter(case=case).count()
        # The token with its user and staff profile, the case, its history (with
        # actor and desk) and the access record; no permission query.
        with django_assert_max_num_queries(4):
            response = api.get(f"/api/v1/cases/{case.reference}/")
        assert response.status_code == 200
        assert response.json()["history"]
        assert AccessRecord.objects.filter(case=case).count() == before + 1
    assert len(api.get(f"/api/v1/cases/{busy.reference}/").json()["history"]) > 1


def test_an_open_case_from_an_earlier_day_touched_today_leads_the_queue(
    api, city, office
):
    earlier_open, earlier_untouched = _open(city, office, 2)
    (earlier_done,) = _open(city, office, 1, state=CaseState.COMPLETED)
    today = _open(city, office, 2)
    yesterday = timezone.now() - dt.timedelta(days=1)
    for reference in (earlier_open, earlier_done, earlier_untouched):
        Case.objects.filter(reference=reference).update(created_at=yesterday)
    Case.objects.filter(reference=earlier_untouched).update(updated_at=yesterday)
    _pages, seen = _walk(api, "/api/v1/cases/", limit=2)
    assert seen == [earlier_open, *today]
