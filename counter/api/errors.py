"""One error shape for the whole API: ``{"code", "message", "extra"}``.

Also for what no view foresaw: a database or broker outage answers 503 and any
other failure 500, both in the same JSON shape (never Django's HTML page, never
the exception's text, which could carry personal data); the traceback goes to
the log only.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import InterfaceError
from django.db import OperationalError as DatabaseDown
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from kombu.exceptions import OperationalError as BrokerDown
from redis.exceptions import ConnectionError as RedisDown
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from counter.errors import ApplicationError

logger = logging.getLogger("madoguchi.api")

API_PREFIX = "/api/"


def _unexpected(exc: BaseException) -> tuple[int, dict[str, Any]]:
    """The answer for an exception no view turned into an ApplicationError."""
    answer: int
    if isinstance(exc, DatabaseDown | InterfaceError):
        code, message = (
            "database-unavailable",
            _("The database cannot be reached. Try again in a moment."),
        )
        answer = status.HTTP_503_SERVICE_UNAVAILABLE
    elif isinstance(exc, BrokerDown | RedisDown):
        code, message = (
            "broker-unavailable",
            _("The task queue cannot be reached. Try again in a moment."),
        )
        answer = status.HTTP_503_SERVICE_UNAVAILABLE
    else:
        code, message = (
            "server-error",
            _("Something went wrong on the server. The error was logged."),
        )
        answer = status.HTTP_500_INTERNAL_SERVER_ERROR
    return answer, {"code": code, "message": message, "extra": {}}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        return Response(exc.as_dict(), status=exc.status)
    if isinstance(exc, Http404):
        # get_object_or_404's text names the model in English: not for a clerk.
        exc = exceptions.NotFound(_("No such object."))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        logger.error("api_unhandled_error", exc_info=exc)
        answer, body = _unexpected(exc)
        response = Response(body, status=answer)
        if answer == status.HTTP_503_SERVICE_UNAVAILABLE:
            response["Retry-After"] = "30"
        return response
    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "code": "invalid-input",
            "message": str(exceptions.ValidationError.default_detail),
            "extra": {"fields": response.data},
        }
    elif isinstance(exc, exceptions.APIException):
        detail = (
            response.data.get("detail", "") if isinstance(response.data, dict) else ""
        )
        response.data = {
            "code": str(getattr(exc, "default_code", "error")).replace("_", "-"),
            "message": str(detail),
            "extra": {},
        }
    if response.status_code == status.HTTP_405_METHOD_NOT_ALLOWED:
        response.data["code"] = "method-not-allowed"
    return response


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler404``: an API address no route matches (``/cases/-1/``) answers
    the API's JSON error; the screens keep Django's page."""
    if not request.path.startswith(API_PREFIX):
        return defaults.page_not_found(request, exception)
    body = {"code": "not-found", "message": _("No such address."), "extra": {}}
    return JsonResponse(body, status=status.HTTP_404_NOT_FOUND)


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: the API's JSON error also when the failure happened before
    the view (a middleware reading the session during a database outage); the
    screens keep Django's page."""
    if not request.path.startswith(API_PREFIX):
        return defaults.server_error(request)
    # Django calls this inside its ``except`` block: the exception is current.
    exc = sys.exc_info()[1] or Exception()
    answer, body = _unexpected(exc)
    response = JsonResponse(body, status=answer)
    if answer == status.HTTP_503_SERVICE_UNAVAILABLE:
        response["Retry-After"] = "30"
    return response
