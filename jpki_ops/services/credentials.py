"""Desk agent credentials: issue (and rotate), revoke, authenticate, and the
signed challenge that binds an agent session to the agent's key pair.

Only the token's SHA-256 is stored. A credential ends (``expires_at``); issuing
a new one for a desk ends the desk's older ones after a grace period, so the
agent can be switched over without a gap. A credential carries the agent's
Ed25519 public key: the token alone opens no session, the agent must also sign
a challenge with the private key that never leaves the desk PC
(docs/security/input-and-desk.md, docs/adr/0010-input-bounds-and-desk-credentials.md).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import secrets
import time
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from counter.audit import audit_record
from counter.errors import ApplicationError, PermissionDenied
from counter.models import Desk
from jpki_ops.models import DeskAgentCredential
from jpki_ops.protocol.agent_proof import proof_message

#: How long a credential lives unless the settings say otherwise.
DEFAULT_LIFETIME_DAYS = 90
#: How long the desk's older credentials keep working after a new one is issued.
DEFAULT_ROTATION_GRACE_HOURS = 24
#: How long a challenge may be answered.
CHALLENGE_SECONDS = 120


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _lifetime() -> dt.timedelta:
    return dt.timedelta(
        days=int(getattr(settings, "DESK_AGENT_CREDENTIAL_DAYS", DEFAULT_LIFETIME_DAYS))
    )


def _grace() -> dt.timedelta:
    return dt.timedelta(
        hours=float(
            getattr(
                settings,
                "DESK_AGENT_ROTATION_GRACE_HOURS",
                DEFAULT_ROTATION_GRACE_HOURS,
            )
        )
    )


def public_key_parse(text: str) -> Ed25519PublicKey:
    """The agent's public key as the agent prints it (raw Ed25519, base64)."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except (binascii.Error, ValueError):
        raise ApplicationError(
            "agent-key-invalid",
            _("This is not a desk agent public key (Ed25519, base64)."),
        ) from None


def desk_agent_credential_issue(
    *, desk: Desk, public_key: str | None = None, created_by: Any = None
) -> tuple[DeskAgentCredential, str]:
    """A new secret for ``desk``'s agent, bound to ``public_key``; the plain
    token is returned only here. The desk's older credentials end after the
    rotation grace period."""
    key_text = ""
    if public_key:
        public_key_parse(public_key)
        key_text = public_key.strip()
    token = "mda_" + secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        older = list(
            DeskAgentCredential.objects.select_for_update().filter(
                desk=desk, revoked_at__isnull=True
            )
        )
        credential = DeskAgentCredential.objects.create(
            desk=desk,
            token_hash=_token_hash(token),
            token_prefix=token[:12],
            created_by=created_by if getattr(created_by, "pk", None) else None,
            expires_at=now + _lifetime(),
            public_key=key_text,
        )
        audit_record(
            action="desk_agent_credential_issued",
            actor=created_by,
            actor_label="" if created_by else "manage.py",
            desk=desk,
            obj=credential,
            data={
                "token_prefix": credential.token_prefix,
                "expires_at": credential.expires_at,
                "bound_to_key": bool(key_text),
            },
        )
        ends = now + _grace()
        for old in older:
            if old.expires_at is None or old.expires_at > ends:
                old.expires_at = ends
                old.save(update_fields=["expires_at"])
            audit_record(
                action="desk_agent_credential_rotated",
                actor=created_by,
                actor_label="" if created_by else "manage.py",
                desk=desk,
                obj=old,
                data={
                    "token_prefix": old.token_prefix,
                    "ends_at": old.expires_at,
                    "replaced_by": credential.token_prefix,
                },
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
    """The credential for ``token`` if it is neither revoked nor expired, its
    desk is in use, and it is bound to a key (unless the installation still
    allows unbound ones, ``DESK_AGENT_ALLOW_UNBOUND``)."""
    if not token or len(token) > 200:
        return None
    credential = (
        DeskAgentCredential.objects.select_related("desk__office__municipality")
        .filter(
            token_hash=_token_hash(token), revoked_at__isnull=True, desk__active=True
        )
        .first()
    )
    if credential is None:
        return None
    if credential.expires_at is not None and credential.expires_at <= timezone.now():
        return None
    if not credential.public_key and not getattr(
        settings, "DESK_AGENT_ALLOW_UNBOUND", False
    ):
        return None
    return credential


def _challenge_mac(body: str) -> str:
    key = hashlib.sha256(b"desk-agent-challenge:" + settings.SECRET_KEY.encode())
    return hmac.new(key.digest(), body.encode(), hashlib.sha256).hexdigest()


def desk_agent_challenge(*, credential: DeskAgentCredential) -> str:
    """A fresh challenge for this credential (stateless: its own MAC says the
    server made it, for which credential and when)."""
    body = f"{int(time.time())}.{credential.pk}.{secrets.token_urlsafe(18)}"
    return f"{body}.{_challenge_mac(body)}"


def _challenge_fresh(challenge: str, credential: DeskAgentCredential) -> bool:
    body, _dot, mac = challenge.rpartition(".")
    parts = body.split(".")
    if len(parts) != 3 or not hmac.compare_digest(mac, _challenge_mac(body)):
        return False
    issued, credential_id, _nonce = parts
    if not issued.isdigit() or credential_id != str(credential.pk):
        return False
    return 0 <= time.time() - int(issued) <= CHALLENGE_SECONDS


def desk_agent_prove(
    *,
    credential: DeskAgentCredential,
    agent_session: str,
    challenge: str,
    signature: str,
) -> DeskAgentCredential:
    """The agent signed a fresh challenge with the key its credential is bound
    to: from now on this agent session may act for the desk."""
    refused = PermissionDenied(
        "agent-proof-refused",
        _("The desk agent could not prove that it holds its key."),
    )
    ok = bool(credential.public_key) and _challenge_fresh(challenge, credential)
    if ok:
        try:
            public_key_parse(credential.public_key).verify(
                base64.b64decode(signature, validate=True),
                proof_message(challenge, agent_session),
            )
        except (InvalidSignature, binascii.Error, ValueError):
            ok = False
    if not ok:
        audit_record(
            action="desk_agent_proof_refused",
            actor_label=f"desk-agent:{credential.token_prefix}",
            desk=credential.desk,
            obj=credential,
            data={"token_prefix": credential.token_prefix},
        )
        raise refused
    with transaction.atomic():
        credential.proven_session = agent_session
        credential.proven_at = timezone.now()
        credential.save(update_fields=["proven_session", "proven_at"])
        audit_record(
            action="desk_agent_session_proven",
            actor_label=f"desk-agent:{credential.token_prefix}",
            desk=credential.desk,
            obj=credential,
            data={"token_prefix": credential.token_prefix},
        )
    return credential


def desk_agent_session_proven(
    *, credential: DeskAgentCredential, agent_session: str
) -> bool:
    """May this agent session act for the desk? A bound credential: only the
    session that answered a challenge. An unbound one (allowed only where the
    installation says so): any session."""
    if not credential.public_key:
        return bool(getattr(settings, "DESK_AGENT_ALLOW_UNBOUND", False))
    return bool(agent_session) and hmac.compare_digest(
        credential.proven_session, agent_session
    )
