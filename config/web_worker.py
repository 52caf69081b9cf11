"""gunicorn's threaded worker with a second thread pool for held requests.

A desk agent's long-poll (``GET /api/v1/desk/agent/next/``) holds its request
for up to 30 s, mostly asleep. In gunicorn's plain ``gthread`` worker it holds
one of the ``WEB_THREADS`` threads all that time, so the web threads had to be
many (8) for the desks, and many threads busy at once lengthen every clerk's
and integration's request under load (docs/adr/0034-held-requests-own-threads.md).

Here a request whose path is a held one is handed, once parsed, to a pool of
its own (``WEB_HELD_THREADS``); the thread that parsed it goes back to other
connections at once. Every other request runs as in ``gthread``. A desk that
cannot get a held thread waits for one; a clerk never waits for a desk.

It also spreads kept-alive connections over the workers
(docs/adr/0037-connections-spread-over-the-workers.md): every worker is woken
for a new connection and the first to accept it keeps it for as long as the
client keeps it alive, so a proxy's or an integration's sixteen connections
could all land on one process, whose one interpreter lock then served them on
one core while the other workers idled. A worker that already has ordinary
connections waits a little before it accepts, longer the more it has, so the
worker with the fewest takes the newcomer.
"""

from __future__ import annotations

import errno
import select
import socket
import threading
import time
from concurrent import futures
from typing import Any

from gunicorn import http
from gunicorn.workers import gthread
from prometheus_client import Gauge

#: What :meth:`HeldRequestWorker.handle` returns for a connection it handed
#: over: the held pool finishes that connection, not the web pool's callback.
_HANDED_OVER = object()


#: Before it accepts a connection, a worker with other workers beside it waits
#: this long for each ordinary (not held) connection it already has, at most
#: :data:`ACCEPT_WAIT_MAX`: every worker is woken for the newcomer, and the
#: one with the fewest reaches ``accept()`` first (ADR 0037).
ACCEPT_WAIT_PER_CONNECTION = 0.0005
ACCEPT_WAIT_MAX = 0.01


#: At /metrics, summed over the live gunicorn workers (docs/operations.md): a
#: desk whose poll waits for a held thread is a desk whose next card operation
#: is late.
POLLS_WAITING = Gauge(
    "madoguchi_desk_polls_waiting",
    "Desk agents' long-polls received and waiting for a held thread.",
    multiprocess_mode="livesum",
)
POLLS_HELD = Gauge(
    "madoguchi_desk_polls_held",
    "Desk agents' long-polls being held on a held thread.",
    multiprocess_mode="livesum",
)


def held_paths() -> frozenset[str]:
    """The paths served from the held pool: the desk agent's long-poll, by its
    URL name, so a moved URL moves with it."""
    from django.urls import reverse

    return frozenset({reverse("desk-agent-next")})


def held_threads() -> int:
    from django.conf import settings

    return int(settings.WEB_HELD_THREADS)


def _hung_up(sock: socket.socket) -> bool:
    """Whether the client has closed its side: readable, with nothing to read.
    Bytes waiting (a next request) mean it is still there."""
    try:
        poller = select.poll()  # not select(): no limit on the descriptor's number
        poller.register(sock, select.POLLIN)
        if not poller.poll(0):
            return False
        return sock.recv(1, socket.MSG_PEEK) == b""
    except (OSError, ValueError):
        return True


class HeldRequestWorker(gthread.ThreadWorker):
    """``gthread`` with held requests on threads of their own."""

    def init_process(self) -> None:
        #: Matched at the end of the path: an installation behind a proxy that
        #: serves it under a prefix Django is not told of (no FORCE_SCRIPT_NAME)
        #: still holds its desks' polls apart (ADR 0034).
        self.held_endings = tuple(sorted(self.held_path_set()))
        self.held_pool = futures.ThreadPoolExecutor(
            max_workers=self.held_thread_count(), thread_name_prefix="held"
        )
        self._handing = threading.local()
        self._held_lock = threading.Lock()
        #: Connections handed to the held pool and not yet answered.
        self.held_now = 0
        super().init_process()

    def held_path_set(self) -> frozenset[str]:
        return held_paths()

    def accept_wait(self) -> float:
        """How long to wait before accepting: nothing for a worker alone."""
        if self.cfg.workers < 2:
            return 0.0
        ordinary = self.nr_conns - self.held_now
        return min(max(ordinary, 0) * ACCEPT_WAIT_PER_CONNECTION, ACCEPT_WAIT_MAX)

    def accept(self, listener: Any) -> None:
        """gthread's accept, after :meth:`accept_wait`; a connection another
        worker took meanwhile is gthread's ``EAGAIN``, already ignored."""
        wait = self.accept_wait()
        if wait:
            time.sleep(wait)
        super().accept(listener)

    def _count_held(self, step: int) -> None:
        with self._held_lock:
            self.held_now += step

    def held_thread_count(self) -> int:
        return held_threads()

    def handle(self, conn: Any) -> Any:
        self._handing.over = False
        result = super().handle(conn)
        if self._handing.over:
            self._handing.over = False
            return _HANDED_OVER
        return result

    def handle_request(self, req: Any, conn: Any) -> Any:
        if not req.path.endswith(self.held_endings):
            return super().handle_request(req, conn)
        # The parsing thread returns at once; the held thread answers and
        # then hands the connection back to the main loop for keep-alive.
        POLLS_WAITING.inc()
        self._count_held(1)
        try:
            held = self.held_pool.submit(self._serve_held, req, conn)
        except BaseException:
            POLLS_WAITING.dec()
            self._count_held(-1)
            raise
        self._handing.over = True
        held.add_done_callback(
            lambda fut: self.method_queue.defer(self.finish_request, conn, fut)
        )
        return False

    def _serve_held(self, req: Any, conn: Any) -> bool:
        """The held request, with ``gthread.handle``'s treatment of a client
        that went away and of an error.

        A desk whose poll waited for a thread longer than its own patience has
        hung up and polled again; its old poll is dropped unanswered, so that it
        never claims an operation no one will receive."""
        POLLS_WAITING.dec()
        try:
            return self._serve_held_now(req, conn)
        finally:
            self._count_held(-1)

    def _serve_held_now(self, req: Any, conn: Any) -> bool:
        if _hung_up(conn.sock):
            return False
        POLLS_HELD.inc()
        try:
            return bool(self._keepalive_after(conn, super().handle_request(req, conn)))
        except (http.errors.NoMoreData, StopIteration):
            return False
        except OSError as error:
            if error.errno not in (errno.EPIPE, errno.ECONNRESET, errno.ENOTCONN):
                self.log.exception("Socket error processing a held request.")
            return False
        except Exception as error:  # noqa: BLE001 - gunicorn's own catch-all
            self.handle_error(req, conn.sock, conn.client, error)
            return False
        finally:
            POLLS_HELD.dec()

    def finish_request(self, conn: Any, fs: Any) -> None:
        handed_over = not fs.cancelled() and fs.exception() is None
        if handed_over and fs.result() is _HANDED_OVER:
            return
        super().finish_request(conn, fs)

    def handle_quit(self, sig: Any, frame: Any) -> None:
        self.held_pool.shutdown(wait=False, cancel_futures=True)
        super().handle_quit(sig, frame)
