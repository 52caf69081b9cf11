"""The console's daily counts take the city's day (JST), as a range of instants
the (municipality, created_at) index serves: a case opened at 23:30 counts on
that day, one opened at 00:10 on the next (issue 14)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from counter import selectors
from counter.models import Case
from counter.services.case_counts import case_counts_rebuild
from tests import factories as f

pytestmark = pytest.mark.django_db

JST = ZoneInfo("Asia/Tokyo")


def test_a_case_counts_on_the_citys_day_not_utcs(city, office, supervisor):
    late = f.CaseFactory(resident=f.ResidentFactory(municipality=city), office=office)
    early = f.CaseFactory(resident=f.ResidentFactory(municipality=city), office=office)
    Case.objects.filter(pk=late.pk).update(
        created_at=dt.datetime(2026, 11, 25, 23, 30, tzinfo=JST)
    )
    Case.objects.filter(pk=early.pk).update(
        created_at=dt.datetime(2026, 11, 26, 0, 10, tzinfo=JST)
    )
    case_counts_rebuild()  # rows moved around the services (ADR 0029)

    def opened(day_from: dt.date, day_to: dt.date) -> dict[dt.date, int]:
        rows = selectors.case_counts_daily(
            user=supervisor, day_from=day_from, day_to=day_to
        )
        return {r["day"]: r["opened"] for r in rows}

    assert opened(dt.date(2026, 11, 25), dt.date(2026, 11, 25)) == {
        dt.date(2026, 11, 25): 1
    }
    assert opened(dt.date(2026, 11, 26), dt.date(2026, 11, 26)) == {
        dt.date(2026, 11, 26): 1
    }
    assert opened(dt.date(2026, 11, 24), dt.date(2026, 11, 27)) == {
        dt.date(2026, 11, 25): 1,
        dt.date(2026, 11, 26): 1,
    }
