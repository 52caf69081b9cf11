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
# Workers, threads and timeouts are in gunicorn.conf.py (WEB_WORKERS, WEB_THREADS),
# which bench/api.py starts too. Requests are logged as JSON by Django
# (config.metrics), so gunicorn keeps no access log.
exec "$PYTHON" -m gunicorn config.wsgi --bind "${WEB_BIND:-0.0.0.0:8000}" \
    --no-control-socket --config deploy/docker/gunicorn.conf.py
