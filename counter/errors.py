"""One error shape for services, screens and the API.

Services raise :class:`ApplicationError` with a stable ``code`` (kebab-case) and a
translated ``message`` a clerk can read aloud; the DRF exception handler turns it
into ``{"code", "message", "extra"}`` and the screens show ``message``. This module
imports nothing from ``identity_docs`` or ``jpki_ops`` so both may use it.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise


class ApplicationError(Exception):
    """A refusal or failure the user can act on, never a stack trace.

    ``status`` is the HTTP status the API answers with (400 bad input, 403 not
    allowed, 404 unknown, 409 conflicting state, 503 a dependency is down).
    """

    status: int = 400

    def __init__(
        self,
        code: str,
        message: str | Promise,
        *,
        extra: dict[str, Any] | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.extra = extra or {}
        if status is not None:
            self.status = status

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": str(self.message), "extra": self.extra}


class NotFound(ApplicationError):
    status = 404


class PermissionDenied(ApplicationError):
    status = 403


class Conflict(ApplicationError):
    """The object changed under us (another clerk won, or the state moved on)."""

    status = 409


class ServiceUnavailable(ApplicationError):
    status = 503
