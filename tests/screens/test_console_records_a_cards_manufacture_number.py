"""The supervisor records a card's manufacture number in the console (issue 17):
through the service, audited, scoped to the supervisor's municipality; the card is
then identified at the desk by it (docs/adr/0006-card-identity-before-any-pin.md).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from counter.errors import ApplicationError
from counter.models import AccessPath, AccessRecord, AuditEvent
from jpki_ops.models import CardManufactureRecord
from jpki_ops.services import card_manufacture_record
from jpki_ops.services.identity import CardEvidence, card_match
from tests import factories as f

pytestmark = pytest.mark.django_db

URL = reverse("counter:console:cards")


def _record_url(card: Any) -> str:
    return reverse("counter:console:card-record", args=[card.pk])


def test_a_card_nothing_identifies_is_listed_and_its_number_recorded(
    supervisor_client: Any, tanaka: Any
):
    card = f.CardFactory(resident=tanaka, auth_key_fingerprint="")
    page = supervisor_client.get(URL).content.decode()
    assert f'data-card="{card.pk}"' in page and "タナカ マコト" in page

    response = supervisor_client.post(
        _record_url(card), {"manufacture_id": " 0a1b 2c3d 4e5f 6071 "}
    )

    assert response.status_code == 302
    record = CardManufactureRecord.objects.get(card=card)
    assert record.manufacture_id == "0A1B2C3D4E5F6071"
    entry = AuditEvent.objects.get(action="card_manufacture_id_recorded")
    assert entry.data["after"] == "0A1B2C3D4E5F6071" and entry.data["before"] == ""
    assert entry.municipality_id == tanaka.municipality_id
    # Nothing left to do: the list of unidentified cards no longer has it …
    assert f'data-card="{card.pk}"' not in supervisor_client.get(URL).content.decode()
    # … and the desk recognises the card without a certificate by it.
    evidence = CardEvidence("0A1B2C3D4E5F6071", None, None)
    assert card_match(card, evidence) == (None, "manufacture-id")


def test_search_finds_a_residents_card_and_a_correction_needs_a_reason(
    supervisor_client: Any, supervisor: Any, tanaka: Any
):
    card = f.CardFactory(resident=tanaka)
    card_manufacture_record(card_id=card.pk, manufacture_id="AAAA1", actor=supervisor)
    page = supervisor_client.get(URL, {"q": "たなか"}).content.decode()
    assert f'data-card="{card.pk}"' in page and 'value="AAAA1"' in page

    supervisor_client.post(
        _record_url(card), {"manufacture_id": "BBBB2", "q": "たなか"}
    )
    assert CardManufactureRecord.objects.get(card=card).manufacture_id == "AAAA1"
    assert AuditEvent.objects.filter(
        action="card_manufacture_id_recorded_refused",
        data__code="manufacture-id-change-needs-reason",
    ).exists()

    supervisor_client.post(
        _record_url(card),
        {"manufacture_id": "BBBB2", "reason": "交付書類の読み違い"},
    )
    assert CardManufactureRecord.objects.get(card=card).manufacture_id == "BBBB2"
    change = AuditEvent.objects.filter(action="card_manufacture_id_recorded").latest(
        "pk"
    )
    assert (change.data["before"], change.data["after"]) == ("AAAA1", "BBBB2")


def test_a_number_recorded_for_another_card_or_malformed_is_refused(
    supervisor: Any, tanaka: Any
):
    first = f.CardFactory(resident=tanaka)
    second = f.CardFactory(resident=f.ResidentFactory(municipality=tanaka.municipality))
    card_manufacture_record(card_id=first.pk, manufacture_id="C0FFEE", actor=supervisor)
    for value, code in (
        ("c0ffee", "manufacture-id-taken"),
        ("ＡＢ/1", "manufacture-id-malformed"),
    ):
        with pytest.raises(ApplicationError) as refused:
            card_manufacture_record(
                card_id=second.pk, manufacture_id=value, actor=supervisor
            )
        assert refused.value.code == code
        assert str(refused.value.message).isascii() is False  # Japanese
    assert not CardManufactureRecord.objects.filter(card=second).exists()


def test_another_municipalitys_card_is_unknown_and_a_clerk_may_not_record(
    supervisor_client: Any, clerk_client: Any, clerk: Any, supervisor: Any, tanaka: Any
):
    elsewhere = f.CardFactory(
        resident=f.ResidentFactory(municipality=f.MunicipalityFactory())
    )
    own = f.CardFactory(resident=tanaka, auth_key_fingerprint="")
    assert (
        f'data-card="{elsewhere.pk}"' not in supervisor_client.get(URL).content.decode()
    )
    with pytest.raises(ApplicationError) as refused:
        card_manufacture_record(
            card_id=elsewhere.pk, manufacture_id="D00D", actor=supervisor
        )
    assert refused.value.code == "card-not-found"
    supervisor_client.post(_record_url(elsewhere), {"manufacture_id": "D00D"})

    assert clerk_client.get(URL).status_code == 403
    assert (
        clerk_client.post(_record_url(own), {"manufacture_id": "D00D"}).status_code
        == 403
    )
    with pytest.raises(ApplicationError) as refused:
        card_manufacture_record(card_id=own.pk, manufacture_id="D00D", actor=clerk)
    assert refused.value.code == "manufacture-id-not-permitted"
    assert not CardManufactureRecord.objects.exists()
    assert (
        AuditEvent.objects.filter(action="card_manufacture_id_recorded_refused").count()
        == 3
    )


def test_a_search_by_name_is_a_logged_read_and_the_work_list_is_not(
    supervisor_client: Any, tanaka: Any
):
    """The supervisor chose whom the search shows: one access entry per resident
    (docs/security/audit-trail.md, "What is a read"); the list of cards nothing
    identifies yet is the system's work list."""
    f.CardFactory(resident=tanaka, auth_key_fingerprint="")
    f.CardFactory(resident=tanaka)
    supervisor_client.get(URL)
    assert not AccessRecord.objects.exists()

    supervisor_client.get(URL, {"q": "たなか"})
    entry = AccessRecord.objects.get()
    assert entry.path == AccessPath.RESIDENT_SEARCH
    assert entry.resident_id == tanaka.pk
    assert entry.actor_id == int(supervisor_client.session["_auth_user_id"])
