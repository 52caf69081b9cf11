"""What every clerk screen shares: who may use it, which desk, how refusals show."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse

from counter.errors import ApplicationError
from counter.models import Desk

DESK_SESSION_KEY = "counter_desk_id"
# The desk is where this PC stands, not a property of one login: a signed cookie
# keeps it across logout and a new login, so a re-login never loses it.
DESK_COOKIE = "madoguchi_desk"
DESK_COOKIE_SALT = "counter.desk"
DESK_COOKIE_AGE = 60 * 60 * 24 * 366

View = TypeVar("View", bound=Callable[..., HttpResponse])


def clerk_view(view: View) -> View:
    """Logged in and allowed to work cases; anything else is refused (403).

    Working cases, not reading them: the read-only auditor reads through the
    console and the audit trail, never the reception screens."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.has_perm("counter.change_case"):
            raise DjangoPermissionDenied
        return view(request, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def current_desk(request: HttpRequest) -> Desk | None:
    """The desk this browser sits at (chosen on the queue screen, kept in session)."""
    desk_id = request.session.get(DESK_SESSION_KEY) or request.get_signed_cookie(
        DESK_COOKIE, default=None, salt=DESK_COOKIE_SALT
    )
    if not desk_id:
        return None
    desk = (
        Desk.objects.visible_to(request.user)
        .select_related("office")
        .filter(pk=desk_id, active=True)
        .first()
    )
    if desk is not None:
        request.session[DESK_SESSION_KEY] = desk.pk
    return desk


def remember_desk(response: HttpResponse, desk: Desk) -> HttpResponse:
    """This browser's desk survives logging out and in (a signed, HTTP-only cookie)."""
    response.set_signed_cookie(
        DESK_COOKIE,
        str(desk.pk),
        salt=DESK_COOKIE_SALT,
        max_age=DESK_COOKIE_AGE,
        httponly=True,
        samesite="Lax",
    )
    return response


def desks_for(request: HttpRequest) -> list[Desk]:
    return list(
        Desk.objects.visible_to(request.user)
        .select_related("office")
        .filter(active=True)
        .order_by("office__code", "code")
    )


def call_service(
    request: HttpRequest, service: Callable[..., Any], **kwargs: Any
) -> tuple[Any, ApplicationError | None]:
    """Run one service; a refusal becomes a message on the next page.

    The service itself audits the refusal (outside its rolled-back transaction);
    the screen only tells the clerk why, in the service's own words.
    """
    try:
        return service(**kwargs), None
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return None, exc
