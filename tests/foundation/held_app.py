"""A WSGI application and a worker for the held-request tests: ``/held`` sleeps
``?s=`` seconds (as a desk agent's long-poll does), ``/fail`` raises, anything
else answers at once with the name of the thread that served it; ``/pid`` with
the worker's process id; ``/gauges``
gives the worker's Prometheus gauges, ``/calls`` the ``mark`` of each held
request it ran."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from prometheus_client import generate_latest

from config.web_worker import HeldRequestWorker

#: The ``mark`` of every held request the application ran, in order.
CALLS: list[str] = []


class SmallHeldWorker(HeldRequestWorker):
    """Production's worker with the test application's held path."""

    def held_path_set(self) -> frozenset[str]:
        return frozenset({"/held", "/fail"})

    def held_thread_count(self) -> int:
        return 8


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    path = environ["PATH_INFO"]
    if path == "/gauges":  # this worker's own registry: one process, no files
        body = generate_latest()
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [body]
    if path == "/fail":
        raise RuntimeError("a held request that fails")
    if path == "/pid":
        body = str(os.getpid()).encode()
        start_response("200 OK", [("Content-Length", str(len(body)))])
        return [body]
    if path == "/calls":  # the marks of the held requests this worker ran
        body = ",".join(CALLS).encode()
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [body]
    if path == "/held":
        query = parse_qs(environ.get("QUERY_STRING", ""))
        CALLS.append(query.get("mark", [""])[0])
        time.sleep(float(query.get("s", ["1"])[0]))
    body = threading.current_thread().name.encode()
    start_response(
        "200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))]
    )
    return [body]
