"""A PIN never leaves the desk (docs/reference/architecture.md;
docs/rules/02-certificates-and-pins.md §2: the city keeps no PIN).

Every PIN flow runs end to end with canary PINs — resident types on the agent's
127.0.0.1 PIN pad, the agent talks to the card through pcscd and to the live server
over HTTP — and then the canaries are searched for, in plain text, hex and base64:

* the whole test database (``pg_dump`` and every row of every table as JSON),
* every log record of the server, the agent and the card in this process,
* every key and value in every Redis database,
* every HTTP request the server received (path, query, headers, body).

Zero hits. The test fails if a flow did not really run (each must reach its
expected end state), so it cannot pass by doing nothing.
"""

from __future__ import annotations

import base64
import logging
import re
import shutil
import subprocess
from typing import Any

import pytest
import redis
from django.core.handlers.base import BaseHandler
from django.db import connection

from jpki_ops.pcsc.client import CardSession
from jpki_ops.pcsc.pin import Pin

# Sequences start again at 1: an id the whole suite's earlier tests pushed to a
# canary's four digits (a ``setval(…, 9753)`` in the dump) would read as a PIN.
pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, reset_sequences=True),
]

CANARY_PINS = {
    "auth_pin": "8642",
    "signing_password": "CANARY7Q9Z",
    "card_info_pin": "9753",
    "resident_register_pin": "3197",
}
NEW_SIGNING = "CANARY8X2W"
NEW_AUTH = "4826"
WRONG_AUTH = "7531"
WRONG_SHAPE = "86420"
CANARIES = [*CANARY_PINS.values(), NEW_SIGNING, NEW_AUTH, WRONG_AUTH, WRONG_SHAPE]


def _patterns() -> list[re.Pattern[str]]:
    out = []
    for value in CANARIES:
        # Digits-only canaries: as a token of their own. A 4-digit run inside a
        # SHA-256 hex string, a float or an identifier such as another test's
        # queue "test-4826" (named after a pid) is chance, not a PIN.
        if value.isdigit():
            out.append(re.compile(rf"(?<![0-9A-Za-z_.-]){value}(?![0-9A-Za-z_.-])"))
        else:
            out.append(re.compile(re.escape(value), re.IGNORECASE))
        raw = value.encode()
        out.append(re.compile(raw.hex(), re.IGNORECASE))  # APDU / bytea hex
        out.append(re.compile(re.escape(base64.b64encode(raw).decode().rstrip("="))))
    return out


def _hits(text: str) -> list[str]:
    return [p.pattern for p in _patterns() if p.search(text)]


@pytest.fixture
def recorded_requests(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every request the server handles (live server and test client alike)."""
    seen: list[str] = []
    original = BaseHandler.get_response

    def recording(self: BaseHandler, request: Any) -> Any:
        headers = {k: v for k, v in request.META.items() if k.startswith("HTTP_")}
        seen.append(
            f"{request.method} {request.get_full_path()} {headers} "
            + request.body.decode("utf-8", "replace")
        )
        return original(self, request)

    monkeypatch.setattr(BaseHandler, "get_response", recording)
    return seen


@pytest.fixture
def canary_agent(recorded_requests, live_server, make_virtual_card):
    from jpki_ops.agent.testing import AgentHarness
    from jpki_ops.services import desk_agent_credential_issue
    from tests.factories import DeskFactory

    card = make_virtual_card(pins=CANARY_PINS)
    desk = DeskFactory(reader_name=card.reader)
    _cred, token = desk_agent_credential_issue(desk=desk)
    harness = AgentHarness(f"{live_server.url}/api/v1/desk/", token, card.reader, desk)
    harness.card = card  # type: ignore[attr-defined]
    harness.start_agent()
    try:
        yield harness
    finally:
        harness.stop()


def _run_every_pin_flow(agent: Any, client: Any, clerk: Any) -> None:
    def done(op: Any, state: str = "succeeded", code: str = "") -> None:
        op = agent.wait(op, timeout=60)
        assert (op.state, op.error_code) == (state, code), op.error_message
        client.get(f"/api/v1/desk/operations/{op.pk}/")  # the clerk's screen polls

    client.force_login(clerk)
    # Requested through the clerk API as the screen does (its body is recorded too).
    response = client.post(
        "/api/v1/desk/operations/",
        {
            "desk": agent.desk.pk,
            "kind": "pin_verify",
            "idempotency_key": "canary-1",
            "parameters": {"pin_kind": "authentication"},
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    from jpki_ops.models import CardOperation

    op = CardOperation.objects.get(pk=response.json()["id"])
    assert agent.type_pin(WRONG_SHAPE)[0] == 400  # refused on the pad
    agent.type_pin(WRONG_AUTH)
    done(op, "failed", "pin-wrong")

    op = agent.request("pin_verify", {"pin_kind": "authentication"})
    agent.type_pin(CANARY_PINS["auth_pin"])
    done(op)

    op = agent.request("pin_change", {"pin_kind": "signing"})
    agent.type_pin(CANARY_PINS["signing_password"])
    agent.type_pin(NEW_SIGNING)
    done(op)

    op = agent.request("read_card", {"read_signing_certificate": True})
    agent.type_pin(NEW_SIGNING)
    done(op)

    with CardSession(agent.reader) as card:  # lock the auth PIN, then reset it
        for _ in range(3):
            with pytest.raises(Exception):  # noqa: B017
                card.pin_verify(Pin("authentication", WRONG_AUTH))
    op = agent.request("pin_reset", {"pin_kind": "authentication"})
    agent.type_pin(NEW_AUTH)
    done(op)

    op = agent.request("sign_test", {"certificate_kind": "authentication"})
    agent.type_pin(NEW_AUTH)
    done(op)

    op = agent.request("read_basic_items")
    agent.type_pin(CANARY_PINS["card_info_pin"])
    done(op)

    op = agent.request("pin_verify", {"pin_kind": "resident_register"})
    agent.type_pin(CANARY_PINS["resident_register_pin"])
    done(op)

    op = agent.request("pin_change", {"pin_kind": "card_info"})
    agent.cancel_pin()
    done(op, "failed", "pin-entry-cancelled")


# Bookkeeping fields of a log record (pids, thread ids, timings) are numbers that
# can equal a 4-digit canary by chance; everything else a record carries is searched.
_RECORD_BOOKKEEPING = {
    "process",
    "thread",
    "created",
    "msecs",
    "relativeCreated",
    "lineno",
    "levelno",
    "processName",
    "threadName",
    "taskName",
}


def _record_fields(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in vars(record).items() if k not in _RECORD_BOOKKEEPING}


def _database_text() -> str:
    parts = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
        )
        tables = [row[0] for row in cursor.fetchall()]
        for table in tables:
            cursor.execute(f'SELECT row_to_json(t)::text FROM "{table}" t')  # noqa: S608
            parts.extend(row[0] for row in cursor.fetchall())
    assert any("card_operation_succeeded" in p for p in parts)  # the dump is real
    dump = shutil.which("pg_dump")
    if dump:
        settings = connection.settings_dict
        result = subprocess.run(
            [
                dump,
                "-h",
                settings["HOST"] or "127.0.0.1",
                "-p",
                str(settings["PORT"] or 5432),
                "-U",
                settings["USER"] or "postgres",
                "--data-only",
                settings["NAME"],
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        assert "jpki_ops_cardoperation" in result.stdout
        parts.append(result.stdout)
    return "\n".join(parts)


def _redis_text() -> str:
    parts = []
    for db in range(16):
        client = redis.Redis(host="127.0.0.1", port=6379, db=db)
        for key in client.scan_iter(count=500):
            kind = client.type(key).decode()
            value: Any
            if kind == "string":
                value = client.get(key)
            elif kind == "hash":
                value = client.hgetall(key)
            elif kind == "list":
                value = client.lrange(key, 0, -1)
            elif kind == "set":
                value = client.smembers(key)
            elif kind == "zset":
                value = client.zrange(key, 0, -1)
            else:
                value = ""
            parts.append(f"{db} {key!r} {value!r}")
    return "\n".join(parts)


def test_canary_pins_appear_nowhere_on_the_server_side(
    canary_agent, client, caplog, recorded_requests, capfd
):
    from django.contrib.auth.models import Group, User

    from counter.models import StaffProfile
    from counter.roles import sync_roles

    caplog.set_level(logging.DEBUG)
    sync_roles()  # a flushed database lost the migrations' groups
    office = canary_agent.desk.office
    clerk = User.objects.create_user("clerk-canary", password="x")
    StaffProfile.objects.create(
        user=clerk, municipality=office.municipality, office=office
    )
    clerk.groups.add(Group.objects.get(name="clerk"))  # counter work is the clerk's
    _run_every_pin_flow(canary_agent, client, clerk)

    logs = "\n".join(
        f"{r.name} {r.getMessage()} {r.exc_text or ''} {_record_fields(r)}"
        for r in caplog.records
    )
    out, err = capfd.readouterr()
    bodies = "\n".join(recorded_requests)
    assert any("/agent/operations/" in b and "result" in b for b in recorded_requests)
    assert logs, "no log records captured"

    found = {
        "database": _hits(_database_text()),
        "logs": _hits(logs + out + err),
        "redis": _hits(_redis_text()),
        "http requests": _hits(bodies),
    }
    assert found == {"database": [], "logs": [], "redis": [], "http requests": []}


def test_the_canary_search_would_find_a_leak():
    """The detector is not blind: a PIN planted in any searched form is found."""
    assert _hits('{"pin": "8642"}')
    assert _hits("apdu 00 20 00 98 04 " + b"8642".hex())
    assert _hits(base64.b64encode(b"CANARY7Q9Z").decode())
    assert _hits("pin:8642") and _hits("pin=9753&")
    assert not _hits("sha256 a98642bc")  # chance inside a hash is not a PIN
    assert not _hits("_kombu.binding.test-4826")  # nor inside another identifier
