"""Tests: a real PostgreSQL; the unit layer gets a deliberately unreachable broker.

The integration layer (tests/integration, marker ``integration``) starts a real
Redis-backed Celery worker and overrides the broker itself.
"""

import os

os.environ.setdefault("ENVIRONMENT_LABEL", "test")
os.environ.setdefault("SECRET_KEY", "test-insecure-secret-key")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/madoguchi")
# Unit tests must not silently depend on a broker (open-zaak's CI habit).
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:1/0")
os.environ.setdefault("CELERY_RESULT_BACKEND", "django-db")
os.environ.setdefault("LOG_FORMAT", "console")
os.environ.setdefault(
    "SCAN_ENCRYPTION_KEY", "dGVzdC1vbmx5LXNjYW4ta2V5LW5vdC1mb3ItcHJvZCE="
)

from .base import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# One test database per pytest process, so parallel runs on one server never
# clobber each other. A worker process started by an integration test is pointed
# at the live test database through DATABASE_URL instead.
DATABASES["default"]["TEST"] = {  # noqa: F405
    "NAME": os.environ.get("TEST_DATABASE_NAME", f"test_madoguchi_{os.getpid()}")
}

os.makedirs(STATIC_ROOT, exist_ok=True)  # noqa: F405 (whitenoise warns on a missing root)

# Most tests log in with force_login and test procedures, not the second factor or
# the API rates; tests/security/test_auth_*.py switch both back to production.
SECOND_FACTOR_BYPASS = True
API_THROTTLE_READ_RATE = API_THROTTLE_WRITE_RATE = API_THROTTLE_ANON_RATE = "100000/min"
DEMO_DATA_ALLOWED = True
# Most agent tests call the desk API with a plain token;
# tests/security/test_desk_credentials_*.py switch it off, as production has it.
DESK_AGENT_ALLOW_UNBOUND = True
