"""One-command demo: SQLite and eager Celery, so it runs on a bare machine.

A demo convenience, never a test configuration (docs/reference/style.md §3.2).
"""

import os
from pathlib import Path

_root = Path(__file__).resolve().parent.parent.parent
os.environ.setdefault("ENVIRONMENT_LABEL", "demo")
# Not DEBUG: the demo shows the same Japanese error pages as production, never
# Django's English debug page; WhiteNoise serves the static files from the apps.
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "demo-insecure-secret-key-not-for-production")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_root / 'var' / 'demo.sqlite3'}")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
os.environ.setdefault("CELERY_BROKER_URL", "memory://")
os.environ.setdefault("CELERY_RESULT_BACKEND", "cache+memory://")
os.environ.setdefault("LOG_FORMAT", "console")
# Demo-only key; production must set its own (see .env.example).
os.environ.setdefault(
    "SCAN_ENCRYPTION_KEY", "ZGVtby1vbmx5LXNjYW4ta2V5LW5vdC1mb3ItcHJvZCE="
)

# The demo logs in without the second factor and loads its published logins
# (documented in docs/adr, accounts); production refuses both.
os.environ.setdefault("SECOND_FACTOR_BYPASS", "true")
os.environ.setdefault("DEMO_DATA_ALLOWED", "true")

from .base import *  # noqa: E402,F403

WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
os.makedirs(STATIC_ROOT, exist_ok=True)  # noqa: F405 (whitenoise warns on a missing root)
