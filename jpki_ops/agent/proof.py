"""The desk agent's key pair and its answer to the server's challenge
(docs/security/input-and-desk.md).

The private key is an Ed25519 key in a file only the agent's account reads; the
server keeps the public key with the desk credential. Before the agent announces
its session it asks for a challenge and signs it with the key, so a copied token
without the key file opens no session.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from jpki_ops.protocol.agent_proof import proof_message

from .server import ServerClient


def agent_key_generate(path: Path) -> str:
    """A new key pair: the private key written to ``path`` (mode 0600, never
    over an existing file), the public key returned as base64 for
    ``manage.py desk_agent_credential --public-key``."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
    return agent_public_key(key)


def agent_key_load(path: Path) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key")
    return key


def agent_public_key(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return base64.b64encode(raw).decode("ascii")


def agent_sign(key: Ed25519PrivateKey, challenge: str, session_id: str) -> str:
    return base64.b64encode(key.sign(proof_message(challenge, session_id))).decode()


class ProvingServerClient(ServerClient):
    """A server client that proves the agent's key before it announces its
    session (and so after every restart, with its new session id)."""

    def __init__(
        self,
        base_url: str,
        token: str,
        session_id: str,
        *,
        key: Ed25519PrivateKey,
        timeout: float = 40,
    ) -> None:
        super().__init__(base_url, token, session_id, timeout=timeout)
        self._key = key

    def prove(self) -> None:
        challenge = str(self._call("GET", "agent/challenge/")[1]["challenge"])
        signature = agent_sign(self._key, challenge, self.session_id)
        self._call(
            "POST", "agent/proof/", {"challenge": challenge, "signature": signature}
        )

    def start_session(self) -> dict[str, Any]:
        self.prove()
        return super().start_session()
