"""Account procedures: login audit, session revocation, supervisor password reset,
second-factor enrolment. Every change writes an audit entry (counter.audit)."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from counter.accounts.models import AccountSecurity
from counter.audit import audit_record
from counter.errors import ApplicationError, PermissionDenied

#: Reads the audit trail: a supervisor or an auditor. They need a second factor.
SECOND_FACTOR_PERMISSION = "counter.view_audit"
#: Sees the city's staff, so resets their passwords and sessions: a supervisor.
STAFF_ACCESS_PERMISSION = "counter.view_staffprofile"
RECOVERY_CODE_COUNT = 10
_MAX_LABEL = 150


def client_address(request: Any) -> str:
    """The address the lockout counts (axes resolves proxies the same way)."""
    if request is None:
        return ""
    return str(
        getattr(request, "axes_ip_address", "") or request.META.get("REMOTE_ADDR", "")
    )


def security_of(user: Any) -> AccountSecurity:
    state, _ = AccountSecurity.objects.get_or_create(user=user)
    return state


def login_audited(*, user: Any, request: Any) -> None:
    audit_record(
        action="login_succeeded", actor=user, data={"ip": client_address(request)}
    )


def logout_audited(*, user: Any, request: Any, reason: str = "user") -> None:
    if user is None or not getattr(user, "is_authenticated", False):
        return
    audit_record(
        action="logout",
        actor=user,
        data={"ip": client_address(request), "reason": reason},
    )


def login_failure_audited(*, username: str, request: Any, locked: bool = False) -> None:
    """A failed or locked-out login: the name tried and the address, no password."""
    user = get_user_model().objects.filter(username=username[:_MAX_LABEL]).first()
    municipality = None
    profile = getattr(user, "staff_profile", None) if user is not None else None
    if profile is not None:
        municipality = profile.municipality
    audit_record(
        action="login_locked_out" if locked else "login_failed",
        actor_label=username[:_MAX_LABEL] or "-",
        municipality=municipality,
        obj=user,
        data={"username": username[:_MAX_LABEL], "ip": client_address(request)},
    )


def second_factor_required(user: Any, *, admin: bool = False) -> bool:
    """Supervisors and auditors always; every account in the admin; clerks where the
    city's profile asks for it."""
    if not getattr(user, "is_authenticated", False):
        return False
    if admin or user.has_perm(SECOND_FACTOR_PERMISSION):
        return True
    profile = getattr(user, "staff_profile", None)
    city = getattr(getattr(profile, "municipality", None), "profile", None)
    return bool(city is not None and city.second_factor_for_clerks)


def idle_limit_seconds(user: Any) -> int:
    """The city's idle timeout for this account (15 minutes where no profile says)."""
    profile = getattr(user, "staff_profile", None)
    city = getattr(getattr(profile, "municipality", None), "profile", None)
    minutes = city.session_idle_minutes if city is not None else 15
    return int(minutes) * 60


def confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def totp_enrolment_start(*, user: Any) -> TOTPDevice:
    """An unconfirmed authenticator for the user to scan; replaces an unfinished one."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


@transaction.atomic
def totp_enrolment_confirm(*, user: Any, device: TOTPDevice, token: str) -> list[str]:
    """Confirm the scanned authenticator with its first code; returns the recovery
    codes, shown once. Earlier authenticators and codes stop working."""
    if device.user_id != user.pk or device.confirmed or not device.verify_token(token):
        raise ApplicationError(
            "second_factor_code_wrong",
            _(
                "The code does not match. Type the six digits your authenticator "
                "shows now."
            ),
        )
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = recovery_codes_issue(user=user)
    audit_record(action="second_factor_enrolled", actor=user, obj=device)
    return codes


def recovery_codes_issue(*, user: Any) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=c) for c in codes)
    return codes


def _same_city(supervisor: Any, target: Any) -> bool:
    mine = getattr(supervisor, "staff_profile", None)
    theirs = getattr(target, "staff_profile", None)
    return bool(mine and theirs and mine.municipality_id == theirs.municipality_id)


def _check_supervisor(supervisor: Any, target: Any) -> None:
    if not supervisor.has_perm(STAFF_ACCESS_PERMISSION) or not _same_city(
        supervisor, target
    ):
        raise PermissionDenied(
            "staff_access_not_allowed",
            _("Only a supervisor of the same city may do this."),
        )


@transaction.atomic
def sessions_revoke(*, user: Any, by: Any, reason: str = "supervisor") -> None:
    """Log the user out everywhere: every session and API token ends now."""
    if by is not None and by.pk != user.pk:
        _check_supervisor(by, user)
    state = security_of(user)
    state.sessions_revoked_at = timezone.now()
    state.save(update_fields=["sessions_revoked_at"])
    Token.objects.filter(user=user).delete()
    audit_record(action="sessions_revoked", actor=by, obj=user, data={"reason": reason})


@transaction.atomic
def api_token_issue(*, user: Any, operator: str, reset: bool = False) -> Any:
    """The account's API token for an integration, issued by the installation's
    operator at the server (``manage.py drf_create_token``): the existing one, or
    a new one when there is none or ``reset`` asks for it. Handing a key over is
    audited like revoking one; the key itself is never written to the trail."""
    replaced = Token.objects.filter(user=user).delete()[0] if reset else 0
    token, created = Token.objects.get_or_create(user=user)
    profile = getattr(user, "staff_profile", None)
    audit_record(
        action="api_token_issued",
        actor_label=f"operator:{operator}"[:_MAX_LABEL],
        municipality=profile.municipality if profile is not None else None,
        obj=user,
        data={"created": created, "replaced": replaced},
    )
    return token


@transaction.atomic
def password_reset_by_supervisor(*, user: Any, by: Any) -> str:
    """A one-time password the supervisor hands over; the account must change it at
    its next login and is logged out everywhere."""
    _check_supervisor(by, user)
    temporary = secrets.token_urlsafe(12)
    user.set_password(temporary)
    user.save(update_fields=["password"])
    state = security_of(user)
    state.password_must_change = True
    state.sessions_revoked_at = timezone.now()
    state.save(update_fields=["password_must_change", "sessions_revoked_at"])
    Token.objects.filter(user=user).delete()
    audit_record(action="password_reset_by_supervisor", actor=by, obj=user)
    return temporary


def password_changed(*, user: Any) -> None:
    state = security_of(user)
    if state.password_must_change:
        state.password_must_change = False
        state.save(update_fields=["password_must_change"])
    audit_record(action="password_changed", actor=user, obj=user)
