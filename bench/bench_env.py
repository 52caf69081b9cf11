"""What every database bench needs: a PostgreSQL database and a Redis db of its own.

``own_database`` creates a uniquely named database on the local server, points
``DATABASE_URL`` at it (call it before ``django.setup()``), and drops it at the end
even when the bench fails. ``own_redis_db`` claims an empty Redis db number with a
marker key and empties only that db afterwards; other users' dbs are never touched.
"""

from __future__ import annotations

import os
import secrets
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
CLAIM_KEY = "madoguchi-bench-claim"


def _psql(sql: str) -> None:
    subprocess.run(
        ["psql", f"{PG}/postgres", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql],
        check=True,
        capture_output=True,
    )


@contextmanager
def own_database(topic: str) -> Iterator[str]:
    """A fresh database named after the bench, dropped on the way out."""
    name = f"bench_{topic}_{os.getpid()}_{secrets.token_hex(3)}"
    _psql(f'CREATE DATABASE "{name}"')
    url = f"{PG}/{name}"
    os.environ["DATABASE_URL"] = url
    try:
        yield url
    finally:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001 (Django may not be set up yet)
            pass
        _psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


@contextmanager
def own_redis_db() -> Iterator[int]:
    """An empty Redis db number, claimed for this run and emptied afterwards."""
    import redis

    token = f"{os.getpid()}-{secrets.token_hex(4)}"
    for number in range(15, 1, -1):
        client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=number)
        if client.dbsize() == 0 and client.set(CLAIM_KEY, token, nx=True):
            break
    else:
        raise SystemExit("no empty Redis db number to claim")
    try:
        yield number
    finally:
        if client.get(CLAIM_KEY) == token.encode():
            client.flushdb()
