"""Wait before serving: the database answers and its schema is migrated.

``python -m config.wait`` (start-web.sh) exits 0 once PostgreSQL accepts a
connection and no migration is unapplied, 1 after ``--timeout`` seconds. With
several web replicas the migrations run once, as their own step (the Kubernetes
Job, or ``manage.py migrate`` on the server), and the web pods wait here.
"""

from __future__ import annotations

import argparse
import os
import sys
import time


def _pending_migrations() -> list[str]:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    targets = executor.loader.graph.leaf_nodes()
    return [f"{m.app_label}.{m.name}" for m, _ in executor.migration_plan(targets)]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--no-migrations", action="store_true", help="database only")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    import django
    from django.db import OperationalError, connection

    django.setup()
    deadline = time.monotonic() + args.timeout
    last = ""
    while True:
        try:
            connection.ensure_connection()
            pending = [] if args.no_migrations else _pending_migrations()
            if not pending:
                return 0
            last = f"{len(pending)} migration(s) not applied, first {pending[0]}"
        except OperationalError as exc:
            last = f"database not reachable: {exc}".strip()
            connection.close()
        if time.monotonic() > deadline:
            print(f"gave up waiting: {last}", file=sys.stderr)  # noqa: T201
            return 1
        time.sleep(2)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
