"""Card operations as rows: idempotent, audited, desk-scoped, never carrying a PIN.

The server side of the desk agent (docs/reference/architecture.md "Desk agent";
docs/reference/style.md §3.7
audit; docs/rules/02-certificates-and-pins.md §2 "municipal staff never learn or record
PINs").
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from counter.errors import ApplicationError, Conflict, PermissionDenied
from counter.models import AuditEvent
from jpki_ops import services
from jpki_ops.cardsim.authorisation import CardCommand
from jpki_ops.models import CardOperation, DeskAgentCredential
from tests.factories import DeskFactory

pytestmark = pytest.mark.django_db


def _agent_client(token: str, session: str = "s1") -> Client:
    return Client(HTTP_AUTHORIZATION=f"DeskAgent {token}", HTTP_X_AGENT_SESSION=session)


def test_the_same_idempotency_key_gives_the_same_operation():
    desk = DeskFactory()
    first = services.card_operation_request(
        desk=desk, kind="read_card", idempotency_key="k1"
    )
    again = services.card_operation_request(
        desk=desk, kind="read_card", idempotency_key="k1"
    )
    assert again.pk == first.pk
    with pytest.raises(Conflict) as caught:
        services.card_operation_request(
            desk=desk, kind="pin_status", idempotency_key="k1"
        )
    assert caught.value.code == "card-operation-idempotency-conflict"


@pytest.mark.parametrize(
    "parameters",
    [
        {"pin_kind": "authentication", "pin": "1234"},
        {"pin_kind": "signing", "new_pin": "X"},
    ],
)
def test_a_pin_is_refused_as_a_parameter(parameters):
    desk = DeskFactory()
    with pytest.raises(ApplicationError) as caught:
        services.card_operation_request(
            desk=desk, kind="pin_change", parameters=parameters, idempotency_key="k"
        )
    assert caught.value.code == "card-operation-secret-refused"
    assert not CardOperation.objects.exists()


def test_an_agent_only_ever_gets_its_own_desks_operations():
    desk_1, desk_2 = DeskFactory(), DeskFactory()
    op = services.card_operation_request(
        desk=desk_2, kind="read_card", idempotency_key="k"
    )
    assert services.card_operation_claim(desk=desk_1, agent_session="a") is None
    _cred, token_1 = services.desk_agent_credential_issue(desk=desk_1)
    response = _agent_client(token_1).post(
        f"/api/v1/desk/agent/operations/{op.pk}/result/",
        {"result": {"token": "x"}},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert services.card_operation_claim(desk=desk_2, agent_session="b").pk == op.pk


def test_long_poll_answers_204_when_nothing_is_waiting_and_the_operation_when_it_is():
    desk = DeskFactory()
    _cred, token = services.desk_agent_credential_issue(desk=desk)
    client = _agent_client(token)
    assert client.get("/api/v1/desk/agent/next/?wait=0").status_code == 204
    op = services.card_operation_request(
        desk=desk, kind="pin_status", idempotency_key="k"
    )
    response = client.get("/api/v1/desk/agent/next/?wait=0")
    assert response.status_code == 200 and response.json()["id"] == op.pk
    op.refresh_from_db()
    assert (op.state, op.claimed_by, op.attempts) == ("claimed", "s1", 1)


def test_a_revoked_or_unknown_credential_is_refused():
    desk = DeskFactory()
    credential, token = services.desk_agent_credential_issue(desk=desk)
    assert DeskAgentCredential.objects.get().token_hash != token  # only the hash
    services.desk_agent_credential_revoke(credential=credential)
    assert _agent_client(token).get("/api/v1/desk/agent/next/?wait=0").status_code in (
        401,
        403,
    )
    assert _agent_client("mda_nope").get(
        "/api/v1/desk/agent/next/?wait=0"
    ).status_code in (
        401,
        403,
    )


def test_the_management_command_prints_the_token_once():
    desk = DeskFactory()
    out = io.StringIO()
    call_command(
        "desk_agent_credential",
        desk.office.code,
        desk.code,
        "--municipality",
        desk.office.municipality.code,
        stdout=out,
    )
    token = out.getvalue().strip().splitlines()[-1]
    assert token.startswith("mda_")
    assert services.desk_agent_authenticate(token=token).desk == desk


def test_a_restarted_agent_resumes_reads_and_fails_changes_cleanly():
    desk = DeskFactory()
    read = services.card_operation_request(
        desk=desk, kind="read_card", idempotency_key="r"
    )
    change = services.card_operation_request(
        desk=desk,
        kind="pin_change",
        parameters={"pin_kind": "signing"},
        idempotency_key="c",
    )
    services.card_operation_claim(desk=desk, agent_session="old")
    services.card_operation_claim(desk=desk, agent_session="old")
    services.desk_agent_session_start(desk=desk, agent_session="new")
    read.refresh_from_db()
    change.refresh_from_db()
    assert (read.state, read.claimed_by) == ("requested", "")
    assert (change.state, change.error_code) == ("failed", "agent-restarted")
    assert services.card_operation_claim(desk=desk, agent_session="new").pk == read.pk
    read.refresh_from_db()
    assert read.attempts == 2
    assert AuditEvent.objects.filter(action="card_operation_resumed").count() == 1


def test_unclaimed_requests_expire_and_stuck_runs_time_out_visibly():
    desk = DeskFactory()
    waiting = services.card_operation_request(
        desk=desk, kind="read_card", idempotency_key="a"
    )
    running = services.card_operation_request(
        desk=desk, kind="pin_status", idempotency_key="b"
    )
    fresh = services.card_operation_request(
        desk=desk, kind="pin_status", idempotency_key="c"
    )
    services.card_operation_claim(desk=desk, agent_session="s")  # claims `waiting`
    CardOperation.objects.filter(pk=running.pk).update(
        requested_at=timezone.now() - dt.timedelta(hours=1)
    )
    CardOperation.objects.filter(pk=waiting.pk).update(
        claimed_at=timezone.now() - dt.timedelta(hours=1)
    )
    assert services.card_operations_time_out() == 2
    states = dict(CardOperation.objects.values_list("pk", "state"))
    # Never claimed within the limit: expired (never run later on any card);
    # claimed but silent: timed out.
    assert states == {
        waiting.pk: "timed_out",
        running.pk: "expired",
        fresh.pk: "requested",
    }
    assert AuditEvent.objects.filter(action="card_operation_timed_out").count() == 1
    assert AuditEvent.objects.filter(action="card_operation_expired").count() == 1


def test_the_issuer_unlocks_only_what_the_operation_needs_and_only_once(
    simulated_issuer,
):
    desk = DeskFactory()
    op = services.card_operation_request(
        desk=desk,
        kind="pin_reset",
        parameters={"pin_kind": "authentication"},
        idempotency_key="k",
    )
    services.card_operation_claim(desk=desk, agent_session="s")
    reset = CardCommand(0x2C, 0x02, 0x98)
    kwargs = {"operation_id": op.pk, "desk": desk, "agent_session": "s"}
    with pytest.raises(PermissionDenied) as caught:  # another PIN's key reference
        services.card_operation_authorise(
            **kwargs,
            card_id="ABCD",
            challenge=b"12345678",
            command=CardCommand(0x2C, 2, 0x9B),
        )
    assert caught.value.code == "issuer-authorisation-not-allowed"
    data = services.card_operation_authorise(
        **kwargs, card_id="ABCD", challenge=b"12345678", command=reset
    )
    assert len(data) == 68
    with pytest.raises(PermissionDenied):  # a second authorisation: refused
        services.card_operation_authorise(
            **kwargs, card_id="ABCD", challenge=b"87654321", command=reset
        )


def test_the_desk_api_is_in_the_openapi_schema():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]
    for path in (
        "/api/v1/desk/agent/next/",
        "/api/v1/desk/agent/operations/{id}/result/",
        "/api/v1/desk/agent/operations/{id}/failure/",
        "/api/v1/desk/agent/operations/{id}/authorise/",
        "/api/v1/desk/operations/{id}/",
    ):
        assert path in paths, path
    assert "deskAgentToken" in schema["components"]["securitySchemes"]


def test_the_beat_entry_names_a_task_that_times_out_operations():
    from config.celery_app import BEAT_SCHEDULE
    from jpki_ops.tasks import time_out_card_operations

    entry = BEAT_SCHEDULE["time-out-card-operations"]
    assert entry["task"] == time_out_card_operations.name
    desk = DeskFactory()
    op = services.card_operation_request(
        desk=desk, kind="read_card", idempotency_key="t"
    )
    CardOperation.objects.filter(pk=op.pk).update(
        requested_at=timezone.now() - dt.timedelta(days=1)
    )
    assert time_out_card_operations.run() == 1
    op.refresh_from_db()
    assert (op.state, op.error_code) == ("expired", "card-operation-expired")


@pytest.mark.django_db(transaction=True)
def test_an_agent_with_a_revoked_token_stops_with_a_clear_reason(live_server):
    from jpki_ops.agent.main import DeskAgent

    desk = DeskFactory()
    credential, token = services.desk_agent_credential_issue(desk=desk)
    url = f"{live_server.url}/api/v1/desk/"
    assert (
        DeskAgent(server_url=url, token=token).server.start_session()["desk"]
        == desk.code
    )
    services.desk_agent_credential_revoke(credential=credential)
    agent = DeskAgent(server_url=url, token=token)
    agent.run_forever()  # returns instead of looping
    assert agent.refused is not None and agent.refused.status in (401, 403)
