#!/bin/sh
# Web start: check the configuration, wait for the database and its migrations,
# serve. Migrations are their own step (deploy/docker/migrate.sh: as the owner role
# of DATABASE_MIGRATE_URL; the Kubernetes Job); MIGRATE_ON_START=1 runs that script
# here, for a single server only. The server connects with DATABASE_URL alone.
set -eu
cd "$(dirname "$0")/../.."
PYTHON=${PYTHON:-python}
"$PYTHON" manage.py check --deploy --fail-level ERROR
case "${MIGRATE_ON_START:-0}" in
    1|true|yes|on)
        PYTHON="$PYTHON" sh deploy/docker/migrate.sh
        ;;
esac
unset DATABASE_MIGRATE_URL
"$PYTHON" -m config.wait
# gunicorn workers share their request metrics through this directory.
export PROMETHEUS_MULTIPROC_DIR="${PROMETHEUS_MULTIPROC_DIR:-/tmp/madoguchi-metrics}"
rm -rf "$PROMETHEUS_MULTIPROC_DIR"
mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
# Threads: each desk agent holds one long-poll request for up to 30 s. Requests are
# logged as JSON by Django (config.metrics), so gunicorn keeps no access log.
exec "$PYTHON" -m gunicorn config.wsgi --bind "${WEB_BIND:-0.0.0.0:8000}" \
    --workers "${WEB_WORKERS:-4}" --worker-class gthread --threads "${WEB_THREADS:-8}" \
    --timeout 60 --worker-tmp-dir /tmp --no-control-socket \
    --config deploy/docker/gunicorn.conf.py
