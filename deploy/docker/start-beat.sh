#!/bin/sh
# Celery beat: exactly one per installation (schedules live in the database).
set -eu
exec celery -A config beat -l "${LOG_LEVEL:-INFO}" \
    --scheduler django_celery_beat.schedulers:DatabaseScheduler
