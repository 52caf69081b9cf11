#!/bin/sh
# Web start: check, wait for the database, migrate, serve (JSON logs on stdout).
set -eu
python manage.py check --deploy --fail-level ERROR
python - <<'PY'
import os, sys, time
import psycopg
import environ
cfg = environ.Env.db_url_config(os.environ["DATABASE_URL"])
for attempt in range(60):
    try:
        psycopg.connect(host=cfg["HOST"], port=cfg["PORT"] or 5432, user=cfg["USER"],
                        password=cfg["PASSWORD"] or None, dbname=cfg["NAME"],
                        connect_timeout=2).close()
        sys.exit(0)
    except psycopg.OperationalError:
        time.sleep(1)
sys.exit("database not reachable")
PY
python manage.py migrate --noinput
# Threads: each desk agent holds one long-poll request for up to 30 s.
exec gunicorn config.wsgi --bind 0.0.0.0:8000 --workers "${WEB_WORKERS:-4}" \
    --worker-class gthread --threads "${WEB_THREADS:-8}" \
    --access-logfile - --timeout 60
