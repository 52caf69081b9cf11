"""The admin's lists count without scanning a huge table (ADR 0029): a list that
fits on one page is counted exactly; a longer one gets PostgreSQL's estimate,
never below what was read."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from counter.admin_base import ScopedAdmin
from counter.list_counts import EstimatedCountPaginator
from counter.models import Resident
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_a_list_that_fits_one_page_is_counted_exactly(city: Any) -> None:
    f.ResidentFactory.create_batch(3, municipality=city)
    paginator = EstimatedCountPaginator(Resident.objects.order_by("pk"), 10)
    assert paginator.count == 3
    assert paginator.num_pages == 1


def test_a_longer_list_is_estimated_without_a_count(city: Any) -> None:
    f.ResidentFactory.create_batch(12, municipality=city)
    paginator = EstimatedCountPaginator(Resident.objects.order_by("pk"), 5)
    with CaptureQueriesContext(connection) as queries:
        count = paginator.count
    assert count >= 6
    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)
    assert len(paginator.page(2).object_list) == 5


def test_every_scoped_admin_list_uses_it(supervisor_client: Any) -> None:
    assert ScopedAdmin.paginator is EstimatedCountPaginator
    response = supervisor_client.get(reverse("admin:counter_auditevent_changelist"))
    assert response.status_code == 200
