#!/bin/sh
# Insert, pull out or swap the SIMULATED My Number Card in a vpcd reader slot.
#
#   deploy/pcsc/virtual-card.sh insert var/cards/yamada.json [PORT]
#   deploy/pcsc/virtual-card.sh remove [PORT]
#   deploy/pcsc/virtual-card.sh swap var/cards/sato.json [PORT]   # remove + insert
#   deploy/pcsc/virtual-card.sh status [PORT]
#
# PORT 35963 = reader "Virtual PCD 00 00" (default), 35964 = "Virtual PCD 00 01".
# One card process per port, started in the background with its own pid file and
# stopped by that pid only (docs/virtual-card.md). pcscd must be running
# (deploy/pcsc/pcscd-vpcd.sh start). Make card files with
# `python -m jpki_ops.cardsim new --card-file FILE ...`.
set -eu

REPO=$(CDPATH= cd "$(dirname "$0")/../.." && pwd)
RUN_DIR=${PCSCD_RUN_DIR:-$REPO/var/run/pcscd}
PYTHON=${PYTHON:-$REPO/.venv/bin/python}

pidfile() { echo "$RUN_DIR/card-$1.pid"; }

card_pid() {  # live pid of our card on port $1, if any
    f=$(pidfile "$1")
    [ -f "$f" ] || return 1
    pid=$(tr -cd 0-9 <"$f")
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

insert() {
    file=$1; port=${2:-35963}
    [ -f "$file" ] || { echo "virtual-card: no card file $file" >&2; return 1; }
    if pid=$(card_pid "$port"); then
        echo "virtual-card: a card (pid $pid) is already in port $port; remove it first" >&2
        return 1
    fi
    mkdir -p "$RUN_DIR"
    log="$RUN_DIR/card-$port.log"
    cd "$REPO"
    "$PYTHON" -m jpki_ops.cardsim --card-file "$file" --port "$port" \
        </dev/null >>"$log" 2>&1 &
    pid=$!
    echo "$pid" >"$(pidfile "$port")"
    sleep 0.3
    if ! kill -0 "$pid" 2>/dev/null; then
        echo "virtual-card: the card process exited; log:" >&2
        tail -5 "$log" >&2
        rm -f "$(pidfile "$port")"
        return 1
    fi
    echo "virtual-card: $file inserted in port $port (pid $pid, log $log)"
}

remove() {
    port=${1:-35963}
    if ! pid=$(card_pid "$port"); then
        rm -f "$(pidfile "$port")"
        echo "virtual-card: no card of ours in port $port"
        return 0
    fi
    kill -TERM "$pid" 2>/dev/null || true
    ticks=50
    while kill -0 "$pid" 2>/dev/null && [ "$ticks" -gt 0 ]; do
        sleep 0.1
        ticks=$((ticks - 1))
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    rm -f "$(pidfile "$port")"
    sleep 0.5  # let pcscd's presence poll (~400 ms) see the card leave
    echo "virtual-card: card removed from port $port"
}

case "${1:-}" in
    insert) [ $# -ge 2 ] || { echo "usage: $0 insert FILE [PORT]" >&2; exit 64; }
            insert "$2" "${3:-35963}" ;;
    remove) remove "${2:-35963}" ;;
    swap)   [ $# -ge 2 ] || { echo "usage: $0 swap FILE [PORT]" >&2; exit 64; }
            remove "${3:-35963}"; insert "$2" "${3:-35963}" ;;
    status) if pid=$(card_pid "${2:-35963}"); then echo "card in port ${2:-35963} (pid $pid)";
            else echo "no card of ours in port ${2:-35963}"; fi ;;
    *) echo "usage: $0 insert FILE [PORT] | remove [PORT] | swap FILE [PORT] | status [PORT]" >&2
       exit 64 ;;
esac
