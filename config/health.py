"""Health of an installation: ``/healthz`` and the worker and beat heartbeats.

``/healthz`` answers JSON with one entry per check and 503 when any fails:

- ``database``: ``SELECT 1`` on the default database;
- ``redis``: ``PING`` on ``REDIS_URL``;
- ``worker``: the freshest Celery worker heartbeat is younger than
  ``HEALTH_HEARTBEAT_MAX_AGE``.

``?only=database,redis`` restricts the checks (the web readiness probe uses it, so
a stopped worker does not take the web pods out of the service). The beat's
heartbeat is reported but does not fail the check; its own liveness probe does.

Heartbeats are Redis keys with a timestamp and a time-to-live. A worker writes its
key from the consumer's event loop timer, so a worker whose loop is stuck stops
writing (this module is in ``CELERY_IMPORTS``); beat writes on every scheduler tick
(``config.beat.HeartbeatScheduler``).

``python -m config.health worker celery@host`` or ``python -m config.health beat``
exits 0 when that heartbeat is fresh: the liveness probes of the worker and beat.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import sys
import time
from collections.abc import Callable
from typing import Any

import redis
from celery.signals import worker_ready, worker_shutdown
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse

from config.metrics import metrics

logger = logging.getLogger(__name__)

HEARTBEAT_PREFIX = "madoguchi:heartbeat:"


def redis_client() -> redis.Redis:
    return redis.Redis.from_url(
        settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2
    )


def heartbeat_key(role: str, name: str) -> str:
    return f"{HEARTBEAT_PREFIX}{role}:{name}"


def write_heartbeat(role: str, name: str) -> None:
    """Record that ``name`` (a worker or beat) is alive now; never raises."""
    try:
        redis_client().set(
            heartbeat_key(role, name),
            f"{time.time():.3f}",
            ex=settings.HEALTH_HEARTBEAT_MAX_AGE,
        )
    except redis.RedisError as exc:
        logger.warning("heartbeat not written: %s", exc)


def heartbeat_ages(role: str) -> dict[str, float]:
    """Seconds since each live heartbeat of ``role``, by name."""
    client = redis_client()
    keys = list(client.scan_iter(match=heartbeat_key(role, "*"), count=100))
    now = time.time()
    ages: dict[str, float] = {}
    for key, value in zip(keys, client.mget(keys) if keys else [], strict=True):
        if value is None:
            continue
        name = key.decode()[len(heartbeat_key(role, "")) :]
        ages[name] = round(now - float(value), 1)
    return ages


def _check_database() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"ok": True}


def _check_redis() -> dict[str, Any]:
    redis_client().ping()
    return {"ok": True}


def _check_heartbeat(role: str) -> dict[str, Any]:
    ages = heartbeat_ages(role)
    fresh = {n: a for n, a in ages.items() if a <= settings.HEALTH_HEARTBEAT_MAX_AGE}
    return {"ok": bool(fresh), "alive": sorted(fresh), "ages_seconds": ages}


CHECKS: dict[str, Callable[[], dict[str, Any]]] = {
    "database": _check_database,
    "redis": _check_redis,
    "worker": lambda: _check_heartbeat("worker"),
}
# Reported, never failing /healthz: beat has a liveness probe of its own.
REPORTS: dict[str, Callable[[], dict[str, Any]]] = {
    "beat": lambda: _check_heartbeat("beat"),
}


def _run(check: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    try:
        return check()
    except Exception as exc:  # noqa: BLE001 - any failure is "down", with the reason
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}


def healthz(request: HttpRequest) -> JsonResponse:
    only = [n for n in request.GET.get("only", "").split(",") if n]
    names = [n for n in CHECKS if not only or n in only]
    results = {name: _run(CHECKS[name]) for name in names}
    if "database" in results and not results["database"]["ok"]:
        connection.close()  # a broken connection is not reused by the next probe
    healthy = all(r["ok"] for r in results.values())
    if not only:
        results.update({name: _run(report) for name, report in REPORTS.items()})
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": results},
        status=200 if healthy else 503,
        headers={"Cache-Control": "no-store"},
    )


class ProbeMiddleware:
    """Answer /healthz and /metrics before the host check and HTTPS redirect."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in ("GET", "HEAD"):
            if request.path_info == "/healthz":
                return healthz(request)
            if request.path_info == "/metrics":
                return metrics(request)
        return self.get_response(request)


# --- heartbeats written by the worker (this module is in CELERY_IMPORTS)


@worker_ready.connect
def _start_worker_heartbeat(sender: Any = None, **kwargs: Any) -> None:
    consumer = sender
    name = consumer.hostname
    write_heartbeat("worker", name)
    consumer.timer.call_repeatedly(
        settings.HEALTH_HEARTBEAT_INTERVAL, write_heartbeat, ("worker", name)
    )


@worker_shutdown.connect
def _remove_worker_heartbeat(sender: Any = None, **kwargs: Any) -> None:
    name = getattr(sender, "hostname", None)
    if name:
        with contextlib.suppress(redis.RedisError):
            redis_client().delete(heartbeat_key("worker", name))


def beat_name() -> str:
    return socket.gethostname()


def main(argv: list[str]) -> int:
    """Liveness probe: exit 0 when the heartbeat of ``role`` [``name``] is fresh."""
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    django.setup()
    role = argv[0]
    name = argv[1] if len(argv) > 1 else (beat_name() if role == "beat" else None)
    try:
        ages = heartbeat_ages(role)
    except redis.RedisError as exc:
        print(f"redis: {exc}", file=sys.stderr)  # noqa: T201
        return 1
    age = ages.get(name) if name else min(ages.values(), default=None)
    if age is None or age > settings.HEALTH_HEARTBEAT_MAX_AGE:
        print(f"{role} {name or ''}: no fresh heartbeat ({ages})", file=sys.stderr)  # noqa: T201
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
