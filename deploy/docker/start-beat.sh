#!/bin/sh
# Celery beat: exactly one per installation. The scheduler (CELERY_BEAT_SCHEDULER,
# config.beat) keeps the schedules in the database and writes a heartbeat.
set -eu
cd "$(dirname "$0")/../.."
PYTHON=${PYTHON:-python}
# The owner role's URL is for migrations only (deploy/docker/migrate.sh).
unset DATABASE_MIGRATE_URL
exec "$PYTHON" -m celery -A config beat -l "${LOG_LEVEL:-INFO}"
