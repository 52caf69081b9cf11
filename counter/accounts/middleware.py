"""Session limits, the second factor and the response headers, for every request."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from counter.accounts import services
from counter.accounts.signals import LOGIN_AT, SEEN_AT

Handler = Callable[[HttpRequest], HttpResponse]


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _ended(request: HttpRequest, message: str, reason: str) -> HttpResponse:
    request.accounts_logout_reason = reason  # type: ignore[attr-defined]
    logout(request)
    if _is_api(request):
        return JsonResponse({"code": "session_ended", "detail": message}, status=401)
    messages.warning(request, message)
    return redirect(f"{reverse('login')}?next={request.path}")


class SessionLimitsMiddleware:
    """End a session that is idle past the city's limit, older than the absolute
    limit, or revoked by "log out everywhere". An htmx poll (a GET the page makes
    by itself) is not activity."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            now = time.time()
            session = request.session
            login_at = float(session.get(LOGIN_AT, now))
            seen_at = float(session.get(SEEN_AT, now))
            idle = services.idle_limit_seconds(user)
            state = services.AccountSecurity.objects.filter(user=user).first()
            revoked = state.sessions_revoked_at if state else None
            if revoked is not None and revoked.timestamp() > login_at:
                return _ended(
                    request, _("You were logged out by a supervisor."), "revoked"
                )
            if now - login_at > settings.SESSION_ABSOLUTE_SECONDS:
                return _ended(
                    request,
                    _("Your session reached its time limit. Please log in again."),
                    "absolute_limit",
                )
            if now - seen_at > idle:
                return _ended(
                    request,
                    _("You were logged out after a time without activity."),
                    "idle",
                )
            polled = request.method == "GET" and request.headers.get("HX-Request")
            if not polled:
                session[SEEN_AT] = now
                seen_at = now
            session.setdefault(LOGIN_AT, login_at)
            request.session_idle_seconds = int(idle - (now - seen_at))  # type: ignore[attr-defined]
            if (
                state is not None
                and state.password_must_change
                and not _exempt(request)
            ):
                return redirect("accounts:password_change")
        return self.get_response(request)


def _exempt(request: HttpRequest) -> bool:
    """Pages a half-logged-in account must still reach."""
    path = request.path
    return path.startswith(
        ("/accounts/", settings.STATIC_URL, "/healthz", "/metrics", "/favicon")
    )


class SecondFactorMiddleware:
    """Ask for the TOTP code before anything else when the account needs one."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user: Any = request.user
        if (
            user.is_authenticated
            and not settings.SECOND_FACTOR_BYPASS
            and not user.is_verified()
            and not _exempt(request)
            and services.second_factor_required(
                user, admin=request.path.startswith("/admin/")
            )
        ):
            if _is_api(request):
                return JsonResponse(
                    {
                        "code": "second_factor_required",
                        "detail": _("Confirm your login with the second factor first."),
                    },
                    status=403,
                )
            target = (
                "accounts:second_factor"
                if services.confirmed_device(user)
                else "accounts:second_factor_enrol"
            )
            return redirect(f"{reverse(target)}?next={request.path}")
        return self.get_response(request)


class ResponseHeadersMiddleware:
    """Permissions-Policy on every response; ``no-store`` on every response the
    application builds (static files are answered before this middleware), since
    almost every page or API answer carries a resident's data."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        response.headers["Cache-Control"] = "no-store"
        response.headers.setdefault("Pragma", "no-cache")
        return response
