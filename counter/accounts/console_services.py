"""What the supervisor console may do to a staff account's security rows.

A supervisor acts on the logins of their own municipality only; an installation
administrator on any. Each act is an audit entry; a refused one too. The console
never shows or edits an authenticator's secret, a recovery code or an API key
(ADR 0023).
"""

from __future__ import annotations

from typing import Any

from axes.utils import reset as axes_reset
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from counter.accounts.services import STAFF_ACCESS_PERMISSION, sessions_revoke
from counter.audit import audit_record
from counter.errors import PermissionDenied
from counter.roles import is_installation_admin


def _municipality_of(user: Any) -> Any:
    profile = getattr(user, "staff_profile", None)
    return profile.municipality if profile is not None else None


def _check(by: Any, target: Any, action: str) -> None:
    """A supervisor of the target's municipality, or an installation administrator."""
    if is_installation_admin(by):
        return
    mine = getattr(by, "staff_profile", None)
    theirs = getattr(target, "staff_profile", None) if target is not None else None
    if (
        by.has_perm(STAFF_ACCESS_PERMISSION)
        and mine is not None
        and theirs is not None
        and mine.municipality_id == theirs.municipality_id
    ):
        return
    audit_record(
        action=f"{action}_refused",
        actor=by,
        municipality=_municipality_of(by),
        data={"code": "staff_access_not_allowed"},
    )
    raise PermissionDenied(
        "staff_access_not_allowed",
        _("Only a supervisor of the same city may do this."),
    )


def _audit(action: str, *, by: Any, user: Any, data: dict[str, Any]) -> None:
    audit_record(
        action=action,
        actor=by,
        municipality=_municipality_of(user),
        obj=user,
        data={**data, "installation_admin": is_installation_admin(by)},
    )


def second_factor_reset(*, user: Any, by: Any) -> int:
    """A lost or replaced authenticator: the account's authenticators and recovery
    codes are removed and it is logged out everywhere; at its next login it enrols
    a new authenticator. Returns the number of devices removed."""
    _check(by, user, "second_factor_reset")
    with transaction.atomic():
        return _second_factor_remove(user=user, by=by)


def _second_factor_remove(*, user: Any, by: Any) -> int:
    removed = (
        TOTPDevice.objects.filter(user=user).delete()[1].get(TOTPDevice._meta.label, 0)
    )
    removed += (
        StaticDevice.objects.filter(user=user)
        .delete()[1]
        .get(StaticDevice._meta.label, 0)
    )
    sessions_revoke(user=user, by=None, reason="second-factor-reset")
    _audit("second_factor_reset", by=by, user=user, data={"devices": removed})
    return removed


def api_token_revoke(*, user: Any, by: Any) -> int:
    """The account's API token stops working now (an integration gets a new one
    from the operator)."""
    _check(by, user, "api_token_revoke")
    with transaction.atomic():
        removed = Token.objects.filter(user=user).delete()[0]
        _audit("api_token_revoked", by=by, user=user, data={"tokens": removed})
    return removed


def login_lockout_clear(*, username: str, by: Any) -> int:
    """Unlock a staff login before its cool-off ends (the failed attempts of that
    name are forgotten). A name that is not a login of the supervisor's city is
    refused; an address's own lockout is the installation administrator's."""
    user = get_user_model().objects.filter(username=username).first()
    if user is None and not is_installation_admin(by):
        _check(by, None, "login_lockout_clear")
    elif user is not None:
        _check(by, user, "login_lockout_clear")
    with transaction.atomic():
        return _lockout_reset(username=username, user=user, by=by)


def _lockout_reset(*, username: str, user: Any, by: Any) -> int:
    cleared = int(axes_reset(username=username) or 0)
    audit_record(
        action="login_lockout_cleared",
        actor=by,
        municipality=_municipality_of(user),
        obj=user,
        data={
            "username": username[:150],
            "attempts": cleared,
            "installation_admin": is_installation_admin(by),
        },
    )
    return cleared
