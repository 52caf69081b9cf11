"""A page of an API case list is a read of every resident on it: one access entry
per resident shown, written in one statement before the answer, none for an
empty page, never one for another city's case (docs/security/audit-trail.md,
"What is a read")."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from counter.audit import access_record_many
from counter.models import AccessPath, AccessRecord, Case
from counter.models.cases import CaseState
from tests import factories as f

pytestmark = pytest.mark.django_db

LIST = "/api/v1/cases/"


@pytest.fixture
def api(clerk):
    client = APIClient()
    client.force_authenticate(clerk)
    return client


def _open(city, office, n, **extra):
    if office is not None:
        extra["office"] = office
    return [
        f.CaseFactory(resident=f.ResidentFactory(municipality=city), **extra)
        for _ in range(n)
    ]


def _logged():
    """(case reference, resident id) of each API case-list entry, oldest first."""
    return [
        (e.case.reference, e.resident_id)
        for e in AccessRecord.objects.filter(path=AccessPath.API_CASE_LIST)
        .select_related("case")
        .order_by("id")
    ]


def _shown(body):
    return [(c["reference"], c["resident"]["id"]) for c in body["results"]]


def test_a_page_writes_one_entry_per_resident_shown_with_who_and_which_case(
    api, clerk, city, office
):
    opened = _open(city, office, 3)
    response = api.get(LIST, {"limit": 2})
    assert response.status_code == 200
    shown = _shown(response.json())
    assert shown == [(c.reference, c.resident_id) for c in opened[:2]]
    assert _logged() == shown
    entries = AccessRecord.objects.filter(path=AccessPath.API_CASE_LIST)
    assert {(e.actor, e.actor_label, e.municipality_id, e.desk) for e in entries} == {
        (clerk, clerk.get_username(), city.pk, None)
    }
    assert {(e.object_type, e.object_id) for e in entries} == {
        ("counter.case", str(c.pk)) for c in opened[:2]
    }
    assert {e.url for e in entries} == {f"{LIST}?limit=2"}


def test_the_next_page_writes_its_own_entries(api, city, office):
    opened = _open(city, office, 5)
    first = api.get(LIST, {"limit": 2}).json()
    second = api.get(first["next"]).json()
    assert _logged() == _shown(first) + _shown(second)
    assert [ref for ref, _r in _logged()] == [c.reference for c in opened[:4]]
    second_entries = AccessRecord.objects.filter(
        path=AccessPath.API_CASE_LIST, case__in=opened[2:4]
    )
    assert {e.url for e in second_entries} == {first["next"].split("testserver")[1]}


def test_an_empty_page_writes_nothing(api):
    response = api.get(LIST)
    assert response.status_code == 200
    assert response.json()["results"] == []
    assert not AccessRecord.objects.exists()


def test_another_citys_cases_are_neither_shown_nor_logged(api, city, office):
    other = f.MunicipalityFactory()
    branch = f.OfficeFactory(municipality=other)
    _open(other, None, 2)
    _open(other, branch, 2)
    ours = _open(city, office, 1)
    shown = _shown(api.get(LIST, {"limit": 200}).json())
    assert shown == [(ours[0].reference, ours[0].resident_id)]
    # Asking for the other city's branch is refused and logs nothing more.
    refused = api.get(LIST, {"office": branch.code})
    assert refused.status_code == 404
    assert _logged() == shown
    assert not AccessRecord.objects.filter(municipality=other).exists()


def test_a_page_and_its_access_log_are_one_statement_whatever_its_size(
    api, city, office
):
    """ADR 0038: the page's read writes its entries itself, so there is no
    answer without them and no second round trip."""
    _open(city, office, 6)
    api.get(LIST, {"limit": 1})  # permissions and the like cached

    def statements(limit):
        with CaptureQueriesContext(connection) as ctx:
            assert len(api.get(LIST, {"limit": limit}).json()["results"]) == limit
        return [q["sql"] for q in ctx.captured_queries]

    small, large = statements(2), statements(6)
    assert len(small) == len(large)
    logging = [s for s in large if 'INSERT INTO "counter_accessrecord"' in s]
    assert len(logging) == 1
    assert logging[0].startswith("WITH shown")
    assert 'FROM "counter_case"' in logging[0]  # the page's own read


def test_the_supervisors_lists_log_every_resident_shown(city, office, supervisor):
    waiting = _open(city, office, 2, state=CaseState.AWAITING_APPROVAL)
    overdue = _open(city, office, 1, state=CaseState.AWAITING_SECOND_VISIT)
    Case.objects.filter(pk=overdue[0].pk).update(
        second_visit_deadline=timezone.localdate() - dt.timedelta(days=3)
    )
    client = APIClient()
    client.force_authenticate(supervisor)
    approvals = client.get("/api/v1/cases/awaiting-approval/").json()
    late = client.get("/api/v1/cases/overdue-second-visits/").json()
    assert _shown(approvals) == [(c.reference, c.resident_id) for c in waiting]
    assert _shown(late) == [(overdue[0].reference, overdue[0].resident_id)]
    assert _logged() == _shown(approvals) + _shown(late)
    assert set(
        AccessRecord.objects.filter(path=AccessPath.API_CASE_LIST).values_list(
            "actor", flat=True
        )
    ) == {supervisor.pk}


def test_the_one_statement_and_the_fallback_write_the_same_entry_for_a_case(
    rf, clerk, city, office, monkeypatch
):
    """The ``unnest`` statement (PostgreSQL) and ``bulk_create`` (the demo's
    SQLite) name the same resident, case and object."""
    (case,) = _open(city, office, 1)
    request = rf.get(LIST)
    request.user = clerk

    def written():
        assert access_record_many(request, AccessPath.API_CASE_LIST, [case]) == 1
        entry = AccessRecord.objects.order_by("-id").first()
        return (
            entry.municipality_id,
            entry.actor_id,
            entry.resident_id,
            entry.case_id,
            entry.path,
            entry.object_type,
            entry.object_id,
        )

    by_statement = written()
    monkeypatch.setattr(connection, "vendor", "sqlite")
    assert (
        written()
        == by_statement
        == (
            city.pk,
            clerk.pk,
            case.resident_id,
            case.pk,
            "api_case_list",
            "counter.case",
            str(case.pk),
        )
    )
