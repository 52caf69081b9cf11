"""Behind the proxy (issue 11 §2, docs/operations.md): the login lockout keys on
the client's address from X-Forwarded-For, not on the proxy's socket address,
and never on what the client wrote into the header itself."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from counter.accounts.client_address import client_address
from counter.models import AuditEvent
from tests import factories as f

GOOD = "Kawa-Sakura-0417-mado"
PROXY = "10.20.0.5"
pytestmark = pytest.mark.django_db


@pytest.fixture
def one_proxy(settings: Any) -> None:
    settings.AXES_IPWARE_PROXY_COUNT = 1
    settings.AXES_IPWARE_PROXY_TRUSTED_IPS = ["10.20.0.0/16"]


@pytest.fixture
def member(city: Any) -> Any:
    user = f.clerk(city)
    user.set_password(GOOD)
    user.save()
    return user


def _login(username: str, password: str, forwarded: str, peer: str = PROXY) -> Any:
    return Client().post(
        "/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=peer,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def test_a_guessing_client_is_locked_and_another_client_behind_the_proxy_is_not(
    one_proxy, member
):
    for n in range(5):
        _login(f"nobody-{n}", "wrong-password-1234", "198.51.100.7")
    assert _login(member.username, GOOD, "198.51.100.7").status_code == 429
    assert _login(member.username, GOOD, "203.0.113.9").status_code == 302
    failed = AuditEvent.objects.filter(action="login_failed").first()
    assert failed is not None and failed.data["ip"] == "198.51.100.7"


def test_a_client_cannot_escape_its_lock_by_writing_the_header_itself(
    one_proxy, member
):
    # The proxy appends the address it saw; what the client sent stays on the left.
    for n in range(5):
        _login(f"nobody-{n}", "wrong-password-1234", f"192.0.2.{n}, 198.51.100.7")
    assert _login(member.username, GOOD, "192.0.2.77, 198.51.100.7").status_code == 429


def test_the_header_counts_only_from_a_trusted_proxy(one_proxy, rf):
    forged = {"REMOTE_ADDR": "172.16.5.5", "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    assert client_address(rf.get("/", **forged)) == "172.16.5.5"
    proxied = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    assert client_address(rf.get("/", **proxied)) == "198.51.100.7"
    short = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "not-an-address"}
    assert client_address(rf.get("/", **short)) == PROXY


def test_two_proxies_name_the_address_the_outer_one_received_from(settings, rf):
    settings.AXES_IPWARE_PROXY_COUNT = 2
    settings.AXES_IPWARE_PROXY_TRUSTED_IPS = []
    meta = {
        "REMOTE_ADDR": PROXY,
        "HTTP_X_FORWARDED_FOR": "6.6.6.6, 198.51.100.7, 10.9.0.1",
    }
    assert client_address(rf.get("/", **meta)) == "198.51.100.7"


def test_without_a_proxy_the_header_is_ignored(settings, rf):
    settings.AXES_IPWARE_PROXY_COUNT = 0
    meta = {"REMOTE_ADDR": "10.0.0.7", "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    assert client_address(rf.get("/", **meta)) == "10.0.0.7"
