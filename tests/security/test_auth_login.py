"""Login hardening (issue 11 §2): lockout per account and per address, every login
audited, a staff password policy, password change and a supervisor's reset."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client

from counter.accounts.models import AccountSecurity
from counter.models import AuditEvent
from tests import factories as f

GOOD = "Kawa-Sakura-0417-mado"
pytestmark = pytest.mark.django_db


@pytest.fixture
def member(city: Any) -> Any:
    user = f.clerk(city)
    user.set_password(GOOD)
    user.save()
    return user


def _login(client: Client, username: str, password: str, ip: str = "10.0.0.7") -> Any:
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
    )


def test_fifty_wrong_passwords_lock_the_account_and_the_right_one_then_fails(member):
    client = Client()
    for _ in range(50):
        _login(client, member.username, "wrong-password-1234")
    response = _login(client, member.username, GOOD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "ログイン" in response.content.decode()


def test_the_lock_follows_the_account_to_another_address(member):
    client = Client()
    for _ in range(5):
        _login(client, member.username, "wrong-password-1234", ip="10.0.0.1")
    assert _login(client, member.username, GOOD, ip="10.0.0.99").status_code == 429


def test_an_address_guessing_many_accounts_is_locked(city, member):
    client = Client()
    for n in range(5):
        _login(client, f"nobody-{n}", "wrong-password-1234", ip="10.9.9.9")
    assert _login(client, member.username, GOOD, ip="10.9.9.9").status_code == 429
    assert _login(Client(), member.username, GOOD, ip="10.1.1.1").status_code == 302


def test_failed_and_successful_logins_are_audited_without_the_password(member):
    client = Client()
    _login(client, member.username, "wrong-password-1234")
    assert _login(client, member.username, GOOD).status_code == 302
    failed = AuditEvent.objects.get(action="login_failed")
    assert failed.data["username"] == member.username
    assert failed.data["ip"] == "10.0.0.7"
    assert AuditEvent.objects.filter(action="login_succeeded", actor=member).exists()
    text = " ".join(str(e.data) for e in AuditEvent.objects.all())
    assert "wrong-password-1234" not in text and GOOD not in text


def test_a_lockout_is_audited(member):
    client = Client()
    for _ in range(6):
        _login(client, member.username, "wrong-password-1234")
    assert AuditEvent.objects.filter(action="login_locked_out").exists()


@pytest.mark.parametrize(
    "password",
    [
        "clerk_branch",
        "clerk_branch2026",
        "20261205",
        "2026-12-05",
        "05/12/2026",
        "short-pw1",
    ],
)
def test_the_password_policy_refuses_weak_staff_passwords(password):
    user = get_user_model()(username="clerk_branch")
    with pytest.raises(ValidationError):
        validate_password(password, user)


def test_the_password_policy_accepts_a_long_unrelated_password():
    validate_password(GOOD, get_user_model()(username="clerk_branch"))


def test_a_date_is_refused_with_a_japanese_message():
    with pytest.raises(ValidationError) as refusal:
        validate_password("2026年12月05日", get_user_model()(username="x"))
    assert "日付" in " ".join(refusal.value.messages)


def test_every_role_changes_its_own_password_in_the_app(city, member):
    for user in (member, f.supervisor(city)):
        user.set_password(GOOD)
        user.save()
        client = Client()
        client.force_login(user)
        response = client.post(
            "/accounts/password/",
            {
                "old_password": GOOD,
                "new_password1": "Hoshi-Nagare-8831-kaze",
                "new_password2": "Hoshi-Nagare-8831-kaze",
            },
        )
        assert response.status_code == 302, response.content.decode()[:400]
        user.refresh_from_db()
        assert user.check_password("Hoshi-Nagare-8831-kaze")
        assert AuditEvent.objects.filter(action="password_changed", actor=user).exists()


def test_a_supervisor_resets_a_password_and_the_clerk_must_change_it(city, member):
    boss = Client()
    boss.force_login(f.supervisor(city))
    victim = Client()
    victim.force_login(member)
    response = boss.post(f"/accounts/staff/{member.pk}/password-reset/")
    assert response.status_code == 200
    temporary = response.context["temporary"]
    assert AuditEvent.objects.filter(action="password_reset_by_supervisor").exists()
    # The clerk's open session ended; the one-time password leads to the change page.
    assert victim.get("/counter/").status_code == 302
    assert "_auth_user_id" not in victim.session
    fresh = Client()
    assert _login(fresh, member.username, temporary).status_code == 302
    assert fresh.get("/counter/")["Location"] == "/accounts/password/"
    assert AccountSecurity.objects.get(user=member).password_must_change


def test_a_supervisor_of_another_city_cannot_reset(city, member):
    other = f.MunicipalityFactory()
    boss = Client()
    boss.force_login(f.supervisor(other))
    assert boss.post(f"/accounts/staff/{member.pk}/password-reset/").status_code == 404
    member.refresh_from_db()
    assert member.check_password(GOOD)


def test_a_clerk_cannot_reset_passwords(city, member):
    client = Client()
    client.force_login(f.clerk(city))
    assert (
        client.post(f"/accounts/staff/{member.pk}/password-reset/").status_code == 403
    )


def test_load_demo_data_refuses_when_demo_data_is_not_allowed(settings):
    settings.DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError):
        call_command("load_demo_data")
    assert not get_user_model().objects.filter(username="clerk_branch").exists()
