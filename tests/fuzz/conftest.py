"""The project's WSGI application in this process, for every role's fuzz run."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from rest_framework.views import APIView


@pytest.fixture
def app(settings: Any) -> Iterator[WSGIHandler]:
    """The project's WSGI application in this process, on the test database.

    Django closes the connection at each request's end, which would end the
    test's transaction; the test client unhooks the same signals."""
    settings.ALLOWED_HOSTS = ["*"]
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    # Throttling has its own tests; here it would turn most calls into 429s.
    original = APIView.get_throttles
    APIView.get_throttles = lambda self: []  # type: ignore[method-assign]
    try:
        yield WSGIHandler()
    finally:
        APIView.get_throttles = original  # type: ignore[method-assign]
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
