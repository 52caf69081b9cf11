"""A desk agent's long-poll never takes a web thread (ADR 0034).

The web server's worker (``config.web_worker.HeldRequestWorker``, production's
``deploy/docker/gunicorn.conf.py``) hands a held request to a pool of its own,
so the clerks' and integrations' requests are answered while every desk is
waiting. These tests run real gunicorn processes with one web thread and a
small WSGI application (``held_app``) whose ``/held`` sleeps like a long-poll;
the same test against gunicorn's plain ``gthread`` worker shows what it guards
against.
"""

from __future__ import annotations

import http.client
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from django.urls import resolve

from config.web_worker import HeldRequestWorker, held_paths
from jpki_ops.api.views import NextOperationApi

ROOT = Path(__file__).resolve().parents[2]
HELD_WORKER = "tests.foundation.held_app.SmallHeldWorker"
PLAIN_WORKER = "gthread"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def gunicorn(worker: str, workers: int = 1) -> Iterator[int]:
    """``workers`` gunicorn processes of one web thread; yields the port."""
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "tests.foundation.held_app:app",
            "--worker-class",
            worker,
            "--workers",
            str(workers),
            "--threads",
            "1",
            "--bind",
            f"127.0.0.1:{port}",
            "--no-control-socket",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                _get(port, "/ready")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    errors = process.stderr.read() if process.stderr else b""
                    raise AssertionError(errors.decode()) from None
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def _get(port: int, path: str, timeout: float = 15) -> tuple[int, str, float]:
    start = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read().decode(), time.monotonic() - start
    finally:
        conn.close()


Answer = tuple[int, str, float]


def _quick_while_held(port: int, held: int) -> tuple[float, list[Answer]]:
    """``held`` long-polls of 3 s at once, then an ordinary request: its time,
    and the long-polls' answers."""
    with ThreadPoolExecutor(held) as pool:
        polls = [pool.submit(_get, port, "/held?s=3") for _ in range(held)]
        time.sleep(0.5)
        _status, _body, quick = _get(port, "/quick")
        return quick, [poll.result() for poll in polls]


def test_an_ordinary_request_is_answered_while_every_desk_is_held():
    with gunicorn(HELD_WORKER) as port:
        quick, polls = _quick_while_held(port, held=4)
    assert quick < 1.0
    assert [status for status, _body, _t in polls] == [200] * 4
    assert all(body.startswith("held") for _status, body, _t in polls)
    # The four were held side by side, not one after another.
    assert max(seconds for _s, _b, seconds in polls) < 3 * 2


def _gauge(port: int, name: str) -> float:
    _status, text, _t = _get(port, "/gauges")
    (line,) = [x for x in text.splitlines() if x.startswith(name + " ")]
    return float(line.split()[1])


def _counts(port: int) -> tuple[float, float]:
    return (
        _gauge(port, "madoguchi_desk_polls_held"),
        _gauge(port, "madoguchi_desk_polls_waiting"),
    )


def _eventually(port: int, wanted: tuple[float, float]) -> tuple[float, float]:
    """The gauges once they read ``wanted``, or as they are after 3 s."""
    deadline = time.monotonic() + 3
    while (counts := _counts(port)) != wanted and time.monotonic() < deadline:
        time.sleep(0.05)
    return counts


def test_the_held_and_the_waiting_polls_are_gauges_for_the_operator():
    with gunicorn(HELD_WORKER) as port:
        assert _counts(port) == (0, 0)
        with ThreadPoolExecutor(10) as pool:
            # Ten desks, eight held threads: two wait.
            polls = [pool.submit(_get, port, "/held?s=4") for _ in range(10)]
            during = _eventually(port, (8, 2))
            assert [p.result()[0] for p in polls] == [200] * 10
        # Counted down as each answer leaves, a moment after the desk has it.
        after = _eventually(port, (0, 0))
    assert (during, after) == ((8, 2), (0, 0))


def test_a_desk_that_hung_up_while_waiting_for_a_thread_is_not_answered_later():
    """Its poll would otherwise claim an operation that no one receives."""
    with gunicorn(HELD_WORKER) as port:
        with ThreadPoolExecutor(9) as pool:
            busy = [
                pool.submit(_get, port, f"/held?s=2&mark=busy{i}") for i in range(8)
            ]
            assert _eventually(port, (8, 0)) == (8, 0)
            # A ninth desk waits for a thread, loses patience and hangs up.
            gone = socket.create_connection(("127.0.0.1", port))
            gone.sendall(b"GET /held?s=0&mark=gone HTTP/1.1\r\nHost: desk\r\n\r\n")
            assert _eventually(port, (8, 1)) == (8, 1)
            gone.close()
            # A tenth waits and stays.
            stays = pool.submit(_get, port, "/held?s=0&mark=stays")
            assert [b.result()[0] for b in busy] == [200] * 8
            assert stays.result()[0] == 200
        calls = _get(port, "/calls")[1].split(",")
    assert sorted(calls) == sorted([f"busy{i}" for i in range(8)] + ["stays"])


def test_with_gunicorns_plain_threads_the_same_request_waits_for_the_desks():
    """The control: one web thread and no held pool make the clerk wait."""
    with gunicorn(PLAIN_WORKER) as port:
        quick, _polls = _quick_while_held(port, held=2)
    assert quick > 2.0


def test_a_held_connection_is_kept_alive_for_the_next_request():
    with gunicorn(HELD_WORKER) as port:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
        try:
            conn.request("GET", "/held?s=0.2")
            first = conn.getresponse()
            assert (first.status, first.read()[:4]) == (200, b"held")
            local = conn.sock.getsockname()
            conn.request("GET", "/quick")
            second = conn.getresponse()
            assert second.status == 200
            assert not second.read().startswith(b"held")
            assert conn.sock.getsockname() == local  # the same connection
        finally:
            conn.close()


def test_a_held_request_that_fails_is_a_500_and_the_server_goes_on():
    with gunicorn(HELD_WORKER) as port:
        status, _body, _t = _get(port, "/fail")
        assert status == 500
        assert _get(port, "/held?s=0")[0] == 200
        assert _get(port, "/quick")[0] == 200


def test_the_held_path_is_the_desk_agents_long_poll_and_production_uses_the_worker():
    (path,) = held_paths()
    assert resolve(path).func.view_class is NextOperationApi  # type: ignore[attr-defined]
    conf = (ROOT / "deploy/docker/gunicorn.conf.py").read_text()
    worker = f"{HeldRequestWorker.__module__}.{HeldRequestWorker.__name__}"
    assert f'worker_class = "{worker}"' in conf


def test_a_held_path_under_a_prefix_the_application_is_not_told_of_is_held():
    """A proxy may serve the installation under /madoguchi/ without Django
    knowing (no FORCE_SCRIPT_NAME): the desks' polls are still held apart. The
    test application answers with the name of the thread that served it."""
    with gunicorn(HELD_WORKER) as port:
        _status, body, _t = _get(port, "/madoguchi/held?s=0")
        assert body.startswith("held"), body
        _status, body, _t = _get(port, "/madoguchi/quick")
        assert not body.startswith("held"), body


def _pid(conn: http.client.HTTPConnection) -> str:
    conn.request("GET", "/pid")
    return conn.getresponse().read().decode()


def test_kept_alive_connections_are_spread_over_the_workers():
    """Twelve clients connect one after another and keep their connections: each
    goes to the worker with the fewest, not to whichever woke first (ADR 0037)."""
    with gunicorn(HELD_WORKER, workers=2) as port:
        seen: set[str] = set()
        deadline = time.monotonic() + 10
        while len(seen) < 2 and time.monotonic() < deadline:  # both booted
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
            seen.add(_pid(conn))
            conn.close()
        assert len(seen) == 2
        time.sleep(0.2)  # the probes' connections closed on the server too
        kept = [
            http.client.HTTPConnection("127.0.0.1", port, timeout=15) for _ in range(12)
        ]
        try:
            served = [_pid(conn) for conn in kept]
        finally:
            for conn in kept:
                conn.close()
    counts = sorted(served.count(pid) for pid in seen)
    assert counts in ([6, 6], [5, 7]), served
