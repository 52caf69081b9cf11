"""An API token handed to an integration at the server (``manage.py
drf_create_token``, the operator's way) is written to the city's audit trail with
the operator's account, and the key never is; a reset replaces the old key,
which stops working at once."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from rest_framework.authtoken.models import Token

from counter.code_labels import action_label
from counter.models import AuditEvent
from tests import factories as f

pytestmark = pytest.mark.django_db


def _hand_over(username: str, *flags: str) -> str:
    out = io.StringIO()
    call_command("drf_create_token", username, *flags, stdout=out)
    return out.getvalue().split()[2]  # "Generated token <key> for user <name>"


def test_a_handed_over_token_is_audited_without_its_key(city):
    integration = f.clerk(city)

    key = _hand_over(integration.username)

    assert Token.objects.get(user=integration).key == key
    event = AuditEvent.objects.get(action="api_token_issued")
    assert event.actor_id is None
    assert event.actor_label.startswith("operator:")
    assert event.municipality_id == city.pk
    assert event.data == {"created": True, "replaced": 0}
    assert key not in json.dumps(event.data) + event.actor_label


def test_showing_the_existing_token_again_is_audited_too(city):
    integration = f.clerk(city)
    first = _hand_over(integration.username)

    assert _hand_over(integration.username) == first
    events = AuditEvent.objects.filter(action="api_token_issued").order_by("pk")
    assert [e.data["created"] for e in events] == [True, False]


def test_a_reset_replaces_the_key_and_the_old_one_stops_working(client, city):
    integration = f.clerk(city)
    old = _hand_over(integration.username)

    new = _hand_over(integration.username, "--reset")

    assert new != old
    assert not Token.objects.filter(key=old).exists()
    last = AuditEvent.objects.filter(action="api_token_issued").latest("pk")
    assert last.data == {"created": True, "replaced": 1}
    refused = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {old}")
    assert refused.status_code in (401, 403)


def test_an_unknown_login_gets_no_token_and_no_entry(city):
    with pytest.raises(CommandError, match="does not exist"):
        _hand_over("nobody-here")
    assert not AuditEvent.objects.filter(action="api_token_issued").exists()


def test_the_audit_trail_names_the_action_in_japanese():
    with translation.override("ja"):
        assert action_label("api_token_issued") == "連携システムへAPIトークンを交付"
