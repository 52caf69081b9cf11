"""cert_issue: a public key that is not an RSA-2048 key (garbage that is valid
base64, or a key of another kind) is refused with 409 and the fixed code the
agent may pass back; the issuer never sees it and the server never answers 500."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.test import Client

from jpki_ops.models import CardOperation
from jpki_ops.services import (
    card_operation_claim,
    card_operation_request,
    desk_agent_credential_issue,
)
from jpki_ops.services.failures import failure_codes

pytestmark = pytest.mark.django_db


@pytest.fixture
def claimed(desk: Any) -> tuple[Client, CardOperation]:
    _credential, token = desk_agent_credential_issue(desk=desk)
    op = card_operation_request(
        desk=desk,
        kind="cert_issue",
        parameters={
            "certificate_kind": "authentication",
            "not_after": "2030-02-17T14:59:59+00:00",
        },
        idempotency_key="bad-key",
    )
    claimed = card_operation_claim(desk=desk, agent_session="s1")
    assert claimed is not None and claimed.pk == op.pk
    agent = Client(HTTP_AUTHORIZATION=f"DeskAgent {token}", HTTP_X_AGENT_SESSION="s1")
    return agent, op


def _post_key(agent: Client, op: CardOperation, der: bytes) -> Any:
    return agent.post(
        f"/api/v1/desk/agent/operations/{op.pk}/certificate/",
        {"card_id": "D0001", "public_key": base64.b64encode(der).decode()},
        content_type="application/json",
    )


def test_base64_that_is_no_key_is_refused_as_a_conflict(claimed):
    agent, op = claimed
    response = _post_key(agent, op, b"not a key at all")
    assert response.status_code == 409
    assert response.json()["code"] == "issuer-public-key-refused"
    op.refresh_from_db()
    assert "certificate_sha256" not in op.progress
    assert "issuer-public-key-refused" in failure_codes()


def test_a_key_of_another_kind_is_refused_as_a_conflict(claimed):
    agent, op = claimed
    der = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(
            serialization.Encoding.DER,
            serialization.PublicFormat.SubjectPublicKeyInfo,
        )
    )
    response = _post_key(agent, op, der)
    assert response.status_code == 409
    assert response.json()["code"] == "issuer-public-key-refused"
