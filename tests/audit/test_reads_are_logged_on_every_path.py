"""Every read of a resident's data is one access-log entry, and a read never waits
for the audit chain's lock (issue 10 §5, issue 12 §1)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from counter.models import AccessPath, AccessRecord, AuditEvent
from counter.models.cases import CaseState
from counter.screens.common import DESK_SESSION_KEY
from tests import factories as f


@pytest.fixture
def case(city):
    return f.CaseFactory(resident=f.ResidentFactory(municipality=city, name="田中 誠"))


@pytest.fixture
def clerk_at_desk(clerk, desk):
    client = Client()
    client.force_login(clerk)
    session = client.session
    session[DESK_SESSION_KEY] = desk.pk
    session.save()
    return client


def _entries(path):
    return list(AccessRecord.objects.filter(path=path))


def test_the_case_page_writes_one_entry_with_who_whose_and_which_desk(
    clerk_at_desk, clerk, desk, case
):
    response = clerk_at_desk.get(reverse("counter:case", args=[case.reference]))
    assert response.status_code == 200
    [entry] = _entries(AccessPath.CASE_PAGE)
    assert (entry.actor, entry.resident_id, entry.case, entry.desk) == (
        clerk,
        case.resident_id,
        case,
        desk,
    )
    assert entry.municipality_id == case.municipality_id


def test_the_receipt_writes_one_entry(clerk_at_desk, city):
    done = f.CaseFactory(
        resident=f.ResidentFactory(municipality=city), state=CaseState.COMPLETED
    )
    response = clerk_at_desk.get(reverse("counter:receipt", args=[done.reference]))
    assert response.status_code == 200
    assert [e.case for e in _entries(AccessPath.RECEIPT)] == [done]


def test_resident_search_results_write_one_entry_per_resident_shown(
    clerk_at_desk, city
):
    found = f.ResidentFactory(
        municipality=city, name="検索 太郎", name_kana="ケンサク タロウ"
    )
    response = clerk_at_desk.get(reverse("counter:reception"), {"q": "ケンサク"})
    assert response.status_code == 200
    assert [e.resident_id for e in _entries(AccessPath.RESIDENT_SEARCH)] == [found.pk]


def test_the_api_case_detail_is_logged_and_writes_no_audit_row(clerk, case):
    api = APIClient()
    api.force_authenticate(clerk)
    before = AuditEvent.objects.count()
    response = api.get(reverse("api-case", args=[case.reference]))
    assert response.status_code == 200
    assert [e.case for e in _entries(AccessPath.API_CASE)] == [case]
    assert AuditEvent.objects.count() == before


def test_the_admin_change_view_of_a_case_is_logged(city, case):
    client = Client()
    client.force_login(f.supervisor(city))
    response = client.get(reverse("admin:counter_case_change", args=[case.pk]))
    assert response.status_code == 200
    assert [e.case for e in _entries(AccessPath.ADMIN_CHANGE)] == [case]


def test_a_supervisor_finds_the_reads_by_resident_in_the_access_log(
    clerk_at_desk, city, case
):
    clerk_at_desk.get(reverse("counter:case", args=[case.reference]))
    client = Client()
    client.force_login(f.supervisor(city))
    response = client.get(
        reverse("admin:counter_accessrecord_changelist"),
        {"resident__id__exact": case.resident_id},
    )
    assert response.status_code == 200
    assert case.reference in response.content.decode()


def _advisory_locks_held() -> int:
    """Advisory locks and locks on the chains' heads (the sequencer) this
    connection holds."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE pid = pg_backend_pid() AND "
            "(locktype = 'advisory' OR relation = 'counter_auditchainhead'::regclass)"
        )
        return int(cursor.fetchone()[0])


def test_a_read_takes_no_chain_lock(clerk_at_desk, case):
    """A read adds no advisory lock to the connection, so it never waits for a
    writer holding its municipality's chain (and fails fast if it ever did)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL lock_timeout = '2s'")
    before = _advisory_locks_held()
    response = clerk_at_desk.get(reverse("counter:case", args=[case.reference]))
    assert response.status_code == 200
    assert _advisory_locks_held() == before
    assert _entries(AccessPath.CASE_PAGE)
