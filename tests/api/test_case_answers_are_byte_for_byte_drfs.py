"""The case endpoints' written-out representation (issue 14, ADR 0030 addendum)
is byte for byte the JSON DRF's generic path gives for the declared fields — the
same keys in the same order, the same values, the history's status changes with
and without an actor or desk — so the published schema and the answers never
drift apart."""

from __future__ import annotations

import json
from typing import Any

import pytest
from rest_framework import serializers

from counter import selectors
from counter.api.serializers import CaseDetailSerializer, CaseSerializer
from counter.models import Case
from counter.workflows import workflow_for
from tests import factories as f

pytestmark = pytest.mark.django_db


def _drf(serializer: serializers.Serializer, case: Case) -> bytes:
    plain = serializers.Serializer.to_representation(serializer, case)
    return json.dumps(plain, ensure_ascii=False).encode()


def _fast(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode()


def test_list_and_detail_answers_are_drfs_bytes(
    city, office, clerk, desk, open_counter
):
    resident = f.ResidentFactory(municipality=city)
    at_the_counter = f.CaseFactory(
        resident=resident,
        card=f.CardFactory(resident=resident),
        office=office,
        pin_kinds=["signing"],
        clerk=clerk,
        desk=desk,
        documents_checked=True,
    )
    written_directly = f.CaseFactory(
        resident=f.ResidentFactory(municipality=city), office=office
    )
    for case in (at_the_counter, written_directly):
        row = workflow_for(Case.objects.get(pk=case.pk))
        assert _fast(CaseSerializer(row).data) == _drf(CaseSerializer(), row)
        detail = selectors.case_for_api(user=clerk, reference=case.reference)
        answer = CaseDetailSerializer(detail).data
        assert _fast(answer) == _drf(CaseDetailSerializer(), detail)
        assert answer["history"], "the case's history is in its answer"
    actors = {
        (h["actor"], h["desk"])
        for h in CaseDetailSerializer(
            selectors.case_for_api(user=clerk, reference=at_the_counter.reference)
        ).data["history"]
    }
    assert (clerk.username, desk.code) in actors
    assert (
        CaseDetailSerializer(
            selectors.case_for_api(user=clerk, reference=written_directly.reference)
        ).data["history"][0]["actor"]
        is None
    )


def test_a_field_the_fast_path_does_not_know_goes_through_drf(city, office):
    class WithNote(CaseSerializer):
        note = serializers.CharField(source="resident.name")

    case = workflow_for(
        f.CaseFactory(resident=f.ResidentFactory(municipality=city), office=office)
    )
    answer = WithNote(case).data
    assert answer["note"] == case.resident.name
    assert _fast(answer) == _drf(WithNote(), case)
