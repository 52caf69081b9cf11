"""Shared test set-up: a real PostgreSQL is required, and says so when missing.

Fixture plugins are registered here so every test directory can use them: the
counter's city, office, desk, staff, resident and card (defined once, in
tests/fixtures/counter.py), the card layer (pcscd + virtual card) and the Celery
worker.
"""

from __future__ import annotations

import pytest

pytest_plugins: list[str] = [
    "tests.fixtures.counter",
    "tests.fixtures.card",
    "tests.fixtures.celery_worker",
]


def _bind_cryptography_to_the_real_datetime() -> None:
    """cryptography looks up ``datetime.datetime`` once, on the first certificate
    it builds, and keeps it. Built first under freezegun (the procedure and screen
    tests freeze the clock), it keeps FakeDatetime and every later certificate
    fails ("'datetime' object is not an instance of 'FakeDatetime'"); so build one
    before any test freezes the clock."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "warm-up")])
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
    )
    builder.sign(key, hashes.SHA256())


def pytest_configure(config: pytest.Config) -> None:
    _bind_cryptography_to_the_real_datetime()
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] not in ("config.database", "django.db.backends.postgresql"):
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


@pytest.fixture(autouse=True)
def _audit_checkpoints_per_test(settings, tmp_path_factory):  # type: ignore[no-untyped-def]
    """Each test's database is rolled back, so its audit checkpoints (kept outside
    the database) must go with it: a fresh store and key per test."""
    store = tmp_path_factory.mktemp("audit-checkpoints")
    settings.AUDIT_CHECKPOINT_DIR = str(store)
    settings.AUDIT_CHECKPOINT_KEY = ""
    settings.AUDIT_CHECKPOINT_KEY_FILE = ""
