"""Settings read by deploy/docker/start-*.sh and gunicorn.conf.py: how many
processes and threads serve, and where (docs/operations.md, "Processes").
Imported by base.py, declared here so .env.example lists them."""

from __future__ import annotations

from config.env import config

MIGRATE_ON_START = config(
    "MIGRATE_ON_START",
    False,
    help_text="start-web.sh runs `manage.py migrate` before serving. Only for one "
    "server; with several web replicas run migrations once as their own step "
    "(the Kubernetes Job).",
    group="Operations",
)
WEB_BIND = config(
    "WEB_BIND",
    "0.0.0.0:8000",
    help_text="Address gunicorn listens on (start-web.sh).",
    group="Operations",
)
WEB_WORKERS = config(
    "WEB_WORKERS",
    4,
    help_text="gunicorn worker processes (deploy/docker/gunicorn.conf.py).",
    group="Operations",
)
WEB_THREADS = config(
    "WEB_THREADS",
    2,
    help_text="Threads per gunicorn worker for every request but the desk agents' "
    "long-polls (deploy/docker/gunicorn.conf.py; ADR 0034).",
    group="Operations",
)
WEB_HELD_THREADS = config(
    "WEB_HELD_THREADS",
    16,
    help_text="Threads per gunicorn worker for the desk agents' long-polls only: "
    "each connected desk holds one for up to 30 s and keeps a database connection "
    "(config/web_worker.py; ADR 0034).",
    group="Operations",
)
WORKER_CONCURRENCY = config(
    "WORKER_CONCURRENCY",
    2,
    help_text="Celery worker child processes (start-worker.sh).",
    group="Operations",
)
