"""The console's counts of past days come from the daily summary the case
services keep (ADR 0029); they must be exactly what counting the cases gives,
over several days, across the city's midnight (a case opened at 08:45 JST is
still the previous day in UTC) and for a case completed the day after it was
opened (it counts as completed on the day it was opened)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from counter import selectors
from counter.models import Case, CaseDayCount
from counter.selectors.console import case_counts_live
from counter.services.case_counts import case_counts_rebuild
from counter.services.cases import case_complete, case_record_documents
from tests import factories as f

from .conftest import holder_card, holder_doc
from .helpers import run_card_work

pytestmark = pytest.mark.django_db

DAYS = (dt.date(2026, 11, 16), dt.date(2026, 11, 26))


def _open(counter_case, city):
    resident = f.ResidentFactory(municipality=city)
    card = f.CardFactory(resident=resident)
    f.CertificateFactory(card=card)
    return counter_case(
        procedure="pin_reset", pin_kinds=["signing"], resident=resident, card=card
    )


def _finish(case, clerk, desk, agent):
    case, _ = case_record_documents(
        case=case,
        actor=clerk,
        desk=desk,
        documents=[holder_card(), holder_doc("driving_licence")],
    )
    case = run_card_work(case, clerk, desk, agent)
    return case_complete(case=case, actor=clerk, desk=desk)


@pytest.fixture
def week(open_counter, city, clerk, desk, agent, counter_case):
    """Cases over four counter days (11-23 is a holiday), each opened and moved
    through the services."""
    open_counter.move_to("2026-11-20 08:45:00+09:00")  # 11-19 23:45 UTC
    early = _open(counter_case, city)
    open_counter.move_to("2026-11-20 16:50:00+09:00")
    late = _open(counter_case, city)
    _finish(early, clerk, desk, agent)
    open_counter.move_to("2026-11-24 09:10:00+09:00")
    _finish(late, clerk, desk, agent)  # completed on a later day
    _open(counter_case, city)  # left open
    open_counter.move_to("2026-11-25 11:00:00+09:00")
    _finish(_open(counter_case, city), clerk, desk, agent)
    _open(counter_case, city)
    open_counter.move_to("2026-11-26 10:00:00+09:00")  # today
    _finish(_open(counter_case, city), clerk, desk, agent)
    _open(counter_case, city)


def test_the_summary_gives_the_counts_the_cases_give(week, supervisor):
    counted = case_counts_live(user=supervisor, day_from=DAYS[0], day_to=DAYS[1])
    summed = selectors.case_counts_daily(
        user=supervisor, day_from=DAYS[0], day_to=DAYS[1]
    )
    assert summed == counted
    assert [(r["day"].day, r["opened"], r["completed"]) for r in summed] == [
        (20, 2, 2),
        (24, 1, 0),
        (25, 2, 1),
        (26, 2, 1),
    ]


def test_rebuilding_from_the_cases_writes_what_the_services_kept(week, supervisor):
    def kept() -> list[tuple]:
        return list(
            CaseDayCount.objects.order_by("day", "office", "procedure").values_list(
                "municipality", "office", "day", "procedure", "opened", "completed"
            )
        )

    before = kept()
    assert len(before) == 4
    assert case_counts_rebuild() == 4
    assert kept() == before
    assert case_counts_rebuild(day_from=dt.date(2026, 11, 24)) == 3
    assert kept() == before


def test_a_bulk_loaded_day_counts_once_rebuilt(week, city, office, supervisor):
    """Rows written around the services (a migration, a bulk load) are counted
    after ``case_counts_rebuild``, as the bench and a restored database do."""
    f.CaseFactory(resident=f.ResidentFactory(municipality=city), office=office)
    Case.objects.filter(reference__startswith="CTEST").update(
        created_at=dt.datetime.fromisoformat("2026-11-19 12:00:00+09:00")
    )
    case_counts_rebuild(day_from=DAYS[0], day_to=dt.date(2026, 11, 25))
    summed = selectors.case_counts_daily(
        user=supervisor, day_from=DAYS[0], day_to=DAYS[1]
    )
    assert summed == case_counts_live(user=supervisor, day_from=DAYS[0], day_to=DAYS[1])
    assert summed[0]["day"] == dt.date(2026, 11, 19)


def test_other_cities_do_not_see_the_counts(week):
    other = f.supervisor(f.MunicipalityFactory())
    assert (
        selectors.case_counts_daily(user=other, day_from=DAYS[0], day_to=DAYS[1]) == []
    )


def test_a_year_of_counts_is_two_queries(week, supervisor, django_assert_num_queries):
    """The summary's days, then today's cases: whatever the number of days."""
    year = {"user": supervisor, "day_from": dt.date(2025, 11, 26), "day_to": DAYS[1]}
    selectors.case_counts_daily(**year)  # the supervisor's scope, loaded once
    with django_assert_num_queries(2):
        selectors.case_counts_daily(**year)


def test_the_command_rebuilds_one_citys_days(week, city, supervisor):
    before = selectors.case_counts_daily(
        user=supervisor, day_from=DAYS[0], day_to=DAYS[1]
    )
    CaseDayCount.objects.all().delete()
    out = io.StringIO()
    call_command("case_counts_rebuild", "--municipality", city.code, stdout=out)
    assert out.getvalue().startswith("4 ")
    after = selectors.case_counts_daily(
        user=supervisor, day_from=DAYS[0], day_to=DAYS[1]
    )
    assert after == before
    with pytest.raises(CommandError):
        call_command("case_counts_rebuild", "--municipality", "999999")
