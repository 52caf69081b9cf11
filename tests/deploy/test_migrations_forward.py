"""Migrations run forward over a database holding the previous release's data."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .conftest import ROOT, production_env

pytestmark = pytest.mark.deploy


def test_migrations_run_forward_over_data_of_the_previous_schema(
    fresh_database, tmp_path
):
    env = production_env(fresh_database("madoguchi_migrate"), tmp_path)
    result = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "deploy" / "migrate_forward.py")],
        cwd=ROOT,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    # the project's apps really started from an older migration
    dropped = {app for app, _ in report["dropped"]}
    assert {"counter", "identity_docs"} <= dropped, report["dropped"]
    assert report["before"] == report["after"]
    assert all(n == 2 for n in report["after"].values()), report
    assert report["pending"] == 0
