#!/bin/sh
# Migrations, as the database role that owns the tables (ADR 0023,
# docs/security/audit-trail.md). With DATABASE_MIGRATE_URL set, `migrate` connects
# with it and the application's role (DATABASE_APP_ROLE, else the user of
# DATABASE_URL) then gets its grants again: new tables become reachable, and the
# audit trail, access log and histories stay insert-only for it. The application
# itself (start-web.sh, start-worker.sh, start-beat.sh) connects with DATABASE_URL
# only. Without DATABASE_MIGRATE_URL one role does everything (one server, demo).
set -eu
cd "$(dirname "$0")/../.."
PYTHON=${PYTHON:-python}
if [ -n "${DATABASE_MIGRATE_URL:-}" ]; then
    DATABASE_URL="$DATABASE_MIGRATE_URL" "$PYTHON" -m config.wait --no-migrations
    DATABASE_URL="$DATABASE_MIGRATE_URL" "$PYTHON" manage.py migrate --noinput
    if [ -n "${DATABASE_APP_ROLE:-}" ]; then
        "$PYTHON" manage.py grant_app_role "$DATABASE_APP_ROLE"
    else
        "$PYTHON" manage.py grant_app_role
    fi
else
    "$PYTHON" -m config.wait --no-migrations
    "$PYTHON" manage.py migrate --noinput
fi
