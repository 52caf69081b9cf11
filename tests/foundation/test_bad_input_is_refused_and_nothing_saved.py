"""Invalid dates, a future birth date, an unknown office: specific refusals, no
half-saved rows (issue 2 'Bad input')."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone, translation

from counter.errors import ApplicationError
from counter.models import AuditEvent, Card, Resident
from counter.roles import ROLE_CLERK
from counter.services.municipalities import municipality_create
from counter.services.residents import resident_create, resident_update

VALID = {
    "register_id": "R1",
    "name": "山田 太郎",
    "name_kana": "ヤマダ タロウ",
    "address": "神奈川県厚木市中町1-1",
    "birth_date": dt.date(1980, 5, 5),
    "gender": "male",
}


def test_a_birth_date_in_the_future_is_refused_and_nothing_is_saved(city):
    events = AuditEvent.objects.count()
    future = timezone.localdate() + dt.timedelta(days=1)
    with translation.override("ja"), pytest.raises(ApplicationError) as caught:
        resident_create(municipality=city, **{**VALID, "birth_date": future})
    assert caught.value.code == "resident-invalid"
    assert "生年月日が未来の日付です。" in caught.value.extra["fields"]["birth_date"]
    assert not Resident.objects.exists()
    assert AuditEvent.objects.count() == events


def test_an_invalid_date_is_refused(city):
    with pytest.raises(ApplicationError) as caught:
        resident_create(municipality=city, **{**VALID, "birth_date": "1980-02-30"})
    assert "birth_date" in caught.value.extra["fields"]
    assert not Resident.objects.exists()


def test_a_malformed_postal_code_is_refused(city):
    with pytest.raises(ApplicationError) as caught:
        resident_create(municipality=city, **{**VALID, "postal_code": "24385"})
    assert "postal_code" in caught.value.extra["fields"]


def test_a_period_of_stay_for_a_japanese_national_is_refused(city):
    with pytest.raises(ApplicationError) as caught:
        resident_create(
            municipality=city,
            **{**VALID, "residence_period_end": dt.date(2030, 1, 1)},
        )
    assert "residence_period_end" in caught.value.extra["fields"]


def test_a_failed_update_leaves_the_resident_unchanged(city):
    resident = resident_create(municipality=city, **VALID)
    with pytest.raises(ApplicationError):
        resident_update(
            resident=resident,
            name="新しい 名前",
            birth_date=timezone.localdate() + dt.timedelta(days=3),
        )
    resident.refresh_from_db()
    assert resident.name == "山田 太郎"


def test_an_update_is_audited_with_before_and_after(city):
    resident = resident_create(municipality=city, **VALID)
    resident_update(resident=resident, address="神奈川県厚木市旭町1-1")
    event = AuditEvent.objects.filter(action="resident_updated").get()
    assert event.data["before"]["address"] == "神奈川県厚木市中町1-1"
    assert event.data["after"]["address"] == "神奈川県厚木市旭町1-1"


def test_a_card_that_expires_before_it_was_issued_is_refused_by_the_database(city):
    resident = resident_create(municipality=city, **VALID)
    with pytest.raises(IntegrityError), transaction.atomic():
        Card.objects.create(
            municipality=city,
            resident=resident,
            issued_on=dt.date(2026, 1, 1),
            expires_on=dt.date(2025, 1, 1),
        )


def test_an_invalid_municipality_code_creates_nothing(db):
    with pytest.raises(Exception, match="6"):
        municipality_create(code="12", name="x", main_office={"code": "m", "name": "m"})
    from counter.models import Municipality, Office

    assert not Municipality.objects.exists()
    assert not Office.objects.exists()


def test_an_unknown_office_gets_a_specific_message(city, office, make_staff):
    clerk = make_staff("c1", ROLE_CLERK, city, office)
    client = Client(HTTP_ACCEPT_LANGUAGE="ja")
    client.force_login(clerk)
    response = client.get("/api/v1/counter-status/", {"office": "nowhere"})
    assert response.status_code == 404
    assert response.json() == {
        "code": "unknown-office",
        "message": "指定された庁舎はありません。",
        "extra": {},
    }


def test_an_invalid_moment_is_a_field_error(city, office, make_staff):
    clerk = make_staff("c2", ROLE_CLERK, city, office)
    client = Client()
    client.force_login(clerk)
    response = client.get(
        "/api/v1/counter-status/", {"office": "honcho", "at": "2026-13-40T25:00"}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid-input"
    assert "at" in response.json()["extra"]["fields"]
