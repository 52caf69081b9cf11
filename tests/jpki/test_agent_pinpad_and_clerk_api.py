"""The PIN pad only listens to the desk PC, and the clerk sees only their office's
operations (docs/reference/architecture.md: PIN pad on 127.0.0.1; scoping in
selectors)."""

from __future__ import annotations

import http.client
import json
import threading

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from counter.models import StaffProfile
from jpki_ops import services
from jpki_ops.agent.pinpad import PinEntryCancelled, PinPad
from jpki_ops.agent.testing import pinpad_post, pinpad_state
from tests.factories import DeskFactory, OfficeFactory


@pytest.fixture
def pad():
    pad = PinPad(port=0)
    pad.start()
    yield pad
    pad.stop()


def _ask(pad: PinPad, kind: str = "authentication", **kwargs):
    box: dict = {}

    def run() -> None:
        try:
            box["pin"] = pad.request_pin(kind, timeout=10, **kwargs)
        except Exception as exc:  # noqa: BLE001
            box["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    for _ in range(200):
        if pinpad_state(pad.url)["prompt"]:
            break
        threading.Event().wait(0.01)
    return box, thread


def test_the_pad_takes_a_pin_from_127_0_0_1_and_never_echoes_it(pad):
    box, thread = _ask(pad, tries_left=1, max_tries=3)
    prompt = pinpad_state(pad.url)["prompt"]
    assert prompt["last_try"] is True and prompt["tries_left"] == 1
    status, body = pinpad_post(
        pad.url,
        "/entry",
        {"prompt_id": prompt["prompt_id"], "pin": "8642", "last_try_confirmed": True},
    )
    thread.join(5)
    assert status == 200 and "8642" not in json.dumps(body)
    assert box["pin"].apdu_bytes() == b"8642" and "8642" not in repr(box["pin"])
    assert "8642" not in json.dumps(pinpad_state(pad.url))


def test_a_post_without_the_prompt_id_or_from_another_host_is_refused(pad):
    box, thread = _ask(pad)
    assert (
        pinpad_post(pad.url, "/entry", {"prompt_id": "guess", "pin": "1234"})[0] == 409
    )
    conn = http.client.HTTPConnection("127.0.0.1", pad.port)
    conn.request(
        "POST",
        "/entry",
        body=b"{}",
        headers={"Host": "evil.example", "Content-Type": "application/json"},
    )
    assert conn.getresponse().status == 403  # DNS rebinding: wrong Host header
    prompt = pinpad_state(pad.url)["prompt"]
    pinpad_post(pad.url, "/cancel", {"prompt_id": prompt["prompt_id"]})
    thread.join(5)
    assert isinstance(box["error"], PinEntryCancelled)
    assert box["error"].code == "pin-entry-cancelled"


def test_the_page_is_japanese_and_offers_letters_only_for_the_signing_password(pad):
    conn = http.client.HTTPConnection("127.0.0.1", pad.port)
    conn.request("GET", "/")
    page = conn.getresponse().read().decode()
    assert 'lang="ja"' in page and "暗証番号" in page and "取消" in page
    box, thread = _ask(pad, kind="signing")
    assert pinpad_state(pad.url)["prompt"]["alphanumeric"] is True
    pad.cancel_current()
    thread.join(5)


@pytest.mark.django_db
def test_a_clerk_requests_and_follows_operations_of_their_own_office_only():
    desk = DeskFactory()
    office = desk.office
    other_office = OfficeFactory(municipality=office.municipality)
    clerk = User.objects.create_user("c1", password="x")
    StaffProfile.objects.create(
        user=clerk, municipality=office.municipality, office=office
    )
    stranger = User.objects.create_user("c2", password="x")
    StaffProfile.objects.create(
        user=stranger, municipality=office.municipality, office=other_office
    )
    for user in (clerk, stranger):  # counter work is the clerk role's
        user.groups.add(Group.objects.get(name="clerk"))
    client = Client()
    client.force_login(clerk)
    body = {"desk": desk.pk, "kind": "pin_status", "idempotency_key": "k1"}
    created = client.post(
        "/api/v1/desk/operations/", body, content_type="application/json"
    )
    assert created.status_code == 201, created.content
    op_id = created.json()["id"]
    again = client.post(
        "/api/v1/desk/operations/", body, content_type="application/json"
    )
    assert again.json()["id"] == op_id  # idempotent
    refused = client.post(
        "/api/v1/desk/operations/",
        {**body, "idempotency_key": "k2", "parameters": {"pin": "1234"}},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert refused.json()["code"] == "card-operation-secret-refused"
    assert (
        client.get(f"/api/v1/desk/operations/{op_id}/").json()["state"] == "requested"
    )
    other = Client()
    other.force_login(stranger)
    assert other.get(f"/api/v1/desk/operations/{op_id}/").status_code == 404
    cancelled = client.post(f"/api/v1/desk/operations/{op_id}/cancel/")
    assert cancelled.json()["state"] == "cancelled"
    assert services.card_operation_claim(desk=desk, agent_session="s") is None
