#!/bin/sh
# Start / stop a real pcscd with the vsmartcard vpcd reader, for tests, CI and the demo.
#
#   deploy/pcsc/pcscd-vpcd.sh start    # pcscd --foreground in the background, pid file
#   deploy/pcsc/pcscd-vpcd.sh status
#   deploy/pcsc/pcscd-vpcd.sh stop     # by pid (ours only), TERM, then KILL after 5 s
#
# No systemd, no --auto-exit, never stops anything by name (docs/reference/pcsc-testing.md §3, §4, §7).
# If a pcscd with the vpcd reader is already running, `start` reuses it and writes no
# pid file, so `stop` leaves it alone.
#
# Environment:
#   PCSCD_RUN_DIR   where the pid file and log go (default: <repo>/var/run/pcscd)
#   PCSCD_READER    reader to wait for (default: "Virtual PCD 00 00")
#   PCSCD_TIMEOUT   seconds to wait for the socket and the reader (default: 10)
set -eu

REPO=$(CDPATH= cd "$(dirname "$0")/../.." && pwd)
RUN_DIR=${PCSCD_RUN_DIR:-$REPO/var/run/pcscd}
PIDFILE=$RUN_DIR/pcscd.pid
LOG=$RUN_DIR/pcscd.log
READER=${PCSCD_READER:-Virtual PCD 00 00}
TIMEOUT=${PCSCD_TIMEOUT:-10}
SOCKET=/run/pcscd/pcscd.comm
SYSTEM_PIDFILE=/run/pcscd/pcscd.pid
PYTHON=${PYTHON:-$REPO/.venv/bin/python}

reader_present() {
    # pcsc_scan / opensc-tool exit 0 without a daemon, so ask PC/SC itself.
    if [ -x "$PYTHON" ]; then
        "$PYTHON" - "$READER" <<'EOF' >/dev/null 2>&1
import sys
from smartcard.System import readers
sys.exit(0 if sys.argv[1] in [str(r) for r in readers()] else 1)
EOF
    else
        opensc-tool -l 2>/dev/null | grep -q "$READER"
    fi
}

running_pid() {
    # pid of a live pcscd that owns the socket, if any
    if [ -S "$SOCKET" ] && [ -f "$SYSTEM_PIDFILE" ]; then
        pid=$(tr -cd 0-9 <"$SYSTEM_PIDFILE")
        if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
            echo "$pid"
            return 0
        fi
    fi
    return 1
}

wait_for() {  # wait_for <what> <command...>
    what=$1; shift
    ticks=$((TIMEOUT * 10))
    while ! "$@"; do
        if [ -n "${PID:-}" ] && ! kill -0 "$PID" 2>/dev/null; then
            echo "pcscd-vpcd: pcscd exited while waiting for $what; log:" >&2
            cat "$LOG" >&2 || true
            return 1
        fi
        ticks=$((ticks - 1))
        if [ "$ticks" -le 0 ]; then
            echo "pcscd-vpcd: timed out waiting for $what" >&2
            return 1
        fi
        sleep 0.1
    done
}

socket_ready() { [ -S "$SOCKET" ]; }

start() {
    mkdir -p "$RUN_DIR"
    if pid=$(running_pid); then
        if reader_present; then
            echo "pcscd-vpcd: reusing running pcscd (pid $pid) with reader '$READER'"
            return 0
        fi
        echo "pcscd-vpcd: a pcscd (pid $pid) is running without reader '$READER';" \
            "stop it first (it is not ours)" >&2
        return 1
    fi
    if [ -f "$PIDFILE" ]; then
        rm -f "$PIDFILE"  # stale: its process is gone (running_pid found none)
    fi
    pcscd --foreground </dev/null >"$LOG" 2>&1 &
    PID=$!
    echo "$PID" >"$PIDFILE"
    wait_for "the pcscd socket" socket_ready || { stop; return 1; }
    wait_for "reader '$READER'" reader_present || { stop; return 1; }
    echo "pcscd-vpcd: pcscd started (pid $PID), reader '$READER' ready, log $LOG"
}

stop() {
    if [ ! -f "$PIDFILE" ]; then
        echo "pcscd-vpcd: no pid file ($PIDFILE); nothing of ours to stop"
        return 0
    fi
    pid=$(tr -cd 0-9 <"$PIDFILE")
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        ticks=50
        while kill -0 "$pid" 2>/dev/null && [ "$ticks" -gt 0 ]; do
            sleep 0.1
            ticks=$((ticks - 1))
        done
        if kill -0 "$pid" 2>/dev/null; then
            echo "pcscd-vpcd: pcscd $pid ignored TERM for 5 s, sending KILL" >&2
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    rm -f "$PIDFILE"
    echo "pcscd-vpcd: pcscd stopped"
}

status() {
    if pid=$(running_pid); then
        if reader_present; then
            echo "pcscd running (pid $pid), reader '$READER' present"
        else
            echo "pcscd running (pid $pid), reader '$READER' MISSING"
            return 1
        fi
    else
        echo "pcscd not running"
        return 3
    fi
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    *) echo "usage: $0 start|stop|status" >&2; exit 64 ;;
esac
