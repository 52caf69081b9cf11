"""What the clerk screens and the supervisor console read: scoped to the user's
office or municipality, and each list in a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from counter import selectors
from counter.models import Case
from counter.models.cases import CaseState
from counter.scoping import scope_for
from tests import factories as f

from .conftest import holder_card, holder_doc
from .helpers import show

pytestmark = pytest.mark.django_db


def test_today_queue_shows_own_office_only(
    city, office, clerk, desk, resident, card, counter_case
):
    branch = f.OfficeFactory(municipality=city)
    mine = counter_case(procedure="pin_reset", pin_kinds=["signing"])
    f.CaseFactory(resident=f.ResidentFactory(municipality=city), office=branch)
    assert list(selectors.cases_today_queue(user=clerk)) == [mine]


def test_queue_costs_the_same_two_queries_whatever_its_length(city, office, clerk):
    scope_for(clerk)  # the user's scope and permissions are read once per request
    for length in (5, 10):
        while Case.objects.count() < length:
            f.CaseFactory(resident=f.ResidentFactory(municipality=city), office=office)
        # The open cases of earlier days touched today, then the page.
        with CaptureQueriesContext(connection) as queries:
            rows = [
                (c.resident.name, c.card.expires_on, c.office.name)
                for c in selectors.cases_today_queue(user=clerk)
            ]
        assert len(rows) == length and len(queries) == 2


@pytest.mark.parametrize(
    "query",
    [
        "厚木 太郎",
        "厚木太郎",
        "アツギ",
        "あつぎ",
        "ｱﾂｷﾞ",
        "アツギタロウ",
        "あつぎ　たろう",
    ],
)
def test_resident_search_by_name_or_kana(city, clerk, query):
    person = f.ResidentFactory(
        municipality=city, name="厚木 太郎", name_kana="アツギ タロウ"
    )
    f.ResidentFactory(municipality=city, name="海老名 次郎", name_kana="エビナ ジロウ")
    f.ResidentFactory(name="厚木 太郎", name_kana="アツギ タロウ")  # another city
    assert list(selectors.residents_search(user=clerk, query=query)) == [person]


@pytest.mark.parametrize(
    ("registered", "kana", "query"),
    [
        ("田中 誠", "タナカ マコト", "タナカマコト"),
        ("田中 誠", "タナカ マコト", "田中誠"),
        ("田中\u3000誠", "タナカ\u3000マコト", "田中誠"),
        ("田中\u3000誠", "タナカ\u3000マコト", "たなかまこと"),
        ("田中誠", "タナカマコト", "田中 誠"),
        ("田中誠", "タナカマコト", "田中\u3000誠"),
        ("田中誠", "タナカマコト", "タナカ  マコト"),
        ("田中  誠", "タナカ マコト", "田中 誠"),
    ],
)
def test_resident_search_ignores_spaces_on_both_sides(
    city, clerk, registered, kana, query
):
    """Reception finds the person however the spaces were typed, in the register or
    at the counter (ASCII and full-width), in one query."""
    person = f.ResidentFactory(municipality=city, name=registered, name_kana=kana)
    f.ResidentFactory(municipality=city, name="田中 真", name_kana="タナカ シン")
    f.ResidentFactory(municipality=city, name="中田 誠", name_kana="ナカタ マコト")
    scope_for(clerk)  # read once per request
    with CaptureQueriesContext(connection) as queries:
        found = [r.pk for r in selectors.residents_search(user=clerk, query=query)]
    assert found == [person.pk]
    assert len(queries) == 2  # the residents, then their cards (prefetch)


def test_resident_search_by_birth_date(city, clerk):
    person = f.ResidentFactory(municipality=city, birth_date=dt.date(1950, 3, 1))
    f.ResidentFactory(municipality=city, birth_date=dt.date(1950, 3, 2))
    found = selectors.residents_search(user=clerk, birth_date=dt.date(1950, 3, 1))
    assert list(found) == [person]
    assert list(selectors.residents_search(user=clerk)) == []


def test_case_detail_loads_its_history_in_a_fixed_number_of_queries(
    resident, card, office, clerk, desk, counter_case
):
    case = counter_case(procedure="pin_reset", pin_kinds=["signing"])
    show(case, clerk, desk, holder_card(), holder_doc("passport"))
    with CaptureQueriesContext(connection) as queries:
        detail = selectors.case_detail(user=clerk, reference=case.reference)
        history = [
            (h.transition, h.actor and h.actor.username) for h in detail.history.all()
        ]
        list(detail.card.certificates.all())
        list(detail.card_operations.all())
        list(detail.evidence.all())
    assert [t for t, _ in history] == ["open", "record_documents"]
    assert len(queries) <= 8


def test_supervisor_lists(city, office, clerk, supervisor, open_counter):
    waiting = f.CaseFactory(
        resident=f.ResidentFactory(municipality=city),
        office=office,
        state=CaseState.AWAITING_APPROVAL,
    )
    overdue = f.CaseFactory(
        resident=f.ResidentFactory(municipality=city),
        office=office,
        state=CaseState.AWAITING_SECOND_VISIT,
        second_visit_deadline=dt.date(2026, 11, 1),
    )
    f.CaseFactory(
        resident=f.ResidentFactory(municipality=city),
        office=office,
        state=CaseState.AWAITING_SECOND_VISIT,
        second_visit_deadline=dt.date(2026, 12, 24),
    )
    assert list(selectors.cases_awaiting_approval(user=supervisor)) == [waiting]
    assert list(selectors.cases_overdue_second_visit(user=supervisor)) == [overdue]
    counts = selectors.case_counts_daily(
        user=supervisor, day_from=dt.date(2026, 11, 26), day_to=dt.date(2026, 11, 26)
    )
    assert counts == [
        {
            "day": dt.date(2026, 11, 26),
            "procedure": "pin_reset",
            "office__code": "honcho",
            "office__name": office.name,
            "opened": 3,
            "completed": 0,
        }
    ]
    other_city_supervisor = f.supervisor(f.MunicipalityFactory())
    assert not selectors.cases_awaiting_approval(user=other_city_supervisor).exists()


def test_failed_card_operations_are_listed(
    resident, card, office, clerk, desk, agent, supervisor, counter_case
):
    from counter.services.cases import case_request_card_operation

    case = counter_case(
        procedure="pin_reset",
        pin_kinds=["signing"],
        shown=[holder_card(), holder_doc("passport")],
    )
    op = case_request_card_operation(
        case=case, actor=clerk, desk=desk, idempotency_key="f"
    )
    agent.fail(op, "card-removed")
    assert [o.pk for o in selectors.card_operations_failed(user=supervisor)] == [op.pk]
