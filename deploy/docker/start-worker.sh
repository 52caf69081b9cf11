#!/bin/sh
# Celery worker: fair scheduling, recycled children. It writes a heartbeat to
# REDIS_URL (config.health) that /healthz and the liveness probe read.
set -eu
cd "$(dirname "$0")/../.."
PYTHON=${PYTHON:-python}
exec "$PYTHON" -m celery -A config worker -O fair --max-tasks-per-child=50 \
    --concurrency "${WORKER_CONCURRENCY:-2}" -l "${LOG_LEVEL:-INFO}" \
    --hostname "celery@$(hostname)"
