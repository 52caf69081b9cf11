"""A PIN never leaves the desk (docs/reference/architecture.md): even a screen or client
that
wrongly sends one along with a case action leaves no trace of it — not in any
database row, log record, audit entry or response. Canary PINs prove it."""

from __future__ import annotations

import logging
import re

import pytest
from django.apps import apps
from django.core import serializers
from rest_framework.test import APIClient

from .conftest import holder_card, holder_doc

pytestmark = pytest.mark.django_db

CANARY_SIGNING = "CANARY7319Z"
CANARY_DIGITS = "4711"


def _database_dump() -> str:
    chunks = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        chunks.append(serializers.serialize("json", model._base_manager.all()))
    return "\n".join(chunks)


def test_canary_pins_sent_with_every_case_action_are_stored_nowhere(
    clerk, resident, card, desk, agent, caplog
):
    caplog.set_level(logging.DEBUG)
    api = APIClient()
    api.force_authenticate(clerk)
    stray = {"pin": CANARY_SIGNING, "new_pin": CANARY_DIGITS}
    bodies = []

    response = api.post(
        "/api/v1/cases/",
        {
            "resident": resident.pk,
            "card": card.pk,
            "desk": desk.pk,
            "procedure": "pin_change",
            "applicant_role": "holder",
            "pin_kinds": ["signing"],
            **stray,
        },
        format="json",
    )
    bodies.append(response.content)
    reference = response.json()["reference"]
    bodies.append(
        api.post(
            f"/api/v1/cases/{reference}/documents/",
            {
                "desk": desk.pk,
                "documents": [{**holder_card(), **stray}],
                **stray,
            },
            format="json",
        ).content
    )
    bodies.append(
        api.post(
            f"/api/v1/cases/{reference}/documents/",
            {
                "desk": desk.pk,
                "documents": [holder_card(), holder_doc("passport")],
                **stray,
            },
            format="json",
        ).content
    )
    response = api.post(
        f"/api/v1/cases/{reference}/card-operations/",
        {"desk": desk.pk, "idempotency_key": "k1", **stray},
        format="json",
    )
    bodies.append(response.content)
    from jpki_ops.models import CardOperation

    agent.succeed(CardOperation.objects.get(pk=response.json()["operation"]))
    bodies.append(
        api.post(
            f"/api/v1/cases/{reference}/complete/",
            {"desk": desk.pk, **stray},
            format="json",
        ).content
    )
    bodies.append(api.get(f"/api/v1/cases/{reference}/").content)

    assert api.get(f"/api/v1/cases/{reference}/").json()["state"] == "completed"
    dump = _database_dump()
    # A 4-digit PIN can occur inside a hex hash by chance; as a value on its own
    # (a JSON string or a word in a log line) it cannot.
    for canary in (CANARY_SIGNING, CANARY_DIGITS):
        alone = re.compile(rf"(?<![0-9A-Za-z]){canary}(?![0-9A-Za-z])")
        assert not alone.search(dump)
        assert not alone.search(caplog.text)
        assert not any(alone.search(body.decode()) for body in bodies)
