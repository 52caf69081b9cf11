"""Desk agent credentials: issue, revoke, authenticate (only a hash is stored)."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from counter.audit import audit_record
from counter.models import Desk
from jpki_ops.models import DeskAgentCredential


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def desk_agent_credential_issue(
    *, desk: Desk, created_by: Any = None
) -> tuple[DeskAgentCredential, str]:
    """A new secret for ``desk``'s agent; the plain token is returned only here."""
    token = "mda_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        credential = DeskAgentCredential.objects.create(
            desk=desk,
            token_hash=_token_hash(token),
            token_prefix=token[:12],
            created_by=created_by if getattr(created_by, "pk", None) else None,
        )
        audit_record(
            action="desk_agent_credential_issued",
            actor=created_by,
            actor_label="" if created_by else "manage.py",
            desk=desk,
            obj=credential,
            data={"token_prefix": credential.token_prefix},
        )
    return credential, token


def desk_agent_credential_revoke(
    *, credential: DeskAgentCredential, revoked_by: Any = None
) -> DeskAgentCredential:
    with transaction.atomic():
        credential.revoked_at = timezone.now()
        credential.save(update_fields=["revoked_at"])
        audit_record(
            action="desk_agent_credential_revoked",
            actor=revoked_by,
            desk=credential.desk,
            obj=credential,
            data={"token_prefix": credential.token_prefix},
        )
    return credential


def desk_agent_authenticate(*, token: str) -> DeskAgentCredential | None:
    """The active credential for ``token``, or None."""
    if not token:
        return None
    return (
        DeskAgentCredential.objects.select_related("desk__office__municipality")
        .filter(
            token_hash=_token_hash(token), revoked_at__isnull=True, desk__active=True
        )
        .first()
    )
