"""Prometheus metrics at ``/metrics`` (text exposition format).

Counted in the web process, per request (:class:`RequestMetricsMiddleware`):

- ``madoguchi_http_requests_total{view,method,status}``
- ``madoguchi_http_request_duration_seconds{view}`` (histogram)

Counted by the web server's worker (``config/web_worker.py``), summed over the
live workers: ``madoguchi_desk_polls_held`` and ``madoguchi_desk_polls_waiting``.

Under gunicorn the worker processes share these through files in
``PROMETHEUS_MULTIPROC_DIR`` (start-web.sh sets it), so every scrape sees the sum.

Read from the database at scrape time (:class:`DatabaseCollector`), so the worker,
beat and the domain code need no instrumentation of their own:

- ``madoguchi_inquiry_letters{state}``
- ``madoguchi_card_operations{kind,state}`` (the outcome is the state)
- ``madoguchi_celery_task_results{task,status}``: rows of django-celery-results'
  table (``CELERY_RESULT_EXTENDED`` keeps the task name; rows expire after a day)
- ``madoguchi_audit_checkpoint_age_seconds`` and ``madoguchi_audit_checkpoint_valid``:
  the newest signed checkpoint of the audit chains, and whether it verifies;
- ``madoguchi_audit_events`` and ``madoguchi_audit_head_age_seconds``: the
  sequence number of the newest audit event and how old it is
- ``madoguchi_metrics_database_up``: 0 when the queries above failed
"""

from __future__ import annotations

import hmac
import logging
import os
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db.models import Count, Max
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from counter.checkpoints import CheckpointError, last_checkpoint

logger = logging.getLogger(__name__)
request_logger = logging.getLogger("madoguchi.request")

REQUESTS = Counter(
    "madoguchi_http_requests",
    "HTTP requests answered, by view, method and status.",
    ["view", "method", "status"],
)
LATENCY = Histogram(
    "madoguchi_http_request_duration_seconds",
    "Time from the request reaching Django to the response leaving it, by view.",
    ["view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)


def _view_label(request: HttpRequest) -> str:
    if request.path_info in ("/healthz", "/metrics"):
        return request.path_info.lstrip("/")
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "<unresolved>"
    return match.view_name or match._func_path


class RequestMetricsMiddleware:
    """Count and time every request; log one JSON line per request (no query)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed = time.perf_counter() - started
        view = _view_label(request)
        REQUESTS.labels(view, request.method or "", str(response.status_code)).inc()
        LATENCY.labels(view).observe(elapsed)
        request_logger.info(
            "%s %s %s %.1fms",
            request.method,
            request.path,
            response.status_code,
            elapsed * 1000,
            extra={"view": view},
        )
        return response


def _grouped(model_label: str, *fields: str) -> list[dict[str, Any]]:
    model = apps.get_model(model_label)
    return list(
        model._default_manager.order_by()
        .values(*fields)
        .annotate(n=Count("pk"))
        .values(*fields, "n")
    )


class DatabaseCollector(Collector):
    """Gauges computed from the database when Prometheus scrapes."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily(
            "madoguchi_metrics_database_up",
            "1 when the scrape-time queries of the database succeeded.",
        )
        try:
            families = list(self._families())
        except Exception:
            logger.exception("metrics: database queries failed")
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _families(self) -> Iterator[GaugeMetricFamily]:
        letters = GaugeMetricFamily(
            "madoguchi_inquiry_letters", "Inquiry letters by state.", labels=["state"]
        )
        for row in _grouped("counter.InquiryLetter", "state"):
            letters.add_metric([row["state"]], row["n"])
        yield letters

        operations = GaugeMetricFamily(
            "madoguchi_card_operations",
            "Card operations by kind and state (succeeded, failed, timed_out, ...).",
            labels=["kind", "state"],
        )
        for row in _grouped("jpki_ops.CardOperation", "kind", "state"):
            operations.add_metric([row["kind"], row["state"]], row["n"])
        yield operations

        tasks = GaugeMetricFamily(
            "madoguchi_celery_task_results",
            "Celery task results kept in the result table, by task and outcome.",
            labels=["task", "status"],
        )
        for row in _grouped("django_celery_results.TaskResult", "task_name", "status"):
            tasks.add_metric([row["task_name"] or "", row["status"]], row["n"])
        yield tasks

        audit = apps.get_model("counter.AuditEvent")
        head = audit._default_manager.aggregate(seq=Max("seq"), at=Max("created_at"))
        events = GaugeMetricFamily(
            "madoguchi_audit_events", "Sequence number of the newest audit event."
        )
        events.add_metric([], head["seq"] or 0)
        yield events
        age = GaugeMetricFamily(
            "madoguchi_audit_head_age_seconds",
            "Seconds since the newest audit event was written.",
        )
        if head["at"] is not None:
            age.add_metric([], (timezone.now() - head["at"]).total_seconds())
        yield age
        yield from _checkpoint_metrics()


def _checkpoint_metrics() -> Iterator[GaugeMetricFamily]:
    """How old the newest signed audit checkpoint is, and whether it verifies:
    an operator alerts when the witness outside the database stops or is forged
    (docs/security/audit-trail.md)."""
    age = GaugeMetricFamily(
        "madoguchi_audit_checkpoint_age_seconds",
        "Seconds since the newest signed audit checkpoint was written.",
    )
    valid = GaugeMetricFamily(
        "madoguchi_audit_checkpoint_valid",
        "1 when the newest audit checkpoint exists and its signature verifies.",
    )
    try:
        last = last_checkpoint()
    except CheckpointError:
        last = None
    valid.add_metric([], 1 if last is not None else 0)
    if last is not None:
        written = datetime.fromisoformat(last.written_at)
        age.add_metric([], (timezone.now() - written).total_seconds())
    yield age
    yield valid


def _registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry = CollectorRegistry()
        registry.register(_DefaultRegistry())
    registry.register(DatabaseCollector())
    return registry


class _DefaultRegistry(Collector):
    """The process-local default registry, as one collector."""

    def collect(self) -> Iterator[Any]:
        yield from REGISTRY.collect()


def _authorised(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    if not token:
        return True
    sent = request.headers.get("Authorization", "")
    return hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())


def metrics(request: HttpRequest) -> HttpResponse:
    if not _authorised(request):
        return HttpResponse("authorisation required\n", status=401)
    return HttpResponse(
        generate_latest(_registry()),
        content_type=CONTENT_TYPE_LATEST,
        headers={"Cache-Control": "no-store"},
    )
