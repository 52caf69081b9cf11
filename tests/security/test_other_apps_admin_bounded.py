"""The other apps' admin pages keep the console's boundaries (issue 10; ADR 0023):
periodic tasks are the installation administrator's, read-only; a supervisor sees
the authenticators, lockouts and API tokens of their own city's logins only,
never a secret, and changes them only through audited actions. The device
configuration page answers a Japanese message, never a server error."""

from __future__ import annotations

from typing import Any

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.test import Client
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from counter.accounts import console_services
from counter.errors import PermissionDenied
from counter.models import AuditEvent
from tests import factories as f

pytestmark = pytest.mark.django_db

NO_SUCH_DEVICE_JA = "この市区町村のログインには、その認証アプリはありません"
SECRET_NEVER_SHOWN_JA = "認証アプリの秘密鍵は、登録のときに本人に一度だけ表示されます"


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def operator(db: Any) -> User:
    """The installation administrator: a superuser with no staff profile."""
    return User.objects.create_superuser("operator", "", "Operator-Pass-2026!")


@pytest.fixture
def atsugi_clerk(city: Any) -> User:
    return f.clerk(city)


@pytest.fixture
def sayama_clerk(sayama: Any) -> User:
    return f.clerk(sayama)


@pytest.fixture
def devices(atsugi_clerk: User, sayama_clerk: User) -> dict[str, TOTPDevice]:
    return {
        "atsugi": TOTPDevice.objects.create(
            user=atsugi_clerk, name="authenticator", confirmed=True
        ),
        "sayama": TOTPDevice.objects.create(
            user=sayama_clerk, name="authenticator", confirmed=True
        ),
    }


@pytest.fixture
def periodic_task(db: Any) -> PeriodicTask:
    every = IntervalSchedule.objects.create(every=5, period="minutes")
    return PeriodicTask.objects.create(
        name="write-audit-checkpoint-test", task="counter.x", interval=every
    )


def test_periodic_tasks_are_hidden_from_supervisors(supervisor, periodic_task):
    console = _client(supervisor)
    assert console.get("/admin/django_celery_beat/periodictask/").status_code == 403
    url = f"/admin/django_celery_beat/periodictask/{periodic_task.pk}/change/"
    assert console.get(url).status_code in (302, 403)
    assert "django_celery_beat" not in console.get("/admin/").content.decode()


def test_periodic_tasks_are_read_only_for_the_installation_administrator(
    operator, periodic_task
):
    console = _client(operator)
    listing = console.get("/admin/django_celery_beat/periodictask/")
    assert listing.status_code == 200
    assert periodic_task.name in listing.content.decode()
    url = f"/admin/django_celery_beat/periodictask/{periodic_task.pk}/change/"
    page = console.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert console.post(url, {"name": "renamed", "enabled": ""}).status_code == 403
    add = console.post("/admin/django_celery_beat/periodictask/add/", {"name": "x"})
    assert add.status_code == 403
    run = console.post(
        "/admin/django_celery_beat/periodictask/",
        {"action": "disable_tasks", "_selected_action": [periodic_task.pk]},
    )
    assert run.status_code in (200, 302)
    periodic_task.refresh_from_db()
    assert periodic_task.name == "write-audit-checkpoint-test"
    assert periodic_task.enabled


def test_a_supervisor_sees_only_their_own_citys_authenticators(
    supervisor, devices, sayama
):
    console = _client(supervisor)
    listing = console.get("/admin/otp_totp/totpdevice/").content.decode()
    assert devices["atsugi"].user.username in listing
    assert devices["sayama"].user.username not in listing
    before = AuditEvent.objects.filter(action="admin_access_refused").count()
    url = f"/admin/otp_totp/totpdevice/{devices['sayama'].pk}/change/"
    response = console.get(url, follow=True)
    assert devices["sayama"].user.username not in response.content.decode()
    assert AuditEvent.objects.filter(action="admin_access_refused").count() > before


def test_no_admin_page_shows_an_authenticators_secret(supervisor, operator, devices):
    for user in (supervisor, operator):
        console = _client(user)
        for device in devices.values():
            for page in ("change", "config", "qrcode"):
                url = f"/admin/otp_totp/totpdevice/{device.pk}/{page}/"
                body = console.get(url, follow=True).content.decode()
                assert device.key not in body
                assert device.config_url.split("secret=")[1][:16] not in body


def test_the_device_configuration_page_for_a_missing_device_is_a_japanese_message(
    supervisor, devices
):
    """It was a server error (django-otp looks the device up unguarded)."""
    console = _client(supervisor)
    for page in ("config", "qrcode"):
        response = console.get(f"/admin/otp_totp/totpdevice/999999/{page}/")
        assert response.status_code == 302
        assert response["Location"] == "/admin/otp_totp/totpdevice/"
        shown = console.get(response["Location"]).content.decode()
        assert NO_SUCH_DEVICE_JA in shown


def test_the_configuration_page_of_another_citys_device_answers_like_a_missing_one(
    supervisor, devices
):
    console = _client(supervisor)
    url = f"/admin/otp_totp/totpdevice/{devices['sayama'].pk}/config/"
    response = console.get(url, follow=True)
    assert NO_SUCH_DEVICE_JA in response.content.decode()
    assert AuditEvent.objects.filter(
        action="admin_access_refused", data__reason="outside-municipality"
    ).exists()


def test_the_configuration_page_of_an_own_device_says_the_secret_is_never_shown(
    supervisor, devices
):
    console = _client(supervisor)
    url = f"/admin/otp_totp/totpdevice/{devices['atsugi'].pk}/config/"
    response = console.get(url, follow=True)
    assert response.status_code == 200
    assert SECRET_NEVER_SHOWN_JA in response.content.decode()


def test_the_auditor_sees_no_staff_security_rows(city, devices):
    console = _client(f.auditor(city))
    assert console.get("/admin/otp_totp/totpdevice/").status_code == 403
    assert console.get("/admin/authtoken/tokenproxy/").status_code == 403
    assert console.get("/admin/axes/accessattempt/").status_code == 403


def test_a_supervisor_resets_a_second_factor_of_their_city_audited(
    supervisor, devices, atsugi_clerk
):
    StaticDevice.objects.create(user=atsugi_clerk, name="recovery", confirmed=True)
    console = _client(supervisor)
    console.post(
        "/admin/otp_totp/totpdevice/",
        {
            "action": "reset_second_factor",
            "_selected_action": [devices["atsugi"].pk, devices["sayama"].pk],
        },
    )
    assert not TOTPDevice.objects.filter(user=atsugi_clerk).exists()
    assert not StaticDevice.objects.filter(user=atsugi_clerk).exists()
    assert TOTPDevice.objects.filter(pk=devices["sayama"].pk).exists()
    event = AuditEvent.objects.get(action="second_factor_reset")
    assert event.actor == supervisor
    assert event.data["devices"] == 2


def test_another_citys_second_factor_reset_is_refused_and_audited(
    supervisor, devices, sayama_clerk
):
    with pytest.raises(PermissionDenied):
        console_services.second_factor_reset(user=sayama_clerk, by=supervisor)
    assert TOTPDevice.objects.filter(user=sayama_clerk).exists()
    assert AuditEvent.objects.filter(action="second_factor_reset_refused").exists()


def _attempt(username: str) -> AccessAttempt:
    return AccessAttempt.objects.create(
        username=username,
        ip_address="10.0.0.7",
        user_agent="test",
        http_accept="*/*",
        path_info="/accounts/login/",
        get_data="",
        post_data="password=never-shown",
        failures_since_start=5,
    )


def test_a_supervisor_sees_and_unlocks_only_their_own_citys_lockouts(
    supervisor, atsugi_clerk, sayama_clerk
):
    mine, theirs = _attempt(atsugi_clerk.username), _attempt(sayama_clerk.username)
    stranger = _attempt("nobody-guessed")
    console = _client(supervisor)
    listing = console.get("/admin/axes/accessattempt/").content.decode()
    assert atsugi_clerk.username in listing
    assert sayama_clerk.username not in listing
    assert "nobody-guessed" not in listing
    page = console.get(f"/admin/axes/accessattempt/{mine.pk}/change/")
    assert "never-shown" not in page.content.decode()
    console.post(
        "/admin/axes/accessattempt/",
        {"action": "unlock", "_selected_action": [mine.pk, theirs.pk, stranger.pk]},
    )
    assert not AccessAttempt.objects.filter(pk=mine.pk).exists()
    assert AccessAttempt.objects.filter(pk__in=[theirs.pk, stranger.pk]).count() == 2
    event = AuditEvent.objects.get(action="login_lockout_cleared")
    assert event.data["username"] == atsugi_clerk.username


def test_another_citys_lockout_cannot_be_cleared(supervisor, sayama_clerk):
    _attempt(sayama_clerk.username)
    with pytest.raises(PermissionDenied):
        console_services.login_lockout_clear(
            username=sayama_clerk.username, by=supervisor
        )
    assert AccessAttempt.objects.filter(username=sayama_clerk.username).exists()
    assert AuditEvent.objects.filter(action="login_lockout_clear_refused").exists()


def test_a_supervisor_sees_and_revokes_only_their_own_citys_api_tokens(
    supervisor, atsugi_clerk, sayama_clerk
):
    mine = Token.objects.create(user=atsugi_clerk)
    theirs = Token.objects.create(user=sayama_clerk)
    console = _client(supervisor)
    listing = console.get("/admin/authtoken/tokenproxy/").content.decode()
    assert atsugi_clerk.username in listing
    assert sayama_clerk.username not in listing
    assert mine.key not in listing
    page = console.get(f"/admin/authtoken/tokenproxy/{atsugi_clerk.pk}/change/")
    assert page.status_code == 200
    assert mine.key not in page.content.decode()
    other = console.get(
        f"/admin/authtoken/tokenproxy/{sayama_clerk.pk}/change/", follow=True
    )
    assert theirs.key not in other.content.decode()
    assert sayama_clerk.username not in other.content.decode()
    console.post(
        "/admin/authtoken/tokenproxy/",
        {
            "action": "revoke_tokens",
            "_selected_action": [atsugi_clerk.pk, sayama_clerk.pk],
        },
    )
    assert not Token.objects.filter(user=atsugi_clerk).exists()
    assert Token.objects.filter(user=sayama_clerk).exists()
    assert AuditEvent.objects.filter(action="api_token_revoked").count() == 1
