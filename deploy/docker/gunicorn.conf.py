"""gunicorn's configuration for the web container and for ``bench/api.py``, so the
bench measures the server production runs (docs/adr/0030-api-under-load.md).

* gthread workers with a second pool for held requests
  (``config.web_worker.HeldRequestWorker``, ADR 0034): ``WEB_WORKERS`` processes
  of ``WEB_THREADS`` threads for every other request, and ``WEB_HELD_THREADS``
  more for the desk agents' long-polls only, each held for up to 30 s (settings,
  start-web.sh's environment).
* gunicorn's own log lines (start, worker boot and exit) in the format of Django's
  LOGGING (JSON in production), so every line of the web container is one object.
"""

import copy

import django
from django.conf import settings

django.setup(set_prefix=False)

worker_class = "config.web_worker.HeldRequestWorker"
workers = int(settings.WEB_WORKERS)
threads = int(settings.WEB_THREADS)
timeout = 60
worker_tmp_dir = "/tmp"  # noqa: S108 (gunicorn's heartbeat files, not data)

logconfig_dict = copy.deepcopy(settings.LOGGING)
logconfig_dict["loggers"] = {
    "gunicorn.error": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
    "gunicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
}


def child_exit(server: object, worker: object) -> None:
    """A worker that exited no longer counts in the live gauges at /metrics
    (the desks' held long-polls, config/web_worker.py)."""
    import os

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]
