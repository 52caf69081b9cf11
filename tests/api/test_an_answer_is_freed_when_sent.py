"""An API answer is freed when the server drops its response (issue 14, ADR
0039), not left for the garbage collector: the response is in no reference
cycle once it is rendered, so its page of answers goes with it at once."""

from __future__ import annotations

import gc
import io
import sys
import weakref
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_started
from django.db import close_old_connections
from django.test import override_settings
from rest_framework.authtoken.models import Token

from tests import factories as f

pytestmark = pytest.mark.django_db

HOST = "testserver"


@pytest.fixture
def collector_off() -> Iterator[None]:
    was_on = gc.isenabled()
    gc.collect()
    gc.disable()
    yield
    if was_on:
        gc.enable()


def _served(path: str, token: str) -> weakref.ref[Any]:
    """The response, as a WSGI server holds it: called, iterated, closed and
    dropped. Returns a weak reference to it."""
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": HOST,
        "SERVER_PORT": "80",
        "HTTP_HOST": HOST,
        "HTTP_AUTHORIZATION": f"Token {token}",
        "HTTP_ACCEPT": "application/json",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "REMOTE_ADDR": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    statuses: list[str] = []
    # As Django's test client: the test's transaction keeps its connection.
    request_started.disconnect(close_old_connections)
    try:
        response = WSGIHandler()(
            environ, lambda status, headers, *_: statuses.append(status)
        )
        body = b"".join(response)
        response.close()
    finally:
        request_started.connect(close_old_connections)
    assert statuses[0].startswith("200"), body[:300]
    return weakref.ref(response)


def test_a_case_list_answer_is_freed_when_its_response_is_dropped(
    city, office, clerk, open_counter, collector_off
):
    for _ in range(3):
        f.CaseFactory(office=office, resident=f.ResidentFactory(municipality=city))
    token = Token.objects.create(user=clerk).key
    served = _served("/api/v1/cases/", token)
    assert served() is None


def test_without_the_release_the_answer_waits_for_the_collector(
    city, office, clerk, open_counter, collector_off, settings
):
    """The check above can fail: with the middleware taken out, DRF's links
    between the view and its response keep the answer alive."""
    f.CaseFactory(office=office, resident=f.ResidentFactory(municipality=city))
    token = Token.objects.create(user=clerk).key
    without = [
        m
        for m in settings.MIDDLEWARE
        if m != "counter.api.release.ReleaseAnswerMiddleware"
    ]
    with override_settings(MIDDLEWARE=without):
        served = _served("/api/v1/cases/", token)
    assert served() is not None
    gc.collect()
    assert served() is None
