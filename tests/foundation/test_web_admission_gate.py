"""The web process runs a few requests at a time and a held long-poll waits
without a slot (docs/adr/0032-web-admission-gate.md)."""

from __future__ import annotations

import io
import threading
import time
from typing import Any

import pytest
from django.core.wsgi import get_wsgi_application
from django.db import connections

from config.admission import AdmissionGate
from jpki_ops import services
from tests.factories import DeskFactory


def _blocking_app(inside: list[str], lock: threading.Lock, go: threading.Event):
    def app(environ: dict[str, Any], start_response: Any):
        with lock:
            inside.append(environ["name"])
        go.wait(5)
        with lock:
            inside.remove(environ["name"])
        start_response("200 OK", [])
        return [b"ok"]

    return app


def test_a_request_beyond_the_slots_waits_until_one_is_free():
    inside: list[str] = []
    lock, go = threading.Lock(), threading.Event()
    gate = AdmissionGate(_blocking_app(inside, lock, go), slots=2)
    threads = [
        threading.Thread(target=gate, args=({"name": n}, lambda *a: None))
        for n in "abc"
    ]
    for t in threads:
        t.start()
        time.sleep(0.05)
    assert sorted(inside) == ["a", "b"]  # c waits at the gate
    go.set()
    for t in threads:
        t.join(5)
    assert inside == []


def test_waiting_requests_are_let_in_in_the_order_they_came():
    order: list[str] = []
    release = threading.Event()

    def app(environ: dict[str, Any], start_response: Any):
        if environ["name"] == "first":
            release.wait(5)
        order.append(environ["name"])
        return [b""]

    gate = AdmissionGate(app, slots=1)
    threads = []
    for name in ("first", "second", "third", "fourth"):
        threads.append(
            threading.Thread(target=gate, args=({"name": name}, lambda *a: None))
        )
        threads[-1].start()
        time.sleep(0.05)
    release.set()
    for t in threads:
        t.join(5)
    assert order == ["first", "second", "third", "fourth"]


def test_a_gate_without_slots_is_refused():
    with pytest.raises(ValueError):
        AdmissionGate(lambda e, s: [b""], slots=0)


def test_the_production_application_is_behind_the_gate(settings):
    from config import wsgi

    assert isinstance(wsgi.application, AdmissionGate)
    assert wsgi.application.slots == settings.WEB_BUSY_SLOTS == 2


def _agent_environ(token: str, query: str) -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/api/v1/desk/agent/next/",
        "QUERY_STRING": query,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "HTTP_AUTHORIZATION": f"DeskAgent {token}",
        "HTTP_X_AGENT_SESSION": "s1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": io.StringIO(),
    }


@pytest.mark.django_db(transaction=True)
def test_a_held_long_poll_gives_its_slot_back_while_it_waits():
    """With one slot, another desk's poll is answered while the first is held;
    a gate that kept the slot would make it wait the whole hold."""
    first: Any = DeskFactory()
    second: Any = DeskFactory()
    _c1, token1 = services.desk_agent_credential_issue(desk=first)
    _c2, token2 = services.desk_agent_credential_issue(desk=second)
    gate = AdmissionGate(get_wsgi_application(), slots=1)
    statuses: dict[str, str] = {}

    def call(name: str, token: str, query: str) -> None:
        def start_response(status: str, headers: Any, exc_info: Any = None) -> None:
            statuses[name] = status

        try:
            b"".join(gate(_agent_environ(token, query), start_response))
        finally:
            connections.close_all()

    held = threading.Thread(target=call, args=("held", token1, "wait=2"))
    held.start()
    time.sleep(0.5)  # the held poll is inside, sleeping between its claims
    started = time.monotonic()
    call("quick", token2, "wait=0")
    answered_in = time.monotonic() - started
    held.join(10)
    assert statuses == {"held": "204 No Content", "quick": "204 No Content"}
    assert answered_in < 1.0, answered_in
