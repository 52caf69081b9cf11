"""Shared test set-up: a real PostgreSQL is required, and says so when missing.

Fixture plugins of the card (pcscd + virtual card) and Celery-worker layers are
registered here so every test directory can use them.
"""

from __future__ import annotations

import pytest

pytest_plugins: list[str] = ["tests.fixtures.card", "tests.fixtures.celery_worker"]


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        raise pytest.UsageError(
            "Tests run on PostgreSQL only; DATABASE_URL points at "
            f"{db['ENGINE']}. Set DATABASE_URL=postgres://postgres@127.0.0.1:5432/madoguchi"
        )
    import psycopg

    try:
        psycopg.connect(
            host=db.get("HOST") or "127.0.0.1",
            port=int(db.get("PORT") or 5432),
            user=db.get("USER") or "postgres",
            password=db.get("PASSWORD") or None,
            dbname="postgres",
            connect_timeout=3,
        ).close()
    except psycopg.OperationalError as exc:
        raise pytest.UsageError(
            "The tests need a running PostgreSQL server at "
            f"{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432} "
            f"(user {db.get('USER') or 'postgres'}). Start one, or point "
            "DATABASE_URL at one (postgres://user:pass@host:port/name). "
            f"Connection error: {exc}"
        ) from exc
