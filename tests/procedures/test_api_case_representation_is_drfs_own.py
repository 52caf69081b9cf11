"""The case lists' fast representation gives exactly what the declared fields
give through DRF's generic path, for every kind of case (issue 14): the schema
documents the declared fields, so the two must never drift apart."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework import serializers

from counter import selectors
from counter.api.serializers import CaseDetailSerializer, CaseSerializer
from counter.models import Case
from counter.models.cases import CaseState
from counter.workflows import workflow_for
from tests import factories as f

pytestmark = pytest.mark.django_db


def _generic(serializer: serializers.Serializer, case: Case) -> dict:
    return dict(serializers.Serializer.to_representation(serializer, case))


def test_every_field_of_every_kind_of_case_is_what_drf_gives(
    city, office, clerk, desk, open_counter
):
    resident = f.ResidentFactory(municipality=city)
    cases = [
        f.CaseFactory(
            resident=resident,
            card=f.CardFactory(resident=resident),
            office=office,
            clerk=clerk,
            desk=desk,
            pin_kinds=["signing"],
            documents_checked=True,
        ),
        f.CaseFactory(
            resident=f.ResidentFactory(municipality=city),
            office=office,
            state=CaseState.AWAITING_SECOND_VISIT,
        ),
        f.CaseFactory(
            resident=f.ResidentFactory(municipality=city),
            office=office,
            state=CaseState.COMPLETED,
        ),
    ]
    Case.objects.filter(pk=cases[1].pk).update(
        second_visit_deadline=dt.date(2026, 12, 1),
        flags=["exception_needed"],
        exception_approved_at=timezone.now(),
        card=None,
        fee_yen=200,
        letter_reference="L-1",
    )
    Case.objects.filter(pk=cases[2].pk).update(completed_at=timezone.now())
    for case in cases:
        fresh = workflow_for(Case.objects.get(pk=case.pk))
        assert CaseSerializer(fresh).data == _generic(CaseSerializer(), fresh)
        detail = selectors.case_for_api(user=clerk, reference=case.reference)
        assert CaseDetailSerializer(detail).data == _generic(
            CaseDetailSerializer(), detail
        )
