"""A case read through the API is in the access log (issue 10 §5), written by one
INSERT … RETURNING without the ORM's compiler (issue 14, ADR 0030): the row the
database holds is the record the function returns, field by field."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from counter.audit import access_record
from counter.models import AccessPath, AccessRecord
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_the_returned_record_is_the_stored_row(city, office, clerk, desk):
    case = f.CaseFactory(resident=f.ResidentFactory(municipality=city), office=office)
    request = RequestFactory().get(f"/api/v1/cases/{case.reference}/?x=1")
    request.user = clerk
    with CaptureQueriesContext(connection) as queries:
        record = access_record(request, AccessPath.API_CASE, case=case, desk=desk)
    assert len(queries.captured_queries) == 1
    stored = AccessRecord.objects.get(pk=record.pk)
    assert model_to_dict(stored) == model_to_dict(record)
    assert stored.at == record.at
    assert (stored.actor_id, stored.desk_id, stored.case_id) == (
        clerk.pk,
        desk.pk,
        case.pk,
    )
    assert stored.resident_id == case.resident_id
    assert stored.municipality_id == city.pk
    assert stored.url == f"/api/v1/cases/{case.reference}/?x=1"
    assert (stored.object_type, stored.object_id) == ("counter.case", str(case.pk))


def test_reading_a_case_through_the_api_logs_it(city, office, clerk: Any):
    case = f.CaseFactory(resident=f.ResidentFactory(municipality=city), office=office)
    api = APIClient()
    api.force_authenticate(clerk)
    assert api.get(f"/api/v1/cases/{case.reference}/").status_code == 200
    row = AccessRecord.objects.get(path=AccessPath.API_CASE)
    assert (row.case_id, row.actor_label) == (case.pk, clerk.get_username())
