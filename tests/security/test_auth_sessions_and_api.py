"""Second factor, session limits and API authentication (issue 11 §3–§5), on the
production values of the settings the test settings relax."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from counter.accounts.signals import LOGIN_AT, SEEN_AT
from counter.models import AuditEvent
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _production_auth(settings: Any) -> None:
    settings.SECOND_FACTOR_BYPASS = False
    settings.API_THROTTLE_READ_RATE = "120/min"
    settings.API_THROTTLE_WRITE_RATE = "30/min"


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"


def test_a_supervisor_without_a_second_factor_is_sent_to_enrol(city):
    client = Client()
    client.force_login(f.supervisor(city))
    response = client.get("/counter/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/second-factor/enrol/")
    assert client.get("/api/v1/me/").status_code == 403


def test_enrolment_gives_recovery_codes_and_a_recovery_code_logs_in_once(city):
    user = f.supervisor(city)
    client = Client()
    client.force_login(user)
    assert client.get("/accounts/second-factor/enrol/").status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    done = client.post("/accounts/second-factor/enrol/", {"code": _code(device)})
    codes = done.context["codes"]
    assert len(codes) == 10
    assert client.get("/counter/").status_code == 200
    assert AuditEvent.objects.filter(action="second_factor_enrolled").exists()
    again = Client()
    again.force_login(user)
    assert again.get("/counter/")["Location"].startswith("/accounts/second-factor/")
    assert again.post("/accounts/second-factor/", {"code": codes[0]}).status_code == 302
    assert again.get("/counter/").status_code == 200
    third = Client()
    third.force_login(user)
    third.post("/accounts/second-factor/", {"code": codes[0]})
    assert third.get("/counter/").status_code == 302


def test_a_password_alone_cannot_replace_an_enrolled_authenticator(city):
    user = f.supervisor(city)
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = Client()
    client.force_login(user)
    response = client.get("/accounts/second-factor/enrol/")
    assert response["Location"] == "/accounts/second-factor/"


def test_a_clerk_needs_no_second_factor_on_the_counter_but_in_the_admin(city):
    client = Client()
    client.force_login(f.clerk(city))
    assert client.get("/counter/").status_code == 200
    assert client.get("/admin/")["Location"].startswith("/accounts/second-factor/")


def test_the_city_profile_can_require_the_second_factor_for_clerks(city):
    city.profile.second_factor_for_clerks = True
    city.profile.save()
    client = Client()
    client.force_login(f.clerk(city))
    assert client.get("/counter/")["Location"].startswith("/accounts/second-factor/")


def _aged(client: Client, **seconds_ago: float) -> None:
    session = client.session
    now = time.time()
    for key, ago in (("login", LOGIN_AT), ("seen", SEEN_AT)):
        if key in seconds_ago:
            session[ago] = now - seconds_ago[key]
    session.save()


def test_an_idle_session_ends_after_the_profile_limit(settings, city):
    settings.SECOND_FACTOR_BYPASS = True
    client = Client()
    client.force_login(f.clerk(city))
    _aged(client, seen=14 * 60)
    assert client.get("/counter/").status_code == 200
    _aged(client, seen=16 * 60)
    assert client.get("/counter/")["Location"].startswith("/accounts/login/")
    assert AuditEvent.objects.filter(action="logout", data__reason="idle").exists()


def test_a_session_ends_after_eight_hours_however_active(settings, city):
    settings.SECOND_FACTOR_BYPASS = True
    client = Client()
    client.force_login(f.clerk(city))
    _aged(client, login=8 * 3600 + 1, seen=1)
    assert client.get("/counter/")["Location"].startswith("/accounts/login/")


def test_the_clerk_screen_carries_the_japanese_expiry_notice(settings, city):
    settings.SECOND_FACTOR_BYPASS = True
    client = Client()
    client.force_login(f.clerk(city))
    page = client.get("/counter/").content.decode()
    assert 'id="session-expiry"' in page
    assert "まもなくログアウト" in page


def test_a_supervisor_logs_a_clerk_out_everywhere(settings, city):
    settings.SECOND_FACTOR_BYPASS = True
    clerk = f.clerk(city)
    Token.objects.create(user=clerk)
    desk_pc = Client()
    desk_pc.force_login(clerk)
    boss = Client()
    boss.force_login(f.supervisor(city))
    assert (
        boss.post(f"/accounts/staff/{clerk.pk}/logout-everywhere/").status_code == 302
    )
    assert desk_pc.get("/counter/")["Location"].startswith("/accounts/login/")
    assert not Token.objects.filter(user=clerk).exists()
    assert AuditEvent.objects.filter(action="sessions_revoked").exists()


def test_http_basic_is_refused_and_a_token_works(settings, city):
    settings.SECOND_FACTOR_BYPASS = True
    clerk = f.clerk(city)
    clerk.set_password("Kawa-Sakura-0417-mado")
    clerk.save()
    client = Client()
    basic = (
        "Basic "
        + __import__("base64")
        .b64encode(f"{clerk.username}:Kawa-Sakura-0417-mado".encode())
        .decode()
    )
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=basic).status_code in (401, 403)
    token = Token.objects.create(user=clerk)
    ok = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert ok.status_code == 200


def test_three_hundred_rapid_searches_meet_a_429(settings, city):
    settings.SECOND_FACTOR_BYPASS = True
    client = Client()
    client.force_login(f.clerk(city))
    statuses = [client.get("/api/v1/me/").status_code for _ in range(300)]
    assert statuses[0] == 200
    assert 429 in statuses
    assert statuses.index(429) == 120
