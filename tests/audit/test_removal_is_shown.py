"""The audit trail shows removal: a cut end, a truncate and a rewritten history are
found against the signed checkpoint; the application role cannot alter, truncate
or disable triggers on the audit table (issue 10 §6)."""

from __future__ import annotations

import os

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from psycopg.types.json import Jsonb

from counter.audit import audit_record, compute_hash
from counter.models import AuditEvent


@pytest.fixture
def witnessed(city):
    """600 events in the city's chain, then a verify run that writes a checkpoint."""
    for n in range(600):
        audit_record(action="test_event", municipality=city, data={"n": n})
    call_command("verify_audit_chain")
    return city


def _as_superuser(sql: str) -> None:
    """An attacker with direct database access, switching the triggers off."""
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql)
        cursor.execute("SET session_replication_role = DEFAULT")


def _verify_fails(capsys) -> str:
    with pytest.raises(CommandError, match="Audit chain broken"):
        call_command("verify_audit_chain")
    return capsys.readouterr().err


def test_an_intact_chain_verifies_again_after_its_checkpoint(witnessed, capsys):
    audit_record(action="later", municipality=witnessed)
    call_command("verify_audit_chain")
    assert "Audit chain intact" in capsys.readouterr().out


def _head(city) -> int:
    return AuditEvent.objects.filter(chain=city.pk).order_by("-seq").first().seq


def test_deleting_the_last_row_is_found(witnessed, capsys):
    head = _head(witnessed)
    _as_superuser(f"DELETE FROM counter_auditevent WHERE seq = {head}")
    assert f"shorter: chain {witnessed.pk} ends at #{head - 1}" in _verify_fails(capsys)


def test_deleting_the_last_500_rows_is_found(witnessed, capsys):
    head = _head(witnessed)
    _as_superuser(f"DELETE FROM counter_auditevent WHERE seq > {head - 500}")
    assert f"shorter: chain {witnessed.pk} ends at #{head - 500}" in _verify_fails(
        capsys
    )


def test_truncating_the_table_is_found(witnessed, capsys):
    _as_superuser("TRUNCATE counter_auditevent")
    assert f"shorter: chain {witnessed.pk} has no rows" in _verify_fails(capsys)


def test_an_edited_row_with_every_later_hash_recomputed_is_found(witnessed, capsys):
    rows = list(AuditEvent.objects.filter(chain=witnessed.pk).order_by("seq"))
    rows[10].data = {"n": 9999}
    prev = rows[9].hash
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        for row in rows[10:]:
            row.prev_hash = prev
            row.hash = compute_hash(row)
            prev = row.hash
            cursor.execute(
                "UPDATE counter_auditevent SET data = %s, prev_hash = %s, hash = %s "
                "WHERE id = %s",
                [Jsonb(row.data), row.prev_hash, row.hash, row.pk],
            )
        cursor.execute("SET session_replication_role = DEFAULT")
    head = rows[-1].seq
    assert f"diverged: chain {witnessed.pk}: #{head} differs" in _verify_fails(capsys)


def test_a_forged_checkpoint_is_refused(witnessed, capsys, settings):
    settings.AUDIT_CHECKPOINT_KEY = "another key"
    assert "bad signature" in _verify_fails(capsys)


APP_ROLE = f"madoguchi_app_test_{os.getpid()}"


@pytest.fixture
def app_role(transactional_db):
    with connection.cursor() as cursor:
        cursor.execute(f"DROP ROLE IF EXISTS {APP_ROLE}")
    call_command("grant_app_role", APP_ROLE, "--create", "test-only")
    yield APP_ROLE
    with connection.cursor() as cursor:
        cursor.execute(f"DROP OWNED BY {APP_ROLE}")
        cursor.execute(f"DROP ROLE {APP_ROLE}")


@pytest.mark.parametrize(
    "statement",
    [
        "ALTER TABLE counter_auditevent ADD COLUMN x int",
        "ALTER TABLE counter_auditevent DISABLE TRIGGER ALL",
        "ALTER TABLE counter_auditevent DISABLE TRIGGER counter_auditevent_no_truncate",
        "TRUNCATE counter_auditevent",
        "UPDATE counter_auditevent SET action = 'x'",
        "DELETE FROM counter_auditevent",
        "DROP TRIGGER counter_auditevent_no_update_delete ON counter_auditevent",
        "TRUNCATE counter_accessrecord",
        "DELETE FROM counter_accessrecord",
    ],
)
def test_the_application_role_cannot_touch_the_audit_table(app_role, statement):
    """Connected as the role ``grant_app_role`` set up (committed: a transactional
    test), every way to remove or hide an audit row is refused."""
    db = connection.settings_dict
    with (
        psycopg.connect(
            host=db["HOST"] or "127.0.0.1",
            port=db["PORT"] or 5432,
            user=app_role,
            password="test-only",
            dbname=db["NAME"],
        ) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute(statement)
