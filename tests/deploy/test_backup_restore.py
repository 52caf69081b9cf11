"""Backup and restore as docs/operations.md describes it: pg_dump -Fc of a
populated database, pg_restore into a new one, and the audit chain verified on
the restored copy; a restore missing an audit row fails the verification."""

from __future__ import annotations

import subprocess

import pytest

from .conftest import PG_HOST, PG_PORT, PG_USER, database_url, manage, production_env

pytestmark = pytest.mark.deploy

APPEND_EVENTS = (
    "from counter.audit import audit_record\n"
    "for n in range(5):\n"
    "    audit_record(action='backup.test', actor_label='operator', data={'n': n})\n"
)


def _pg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*args, "-h", PG_HOST, "-p", PG_PORT, "-U", PG_USER],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )


def test_dump_restore_and_verify_the_audit_chain(fresh_database, tmp_path):
    source = fresh_database("madoguchi_backup")
    checkpoints = tmp_path / "checkpoints"  # "another volume" in production
    env = {
        **production_env(source, tmp_path),
        "AUDIT_CHECKPOINT_DIR": str(checkpoints),
        "AUDIT_CHECKPOINT_KEY": "backup-test-checkpoint-key-kept-off-the-database",
    }
    manage(env, "migrate", "--noinput", "-v", "0")
    # Populate: the demo city (loaded under the demo settings, on this database)
    # and audit events appended through the service.
    manage(
        {**env, "DJANGO_SETTINGS_MODULE": "config.settings.demo", "DEBUG": "false"},
        "load_demo_data",
    )
    manage(env, "shell", "-c", APPEND_EVENTS)
    before = manage(env, "verify_audit_chain").stdout
    assert "Audit chain intact" in before

    dump = tmp_path / "madoguchi.dump"
    _pg("pg_dump", "-Fc", "--no-owner", "-f", str(dump), "-d", source)
    target = fresh_database("madoguchi_restored")
    _pg("pg_restore", "--no-owner", "--exit-on-error", "-d", target, str(dump))

    restored = {**env, "DATABASE_URL": database_url(target)}
    result = manage(restored, "verify_audit_chain")
    assert result.returncode == 0
    # The same head hash as the source: the one recorded outside the database.
    assert result.stdout == before
    assert manage(restored, "migrate", "--check", check=False).returncode == 0

    # The restored copy is held against the signed checkpoint its source wrote
    # outside the database (docs/operations.md, "restore").
    (source_store,) = [
        d for d in checkpoints.iterdir() if d.is_dir() and d.name.endswith(source)
    ]
    held = manage(
        restored,
        "verify_audit_chain",
        "--checkpoints-from",
        str(source_store),
        "--no-checkpoint",
        "-v",
        "2",
    )
    assert "Audit chain intact" in held.stdout
    assert f"Checked against checkpoint {source_store}" in held.stdout

    # The source goes on; an older backup is then shorter than what was witnessed.
    manage(env, "shell", "-c", APPEND_EVENTS)
    manage(env, "verify_audit_chain")
    stale = manage(
        restored,
        "verify_audit_chain",
        "--checkpoints-from",
        str(source_store),
        "--no-checkpoint",
        check=False,
    )
    assert stale.returncode == 1
    assert "shorter" in stale.stderr

    # A restore that lost a row in the middle of the chain is detected. The
    # append-only trigger refuses the DELETE, so switch triggers off as superuser.
    _pg(
        "psql",
        "-d",
        target,
        "-v",
        "ON_ERROR_STOP=1",
        "-c",
        "SET session_replication_role = replica;"
        "DELETE FROM counter_auditevent WHERE seq = "
        "(SELECT (min(seq) + max(seq)) / 2 FROM counter_auditevent);",
    )
    result = manage(restored, "verify_audit_chain", check=False)
    assert result.returncode == 1
    assert "missing" in result.stderr
