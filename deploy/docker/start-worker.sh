#!/bin/sh
# Celery worker: fair scheduling, recycled children, one queue group per process.
set -eu
exec celery -A config worker -O fair --max-tasks-per-child=50 \
    --concurrency "${WORKER_CONCURRENCY:-2}" -l "${LOG_LEVEL:-INFO}"
