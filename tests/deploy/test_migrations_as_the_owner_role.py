"""Migrations run as the role that owns the tables; the web server, the worker and
beat connect as the application role only (issue 10 §6b; ADR 0023).

The real start scripts run as child processes with a stand-in ``python`` (the
``PYTHON`` the scripts call) that records, per call, its arguments and the two
database URLs it was given, then exits. No Docker, no database.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import CommandError, call_command

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "deploy" / "docker"
APP_URL = "postgres://madoguchi_app:app-pass@db/madoguchi"
OWNER_URL = "postgres://madoguchi_owner:owner-pass@db/madoguchi"

FAKE_PYTHON = """#!/bin/sh
printf '%s|%s|%s\\n' "${DATABASE_URL:-}" "${DATABASE_MIGRATE_URL:-}" "$*" >> "$CALLS"
case "$*" in *"${FAIL_ON:-never-matches}"*) exit 3 ;; esac
exit 0
"""


def _run(
    script: str, tmp_path: Path, **env: str
) -> tuple[int, list[tuple[str, str, str]]]:
    fake = tmp_path / "python"
    fake.write_text(FAKE_PYTHON)
    fake.chmod(0o755)
    calls = tmp_path / "calls.txt"
    calls.write_text("")
    environment = {
        "PATH": os.environ["PATH"],
        "PYTHON": str(fake),
        "CALLS": str(calls),
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
        "DATABASE_URL": APP_URL,
        **env,
    }
    done = subprocess.run(
        ["sh", str(SCRIPTS / script)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    lines = calls.read_text().splitlines()
    return done.returncode, [tuple(line.split("|", 2)) for line in lines]  # type: ignore[misc]


def _the(calls: list[tuple[str, str, str]], words: str) -> tuple[str, str, str]:
    found = [c for c in calls if words in c[2]]
    assert len(found) == 1, (words, calls)
    return found[0]


def test_migrate_connects_as_the_owner_and_then_regrants_the_application_role(
    tmp_path,
):
    status, calls = _run("migrate.sh", tmp_path, DATABASE_MIGRATE_URL=OWNER_URL)
    assert status == 0
    assert _the(calls, "manage.py migrate")[0] == OWNER_URL
    assert _the(calls, "config.wait --no-migrations")[0] == OWNER_URL
    grant = _the(calls, "manage.py grant_app_role")
    # grant_app_role names the role of DATABASE_URL and connects as the owner.
    assert grant[0] == APP_URL
    assert grant[1] == OWNER_URL
    assert grant[2].strip() == "manage.py grant_app_role"
    assert [c[2].split()[1] for c in calls] == [
        "config.wait",
        "migrate",
        "grant_app_role",
    ]


def test_an_explicit_application_role_is_the_one_granted(tmp_path):
    status, calls = _run(
        "migrate.sh",
        tmp_path,
        DATABASE_MIGRATE_URL=OWNER_URL,
        DATABASE_APP_ROLE="madoguchi_web",
    )
    assert status == 0
    assert _the(calls, "grant_app_role")[2] == "manage.py grant_app_role madoguchi_web"


def test_without_an_owner_url_migrate_uses_the_application_url(tmp_path):
    status, calls = _run("migrate.sh", tmp_path)
    assert status == 0
    assert _the(calls, "manage.py migrate")[0] == APP_URL
    assert not [c for c in calls if "grant_app_role" in c[2]]


def test_a_failed_migration_stops_before_the_grants(tmp_path):
    status, calls = _run(
        "migrate.sh",
        tmp_path,
        DATABASE_MIGRATE_URL=OWNER_URL,
        FAIL_ON="manage.py migrate",
    )
    assert status != 0
    assert not [c for c in calls if "grant_app_role" in c[2]]


def test_the_web_server_migrates_as_the_owner_and_serves_as_the_application(
    tmp_path,
):
    status, calls = _run(
        "start-web.sh",
        tmp_path,
        DATABASE_MIGRATE_URL=OWNER_URL,
        MIGRATE_ON_START="1",
    )
    assert status == 0
    assert _the(calls, "manage.py migrate")[0] == OWNER_URL
    server = _the(calls, "-m gunicorn")
    assert server[0] == APP_URL
    assert server[1] == "", "the server process must not hold the owner's URL"
    waits = [c for c in calls if c[2] == "-m config.wait"]
    assert [w[:2] for w in waits] == [(APP_URL, "")]


def test_the_web_server_does_not_start_when_its_migration_fails(tmp_path):
    status, calls = _run(
        "start-web.sh",
        tmp_path,
        DATABASE_MIGRATE_URL=OWNER_URL,
        MIGRATE_ON_START="1",
        FAIL_ON="manage.py migrate",
    )
    assert status != 0
    assert not [c for c in calls if "gunicorn" in c[2]]


@pytest.mark.parametrize("script", ["start-worker.sh", "start-beat.sh"])
def test_the_worker_and_beat_connect_as_the_application_role(tmp_path, script):
    status, calls = _run(script, tmp_path, DATABASE_MIGRATE_URL=OWNER_URL)
    assert status == 0
    celery = _the(calls, "-m celery")
    assert celery[:2] == (APP_URL, "")


@pytest.mark.django_db
def test_grant_app_role_defaults_to_the_role_of_database_url_and_refuses_an_owner(
    settings,
):
    """Under the tests DATABASE_URL is the cluster's superuser, which owns the
    tables: the default role is that one, and it is refused."""
    user = settings.DATABASES["default"]["USER"]
    with pytest.raises(CommandError, match=f"Role {user} "):
        call_command("grant_app_role")


def _containers(kind: str) -> list[dict[str, Any]]:
    found = []
    for path in sorted((ROOT / "deploy" / "k8s").glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if doc and doc["kind"] == kind:
                found += doc["spec"]["template"]["spec"]["containers"]
    return found


def test_the_kubernetes_migrate_job_runs_the_script_with_the_owners_secret():
    (job,) = _containers("Job")
    assert job["command"] == ["sh", "deploy/docker/migrate.sh"]
    owner = {e["name"]: e for e in job["env"]}["DATABASE_MIGRATE_URL"]
    ref = owner["valueFrom"]["secretKeyRef"]
    assert ref["name"] == "madoguchi-db-owner"
    assert not ref.get("optional", False)


def test_no_deployment_is_given_the_owners_url():
    deployments = _containers("Deployment")
    assert {c["name"] for c in deployments} >= {"web", "worker", "beat"}
    for container in deployments:
        names = {e["name"] for e in container.get("env", [])}
        assert "DATABASE_MIGRATE_URL" not in names, container["name"]
        text = yaml.safe_dump(container)
        assert "madoguchi-db-owner" not in text, container["name"]
