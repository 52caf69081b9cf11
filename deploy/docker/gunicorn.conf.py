"""gunicorn's configuration for the web container and for ``bench/api.py``, so the
bench measures the server production runs (docs/adr/0030-api-under-load.md).

* gthread workers: each desk agent holds one long-poll request for up to 30 s,
  which needs a thread, not a process. ``WEB_WORKERS`` processes of
  ``WEB_THREADS`` threads (settings, start-web.sh's environment).
* gunicorn's own log lines (start, worker boot and exit) in the format of Django's
  LOGGING (JSON in production), so every line of the web container is one object.
"""

import copy

import django
from django.conf import settings

django.setup(set_prefix=False)

worker_class = "gthread"
workers = int(settings.WEB_WORKERS)
threads = int(settings.WEB_THREADS)
timeout = 60
worker_tmp_dir = "/tmp"  # noqa: S108 (gunicorn's heartbeat files, not data)

logconfig_dict = copy.deepcopy(settings.LOGGING)
logconfig_dict["loggers"] = {
    "gunicorn.error": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
    "gunicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
}
