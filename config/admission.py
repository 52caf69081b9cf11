"""At most a few requests of a web process run Python at once; the rest wait their
turn in arrival order (docs/adr/0032-web-admission-gate.md).

A gthread worker has ``WEB_THREADS`` threads so that the desk agents' long-polls
each hold one while they wait. When more than a few of those threads have work
at once, they fight for the interpreter's lock across the cores: measured with
``bench/api.py``'s server, 2 processes of 8 busy threads answered the project's
empty login-required view at 244 requests a second, 2 processes of 2 threads at
591. The gate keeps the threads (a held long-poll still has one) but lets only
``WEB_BUSY_SLOTS`` of them run a request at a time; a request that waits for
something slow on purpose (the long-poll's sleep) gives its slot back while it
waits, through ``released()`` found in the request's WSGI environ.

The answer's body is sent after the slot is given back: sending is waiting on
the network, not work.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

#: Where a request finds the context manager that gives its slot back.
ENVIRON_KEY = "madoguchi.admission.released"

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class AdmissionGate:
    """A WSGI wrapper: ``slots`` requests at a time per process, first come first
    served (``threading.Semaphore`` wakes its waiters in order)."""

    def __init__(self, app: WsgiApp, slots: int) -> None:
        if slots < 1:
            raise ValueError("an admission gate needs at least one slot")
        self.app = app
        self.slots = slots
        self._semaphore = threading.Semaphore(slots)

    @contextmanager
    def released(self) -> Iterator[None]:
        """Give the slot back while waiting on purpose, take a slot again after."""
        self._semaphore.release()
        try:
            yield
        finally:
            self._semaphore.acquire()

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        environ[ENVIRON_KEY] = self.released
        with self._semaphore:
            return self.app(environ, start_response)


@contextmanager
def waiting(meta: dict[str, Any]) -> Iterator[None]:
    """For a view that waits on purpose: ``with waiting(request.META): sleep()``.
    Without a gate (tests, runserver, the demo) it does nothing."""
    released = meta.get(ENVIRON_KEY)
    if released is None:
        yield
        return
    with released():
        yield
