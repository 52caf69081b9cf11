"""One error shape for the whole API: ``{"code", "message", "extra"}``."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from counter.errors import ApplicationError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        return Response(exc.as_dict(), status=exc.status)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
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
