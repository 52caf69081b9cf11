"""How a desk agent proves which desk it is: ``Authorization: DeskAgent <token>``,
and for a key-bound credential also an agent session that answered a signed
challenge (``agent/challenge/`` then ``agent/proof/``).

The token is issued once by ``manage.py desk_agent_credential`` and stored only as
its SHA-256 (:class:`~jpki_ops.models.DeskAgentCredential`); it expires. An
authenticated agent is not a Django user: views reach its desk through
``request.auth.desk``.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions
from rest_framework.request import Request

from jpki_ops.models import DeskAgentCredential
from jpki_ops.services import desk_agent_authenticate, desk_agent_session_proven

KEYWORD = "DeskAgent"
SESSION_HEADER = "HTTP_X_AGENT_SESSION"


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
                "unknown, expired, revoked or unbound desk agent credential"
            )
        return DeskAgentPrincipal(credential), credential

    def authenticate_header(self, request: Request) -> str:
        return KEYWORD


class HasDeskAgentToken(permissions.BasePermission):
    """The token only: enough to ask for a challenge and to answer it."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.auth, DeskAgentCredential)


class IsDeskAgent(HasDeskAgentToken):
    """The token and an agent session proven with the credential's key."""

    message = "the desk agent session has not proven its key (agent/proof/)"

    def has_permission(self, request: Request, view: Any) -> bool:
        credential = request.auth
        return isinstance(credential, DeskAgentCredential) and (
            desk_agent_session_proven(
                credential=credential,
                agent_session=str(request.META.get(SESSION_HEADER, "")),
            )
        )


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
