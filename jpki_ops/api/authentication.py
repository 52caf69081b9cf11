"""How a desk agent proves which desk it is: ``Authorization: DeskAgent <token>``.

The token is issued once by ``manage.py desk_agent_credential`` and stored only as
its SHA-256 (:class:`~jpki_ops.models.DeskAgentCredential`). An authenticated
agent is not a Django user: views reach its desk through ``request.auth.desk``.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions
from rest_framework.request import Request

from jpki_ops.models import DeskAgentCredential
from jpki_ops.services import desk_agent_authenticate

KEYWORD = "DeskAgent"


class DeskAgentPrincipal:
    """Stands in for ``request.user`` when a desk agent calls."""

    is_authenticated = True
    is_anonymous = False
    is_staff = False
    is_superuser = False
    pk = None

    def __init__(self, credential: DeskAgentCredential) -> None:
        self.credential = credential
        self.desk = credential.desk

    def __str__(self) -> str:
        return f"desk-agent:{self.desk.office.code}/{self.desk.code}"

    def get_username(self) -> str:
        return str(self)

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        return False


class DeskAgentAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[DeskAgentPrincipal, Any] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        parts = header.split()
        if not parts or parts[0] != KEYWORD:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "invalid desk agent credential header"
            )
        credential = desk_agent_authenticate(token=parts[1])
        if credential is None:
            raise exceptions.AuthenticationFailed(
                "unknown or revoked desk agent credential"
            )
        return DeskAgentPrincipal(credential), credential

    def authenticate_header(self, request: Request) -> str:
        return KEYWORD


class IsDeskAgent(permissions.BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.auth, DeskAgentCredential)


class DeskAgentAuthenticationScheme(OpenApiAuthenticationExtension):  # type: ignore[misc]
    target_class = "jpki_ops.api.authentication.DeskAgentAuthentication"
    name = "deskAgentToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`DeskAgent <token>` issued by "
            "`manage.py desk_agent_credential`.",
        }
