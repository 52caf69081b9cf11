#!/bin/sh
# Celery worker: fair scheduling, children recycled by memory rather than by task
# count, so the letter font and layout caches survive across tasks (a child that
# grows past WORKER_MAX_MEMORY_KB, default 400 MB, is replaced after its task).
# The parent parses the font and draws a sample letter before it forks
# (counter.letters.tasks.warm_letter_caches), so every child starts warm.
# It writes a heartbeat to REDIS_URL (config.health) that /healthz and the
# liveness probe read.
set -eu
cd "$(dirname "$0")/../.."
PYTHON=${PYTHON:-python}
# The owner role's URL is for migrations only (deploy/docker/migrate.sh).
unset DATABASE_MIGRATE_URL
exec "$PYTHON" -m celery -A config worker -O fair \
    --max-memory-per-child="${WORKER_MAX_MEMORY_KB:-400000}" \
    --concurrency "${WORKER_CONCURRENCY:-2}" -l "${LOG_LEVEL:-INFO}" \
    --hostname "celery@$(hostname)"
