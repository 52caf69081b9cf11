#!/usr/bin/env bash
# The test command from the README: creates .venv if needed, then runs every test
# (unit, integration with a real Redis + Celery worker and pcscd + virtual card,
# and the e2e browser tests) against a real PostgreSQL.
#
#   bash deploy/test.sh                 # everything
#   bash deploy/test.sh -m "not e2e"    # extra pytest arguments are passed on
#
# Needs: Python >= 3.11, PostgreSQL at 127.0.0.1:5432 (or DATABASE_URL), Redis at
# 127.0.0.1:6379 (or REDIS_URL), and for the card and browser layers the Debian
# packages pcscd, vsmartcard-vpcd, libpcsclite-dev, swig, opensc, chromium,
# fonts-ipaexfont, poppler-utils (.ci/run installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}

if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
        echo "madoguchi needs Python 3.11 or newer (found $($PYTHON --version))." >&2
        exit 2
    }
    "$PYTHON" -m venv .venv
fi
if ! .venv/bin/python -c 'import django, smartcard, pytest_django, playwright' 2>/dev/null \
   || [ pyproject.toml -nt .venv/.installed ]; then
    .venv/bin/pip install --quiet --upgrade pip
    .venv/bin/pip install --quiet -e ".[dev]"
    touch .venv/.installed
fi

export DJANGO_SETTINGS_MODULE=config.settings.test
.venv/bin/python manage.py compilemessages --ignore ".venv*" -v 0

set +e
.venv/bin/python -m pytest "$@"
status=$?
set -e
# pytest exits 5 when nothing was collected: that is a failure here.
exit $status
