"""Login signal handlers: each login, logout, failure and lockout is audited, and a
new session records when it logged in (the absolute and revocation limits)."""

from __future__ import annotations

import time
from typing import Any

from counter.accounts import services
from counter.accounts.backends import permissions_changed

LOGIN_AT = "accounts:login_at"
SEEN_AT = "accounts:seen_at"


def on_logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[LOGIN_AT] = now
        request.session[SEEN_AT] = now
    services.login_audited(user=user, request=request)


def on_logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    reason = getattr(request, "accounts_logout_reason", "user") if request else "user"
    services.logout_audited(user=user, request=request, reason=reason)


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    services.login_failure_audited(
        username=str(credentials.get("username", "")), request=request
    )


def on_locked_out(
    sender: Any, request: Any, username: Any, ip_address: Any, **kw: Any
) -> None:
    services.login_failure_audited(
        username=str(username or ""), request=request, locked=True
    )


def on_permissions_changed(sender: Any, **kwargs: Any) -> None:
    """A user, group or permission changed, or a membership: cached permission
    sets are stale (counter/accounts/backends.py)."""
    if kwargs.get("action", "post_").startswith("post_"):
        permissions_changed()


def on_permission_holder_saved(sender: Any, **kwargs: Any) -> None:
    """A login's ``last_login`` update changes no permission; anything else may
    (``is_superuser``, ``is_active``, a new row)."""
    if set(kwargs.get("update_fields") or ()) == {"last_login"}:
        return
    permissions_changed()
