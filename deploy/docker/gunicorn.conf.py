"""gunicorn's own log lines (start, worker boot and exit) in the format of Django's
LOGGING (JSON in production), so every line of the web container is one object."""

import copy

import django
from django.conf import settings

django.setup(set_prefix=False)

logconfig_dict = copy.deepcopy(settings.LOGGING)
logconfig_dict["loggers"] = {
    "gunicorn.error": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
    "gunicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
}
