"""Resident search through the API (issue 14, ADR 0030): the answer written out
field by field is DRF's own, a page is bounded, and every resident shown is in the
access log with who, from where and when, in one insert."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework import serializers
from rest_framework.test import APIClient

from counter.api.registry import (
    SEARCH_DEFAULT_LIMIT,
    SEARCH_MAX_LIMIT,
    CardBriefSerializer,
    ResidentSearchOutput,
)
from counter.api.serializers import ResidentBriefSerializer
from counter.models import AccessPath, AccessRecord, Resident
from tests import factories as f

pytestmark = pytest.mark.django_db

SEARCH = "/api/v1/residents/"


class GenericOutput(ResidentBriefSerializer):
    """What DRF's generic path answers for the same fields."""

    cards = CardBriefSerializer(many=True, source="cards.all")


@pytest.fixture
def api(clerk: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(clerk)
    return client


@pytest.fixture
def satos(city: Any) -> list[Resident]:
    found = [
        f.ResidentFactory(
            municipality=city, name=f"佐藤 花子{i}", name_kana=f"サトウ ハナコ{i}"
        )
        for i in range(SEARCH_DEFAULT_LIMIT + 3)
    ]
    for resident in found[:5]:
        f.CardFactory(resident=resident)
    f.CardFactory(resident=found[0], abolished=True)
    return found


def test_the_written_out_answer_is_drfs_own(satos):
    residents = Resident.objects.prefetch_related("cards").filter(
        pk__in=[r.pk for r in satos]
    )
    assert ResidentSearchOutput(residents, many=True).data == (
        GenericOutput(residents, many=True).data
    )
    assert isinstance(ResidentSearchOutput(), serializers.Serializer)


def test_a_search_answers_a_bounded_page_and_logs_each_resident_once(api, satos):
    with CaptureQueriesContext(connection) as queries:
        response = api.get(SEARCH, {"q": "佐藤"})
    assert response.status_code == 200
    shown = response.json()
    assert len(shown) == SEARCH_DEFAULT_LIMIT
    # One statement finds and logs (ADR 0038): no answer without its entries.
    logging = [q["sql"] for q in queries.captured_queries if "INSERT" in q["sql"]]
    assert len(logging) == 1
    assert logging[0].startswith("WITH shown")
    assert 'FROM "counter_resident"' in logging[0]
    rows = AccessRecord.objects.filter(path=AccessPath.API_SEARCH)
    assert sorted(rows.values_list("resident_id", flat=True)) == sorted(
        r["id"] for r in shown
    )
    row = rows.first()
    assert row.actor_label == api.handler._force_user.get_username()
    assert row.municipality_id == satos[0].municipality_id
    assert row.object_type == "counter.resident"
    assert row.object_id == str(row.resident_id)
    assert row.url.startswith(SEARCH)
    assert row.at is not None


def test_more_residents_only_when_asked_and_never_past_the_bound(api, satos):
    assert len(api.get(SEARCH, {"q": "佐藤", "limit": 22}).json()) == 22
    refused = api.get(SEARCH, {"q": "佐藤", "limit": SEARCH_MAX_LIMIT + 1})
    assert refused.status_code == 400
    assert "limit" in refused.json()["extra"]["fields"]


def test_a_search_that_finds_nobody_logs_nothing(api, satos):
    assert api.get(SEARCH, {"q": "該当なし"}).json() == []
    assert not AccessRecord.objects.filter(path=AccessPath.API_SEARCH).exists()
