#!/usr/bin/env bash
# The demo command from the README: one command, a running counter.
#
#   bash deploy/demo.sh            # http://127.0.0.1:8000/  (Ctrl-C stops everything)
#   PORT=8080 bash deploy/demo.sh
#
# Creates its own virtualenv (.venv-demo), installs madoguchi, migrates a SQLite
# database (var/demo.sqlite3), loads the demo city, starts the server, and - when
# pcscd and the vpcd driver are installed - a desk agent with a virtual My Number
# Card in the virtual reader. Celery runs eagerly: no Redis needed. It prints the
# URL and the demo logins.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
VENV=.venv-demo

"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || {
    echo "The demo needs Python 3.11 or newer; found: $("$PYTHON" --version 2>&1)." >&2
    echo "Set PYTHON=/path/to/python3.11 and run again." >&2
    exit 2
}
if [ ! -x "$VENV/bin/python" ]; then
    echo "Creating $VENV ..."
    "$PYTHON" -m venv "$VENV"
fi
if [ ! -f "$VENV/.installed" ] || [ pyproject.toml -nt "$VENV/.installed" ]; then
    echo "Installing madoguchi into $VENV (a few minutes the first time) ..."
    "$VENV/bin/pip" install --quiet --upgrade pip
    if "$VENV/bin/pip" install --quiet -e ".[agent]"; then
        :
    else
        echo "pyscard could not be built (needs swig and libpcsclite-dev);" >&2
        echo "installing without the card reader part." >&2
        "$VENV/bin/pip" install --quiet -e .
    fi
    touch "$VENV/.installed"
fi
# The card packages may appear after the first run (apt-get install swig
# libpcsclite-dev): then build pyscard now instead of keeping the card-less install.
if ! "$VENV/bin/python" -c 'import smartcard' 2>/dev/null; then
    if command -v swig >/dev/null 2>&1 && [ -f /usr/include/PCSC/winscard.h ]; then
        echo "Card packages found: installing the card reader part (pyscard) ..."
        if ! "$VENV/bin/pip" install --quiet -e ".[agent]"; then
            echo "pyscard still could not be built; the demo runs without the card reader." >&2
        fi
    else
        echo "Note: no card reader part (pyscard). To add it: sudo apt-get install swig" >&2
        echo "libpcsclite-dev pcscd vsmartcard-vpcd, then run bash deploy/demo.sh again." >&2
    fi
fi

export DJANGO_SETTINGS_MODULE=config.settings.demo
exec "$VENV/bin/python" manage.py run_demo --port "${PORT:-8000}" "$@"
