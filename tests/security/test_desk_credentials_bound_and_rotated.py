"""Issue 11 item 8: a desk credential expires, a new one ends the old one after
a grace period, it is bound to the agent's key pair by a signed challenge (a
copied token alone opens no session), and it never comes from the command line."""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from freezegun import freeze_time

from counter.models import AuditEvent
from jpki_ops.agent import cli
from jpki_ops.agent.proof import (
    ProvingServerClient,
    agent_key_generate,
    agent_key_load,
    agent_public_key,
    agent_sign,
)
from jpki_ops.agent.server import ServerRefused
from jpki_ops.services import desk_agent_credential_issue

pytestmark = pytest.mark.django_db

NEXT = "/api/v1/desk/agent/next/?wait=0"


@pytest.fixture(autouse=True)
def _production_binding(settings: Any) -> None:
    """As production has it: a credential must be bound to a key."""
    settings.DESK_AGENT_ALLOW_UNBOUND = False


@pytest.fixture
def agent_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def _client(token: str, session: str = "desk-pc:1") -> Client:
    return Client(HTTP_AUTHORIZATION=f"DeskAgent {token}", HTTP_X_AGENT_SESSION=session)


def _prove(client: Client, key: Ed25519PrivateKey, session: str = "desk-pc:1") -> Any:
    challenge = client.get("/api/v1/desk/agent/challenge/").json()["challenge"]
    return client.post(
        "/api/v1/desk/agent/proof/",
        {"challenge": challenge, "signature": agent_sign(key, challenge, session)},
        content_type="application/json",
    )


def test_a_copied_token_alone_opens_no_session(desk, agent_key):
    _credential, token = desk_agent_credential_issue(
        desk=desk, public_key=agent_public_key(agent_key)
    )
    assert _client(token).get(NEXT).status_code == 403


def test_the_agent_that_signs_the_challenge_with_its_key_may_act(desk, agent_key):
    _credential, token = desk_agent_credential_issue(
        desk=desk, public_key=agent_public_key(agent_key)
    )
    client = _client(token)
    assert _prove(client, agent_key).status_code == 200
    assert client.get(NEXT).status_code == 204
    # The same token with another session id (a copy elsewhere) still may not.
    assert _client(token, session="elsewhere:2").get(NEXT).status_code == 403
    assert AuditEvent.objects.filter(action="desk_agent_session_proven").count() == 1


def test_a_signature_by_another_key_is_refused_and_audited(desk, agent_key):
    _credential, token = desk_agent_credential_issue(
        desk=desk, public_key=agent_public_key(agent_key)
    )
    client = _client(token)
    response = _prove(client, Ed25519PrivateKey.generate())
    assert response.status_code == 403
    assert response.json()["code"] == "agent-proof-refused"
    assert client.get(NEXT).status_code == 403
    assert AuditEvent.objects.filter(action="desk_agent_proof_refused").exists()


def test_a_stale_or_forged_challenge_is_refused(desk, agent_key):
    _credential, token = desk_agent_credential_issue(
        desk=desk, public_key=agent_public_key(agent_key)
    )
    client = _client(token)
    with freeze_time(timezone.now() - dt.timedelta(minutes=5)):
        old = client.get("/api/v1/desk/agent/challenge/").json()["challenge"]
    forged = old.rsplit(".", 1)[0] + "." + "0" * 64
    for challenge in (old, forged):
        response = client.post(
            "/api/v1/desk/agent/proof/",
            {
                "challenge": challenge,
                "signature": agent_sign(agent_key, challenge, "desk-pc:1"),
            },
            content_type="application/json",
        )
        assert response.status_code == 403


def test_a_credential_without_a_key_is_refused(desk):
    _credential, token = desk_agent_credential_issue(desk=desk)
    assert _client(token).get(NEXT).status_code == 401


def test_a_credential_ends_when_it_expires(desk, agent_key, settings):
    settings.DESK_AGENT_CREDENTIAL_DAYS = 90
    credential, token = desk_agent_credential_issue(
        desk=desk, public_key=agent_public_key(agent_key)
    )
    assert credential.expires_at is not None
    client = _client(token)
    assert _prove(client, agent_key).status_code == 200
    with freeze_time(credential.expires_at + dt.timedelta(seconds=1)):
        assert client.get(NEXT).status_code == 401


def test_a_new_credential_ends_the_old_one_after_the_grace_period(
    desk, agent_key, settings
):
    settings.DESK_AGENT_ROTATION_GRACE_HOURS = 24
    _old, old_token = desk_agent_credential_issue(
        desk=desk, public_key=agent_public_key(agent_key)
    )
    old_client = _client(old_token)
    assert _prove(old_client, agent_key).status_code == 200
    new_key = Ed25519PrivateKey.generate()
    _new, new_token = desk_agent_credential_issue(
        desk=desk, public_key=agent_public_key(new_key)
    )
    assert old_client.get(NEXT).status_code == 204  # still inside the grace period
    later = timezone.now() + dt.timedelta(hours=24, seconds=1)
    with freeze_time(later):
        assert old_client.get(NEXT).status_code == 401
        new_client = _client(new_token, session="desk-pc:2")
        assert _prove(new_client, new_key, session="desk-pc:2").status_code == 200
        assert new_client.get(NEXT).status_code == 204
    assert AuditEvent.objects.filter(action="desk_agent_credential_rotated").exists()


def test_the_agent_client_proves_its_key_against_the_running_server(
    desk, tmp_path, live_server
):
    key_file = tmp_path / "agent-key.pem"
    public = agent_key_generate(key_file)
    assert key_file.stat().st_mode & 0o077 == 0  # only the agent's account reads it
    _credential, token = desk_agent_credential_issue(desk=desk, public_key=public)
    server = f"{live_server.url}/api/v1/desk/"
    proving = ProvingServerClient(
        server, token, "desk-pc:9", key=agent_key_load(key_file)
    )
    assert proving.start_session()["desk"] == desk.code
    assert proving.next_operation(wait=0) is None
    stolen = ProvingServerClient(
        server, token, "thief:1", key=Ed25519PrivateKey.generate()
    )
    with pytest.raises(ServerRefused):
        stolen.start_session()


def test_the_token_is_never_a_command_line_argument(tmp_path, monkeypatch):
    parser = __import__("argparse").ArgumentParser()
    cli.add_arguments(parser)
    with pytest.raises(SystemExit):
        parser.parse_args(["--server", "https://x/", "--token", "mda_secret"])
    token_file = tmp_path / "token"
    token_file.write_text("mda_from_file\n")
    options = vars(parser.parse_args(["--token-file", str(token_file)]))
    assert cli.credential_read(options) == "mda_from_file"
    monkeypatch.setenv("MADOGUCHI_AGENT_TOKEN", "mda_from_env")
    assert cli.credential_read({"token_file": ""}) == "mda_from_env"


def test_the_docs_never_pass_the_token_on_the_command_line():
    base = Path(django_settings.BASE_DIR)
    pages = [base / "README.md", *sorted((base / "docs").rglob("*.md"))]
    offenders = [
        str(page.relative_to(base))
        for page in pages
        if re.search(r"--token[ =](?!-file)", page.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_command_asks_for_the_agents_public_key(desk, tmp_path):
    with pytest.raises(CommandError):
        call_command("desk_agent_credential", desk.office.code, desk.code)
    with pytest.raises(CommandError):
        call_command(
            "desk_agent_credential",
            desk.office.code,
            desk.code,
            "--public-key",
            base64.b64encode(b"not a key").decode(),
        )
    out = io.StringIO()
    public = agent_key_generate(tmp_path / "k.pem")
    call_command(
        "desk_agent_credential",
        desk.office.code,
        desk.code,
        "--public-key",
        public,
        stdout=out,
    )
    assert out.getvalue().strip().splitlines()[-1].startswith("mda_")
