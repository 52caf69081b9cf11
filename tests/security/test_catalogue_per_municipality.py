"""Each municipality's document choices are its own rows (issue "Why", second
bullet): Atsugi's supervisor unticks 旅券 and Sayama's evaluation is unchanged."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from counter.models import AuditEvent
from identity_docs.evaluator import PresentedDocument
from identity_docs.models import DocumentChoice, IdentityDocumentKind
from identity_docs.services import catalogue_for, requirements_evaluate

pytestmark = pytest.mark.django_db

PASSPORT = [PresentedDocument(code="passport", expires_on=dt.date(2030, 1, 1))]


def _passport_counts(profile: Any) -> bool:
    evaluation = requirements_evaluate(
        profile=profile,
        procedure="pin_reset",
        applicant_role="holder",
        visit=1,
        documents=PASSPORT,
        on_date=dt.date(2026, 11, 26),
    )
    return evaluation.decisions[0][0]


def _untick_passport(client: Client, municipality: Any) -> Any:
    choice = DocumentChoice.objects.get(
        municipality=municipality, kind__code="passport"
    )
    url = f"/admin/identity_docs/documentchoice/{choice.pk}/change/"
    return client.post(url, {"document_class": choice.document_class, "active": "on"})


def test_every_city_starts_with_its_own_copy_of_the_shipped_choices(city, sayama):
    national = IdentityDocumentKind.objects.filter(municipality__isnull=True).count()
    for municipality in (city, sayama):
        assert DocumentChoice.objects.filter(municipality=municipality).count() == (
            national
        )


def test_atsugis_supervisor_unticks_the_passport_and_sayama_is_unchanged(
    city, sayama, supervisor
):
    assert _passport_counts(city.profile) and _passport_counts(sayama.profile)
    client = Client()
    client.force_login(supervisor)
    response = _untick_passport(client, city)
    assert response.status_code == 302, response.content[:500]
    assert catalogue_for(profile=city.profile)["passport"].accepted is False
    assert catalogue_for(profile=sayama.profile)["passport"].accepted is True
    assert _passport_counts(sayama.profile)
    assert not _passport_counts(city.profile)
    event = AuditEvent.objects.get(action="admin_record_changed")
    assert event.data["changes"]["accepted"] == [True, False]
    assert event.municipality_id == city.pk


def test_a_supervisor_cannot_change_another_citys_choice(city, sayama, supervisor):
    client = Client()
    client.force_login(supervisor)
    response = _untick_passport(client, sayama)
    assert response.status_code == 302  # "no such row", not a change
    assert DocumentChoice.objects.get(
        municipality=sayama, kind__code="passport"
    ).accepted
    assert AuditEvent.objects.filter(action="admin_access_refused").exists()


def test_the_national_catalogue_is_read_only_for_a_supervisor(city, supervisor):
    client = Client()
    client.force_login(supervisor)
    passport = IdentityDocumentKind.objects.get(code="passport")
    url = f"/admin/identity_docs/identitydocumentkind/{passport.pk}/change/"
    response = client.post(url, {"accepted": ""})
    assert response.status_code == 403
    assert IdentityDocumentKind.objects.get(code="passport").accepted


def test_a_local_document_counts_only_in_its_own_city(city, sayama, supervisor):
    client = Client()
    client.force_login(supervisor)
    response = client.post(
        "/admin/identity_docs/identitydocumentkind/add/",
        {
            "code": "atsugi_resident_pass",
            "name_ja": "厚木市民証",
            "name_en": "Atsugi resident pass",
            "document_class": "B",
            "public_issuer": "on",
            "accepted": "on",
            "active": "on",
            "sort_order": 900,
        },
    )
    assert response.status_code == 302, response.content[:800]
    local = IdentityDocumentKind.objects.get(code="atsugi_resident_pass")
    assert local.municipality_id == city.pk
    assert "atsugi_resident_pass" in catalogue_for(profile=city.profile)
    assert "atsugi_resident_pass" not in catalogue_for(profile=sayama.profile)
