"""A read's access entries are off the request's critical path (issue 14,
ADR 0042): an entry that is its own transaction commits without waiting for the
disk. A state change, and an entry written inside a transaction, still wait.

What each commit waits for is read where it is decided: a deferred trigger on
the access log and on the audit chain records the ``synchronous_commit`` in
force when the row's transaction commits."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import RequestFactory

from counter.audit import access_record, access_record_many, audit_record
from counter.constants import ApplicantRole, PinKind, Procedure
from counter.models import AccessPath, AccessRecord, AuditEvent
from counter.services.case_opening import case_open
from tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

LOG = AccessRecord._meta.db_table
CHAIN = AuditEvent._meta.db_table


@pytest.fixture
def commits_seen() -> Iterator[None]:
    """From here on, every row written to the access log or the audit chain
    records the synchronous_commit in force at its commit (read by _seen)."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE commit_seen (n serial, tbl text, setting text)")
        cursor.execute(
            "CREATE FUNCTION commit_seen() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN INSERT INTO commit_seen (tbl, setting) VALUES "
            "(TG_TABLE_NAME, current_setting('synchronous_commit')); "
            "RETURN NULL; END $$"
        )
        for table in (LOG, CHAIN):
            cursor.execute(
                f"CREATE CONSTRAINT TRIGGER commit_seen AFTER INSERT ON {table} "
                "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                "EXECUTE FUNCTION commit_seen()"
            )
    yield
    with connection.cursor() as cursor:
        for table in (LOG, CHAIN):
            cursor.execute(f"DROP TRIGGER commit_seen ON {table}")
        cursor.execute("DROP FUNCTION commit_seen()")
        cursor.execute("DROP TABLE commit_seen")


def _seen(table: str) -> list[str]:
    """The setting at each commit of a row of ``table``, in order."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setting FROM commit_seen WHERE tbl = %s ORDER BY n", [table]
        )
        return [setting for (setting,) in cursor.fetchall()]


@pytest.fixture
def cases(city, office) -> list[Any]:
    return [
        f.CaseFactory(
            resident=f.ResidentFactory(municipality=city, name=f"佐藤 花子{i}"),
            office=office,
        )
        for i in range(3)
    ]


def test_the_case_lists_entries_commit_without_waiting(clerk_api, cases, commits_seen):
    assert clerk_api.get("/api/v1/cases/").status_code == 200
    assert _seen(LOG) == ["off"] * 3


def test_the_searchs_entries_commit_without_waiting(clerk_api, cases, commits_seen):
    assert len(clerk_api.get("/api/v1/residents/", {"q": "佐藤"}).json()) == 3
    assert _seen(LOG) == ["off"] * 3


def test_a_case_reads_entry_commits_without_waiting(clerk_api, cases, commits_seen):
    assert clerk_api.get(f"/api/v1/cases/{cases[0].reference}/").status_code == 200
    assert _seen(LOG) == ["off"]


def test_a_lists_entries_written_in_one_insert_commit_without_waiting(
    cases, clerk, commits_seen
):
    """The admin's searched lists and the console's card search log this way."""
    request = RequestFactory().get("/admin/counter/case/?q=佐藤")
    request.user = clerk
    assert access_record_many(request, AccessPath.ADMIN_SEARCH, cases) == 3
    assert _seen(LOG) == ["off"] * 3


def test_a_state_change_after_a_read_still_waits(
    clerk_api, cases, commits_seen, city, office, clerk, desk, open_counter
):
    before = len(_seen(CHAIN))
    assert clerk_api.get("/api/v1/cases/").status_code == 200
    assert clerk_api.get("/api/v1/residents/", {"q": "佐藤"}).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone() == ("on",)
    case_open(
        resident=cases[0].resident,
        office=office,
        card=f.CardFactory(resident=cases[0].resident),
        procedure=Procedure.PIN_CHANGE,
        applicant_role=ApplicantRole.HOLDER,
        pin_kinds=[PinKind.AUTHENTICATION],
        actor=clerk,
        desk=desk,
    )
    opened = _seen(CHAIN)[before:]
    assert opened and set(opened) == {"on"}


def test_an_entry_inside_a_transaction_commits_as_the_transaction_does(
    cases, clerk, city, commits_seen
):
    """A read logged beside a state change must not take the change's wait
    away (the admin's views, a service that logs a read)."""
    request = RequestFactory().get("/cases/")
    request.user = clerk
    before = len(_seen(CHAIN))
    with transaction.atomic():
        access_record(request, AccessPath.CASE_PAGE, case=cases[0])
        audit_record(action="test_event", municipality=city, data={})
    assert _seen(LOG)[-1:] == ["on"]
    assert _seen(CHAIN)[before:] == ["on"]
