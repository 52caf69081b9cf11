"""The admin's searches (ADR 0031): a reference finds its row exactly, a name
or kana finds the rows of the residents it names as reception does, nothing
crosses to another city, and the number of queries does not grow with the data.
Django's own search (icontains over every field, joined tables included) read a
million cases for one reference (bench/scale.py: 3.9 s)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from counter.audit import audit_record
from counter.letters import services as letters
from counter.models import AccessPath, AccessRecord, Case
from counter.selectors import SEARCH_MATCHES_CAP
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def console(supervisor: Any) -> Client:
    client = Client()
    client.force_login(supervisor)
    return client


def _listed(console: Client, model: str, term: str) -> list[Any]:
    response = console.get(f"/admin/counter/{model}/", {"q": term})
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def _case(city: Any, name: str, kana: str) -> Case:
    resident = f.ResidentFactory(municipality=city, name=name, name_kana=kana)
    return f.CaseFactory(resident=resident)


def test_a_case_reference_finds_that_case_only(console, city):
    wanted = _case(city, "鈴木 一郎", "スズキ イチロウ")
    _case(city, "鈴木 二郎", "スズキ ジロウ")
    assert _listed(console, "case", wanted.reference) == [wanted]


def test_a_name_or_its_kana_finds_the_residents_cases(console, city):
    suzuki = _case(city, "鈴木 一郎", "スズキ イチロウ")
    _case(city, "田中 花子", "タナカ ハナコ")
    assert _listed(console, "case", "鈴木") == [suzuki]
    assert _listed(console, "case", "すずきいちろう") == [suzuki]
    assert [r.pk for r in _listed(console, "resident", "ｽｽﾞｷ")] == [suzuki.resident_id]


def test_another_citys_reference_and_names_are_not_found(console, city):
    other = f.MunicipalityFactory(code="112151", name="狭山市")
    theirs = _case(other, "鈴木 三郎", "スズキ サブロウ")
    assert _listed(console, "case", theirs.reference) == []
    assert _listed(console, "case", "鈴木") == []
    assert _listed(console, "resident", "スズキ") == []


def test_a_letter_is_found_by_its_reference_its_cases_and_its_residents_name(
    console, city
):
    case = _case(city, "見本 花子", "ミホン ハナコ")
    # A voluntary agent's case at the end of visit 1 (§6.2), as a letter needs.
    Case.objects.filter(pk=case.pk).update(
        procedure="pin_change",
        applicant_role="voluntary_agent",
        applicant_name="代理 太郎",
        state="documents_checked",
    )
    case.refresh_from_db()
    _case(city, "鈴木 一郎", "スズキ イチロウ")
    letter = letters.letter_request(case=case, deadline=dt.date(2026, 12, 26))
    for term in (letter.reference, case.reference, "見本", "みほん"):
        assert _listed(console, "inquiryletter", term) == [letter], term


def test_the_audit_trail_is_searched_by_action_code_or_case_reference(console, city):
    wanted = _case(city, "鈴木 一郎", "スズキ イチロウ")
    other = _case(city, "田中 花子", "タナカ ハナコ")
    for case in (wanted, other):
        audit_record(action="case_opened", case=case)
        audit_record(action="case_record_documents", case=case)
    by_case = _listed(console, "auditevent", wanted.reference)
    assert by_case and {e.case_id for e in by_case} == {wanted.pk}
    by_action = _listed(console, "auditevent", "case_opened")
    assert by_action and {e.action for e in by_action} == {"case_opened"}


def test_past_the_cap_the_supervisor_is_asked_to_narrow_the_search(console, city):
    f.ResidentFactory.create_batch(
        SEARCH_MATCHES_CAP + 1, municipality=city, name="佐藤 某", name_kana="サトウ"
    )
    response = console.get("/admin/counter/resident/", {"q": "佐藤"})
    assert len(response.context["cl"].result_list) <= SEARCH_MATCHES_CAP
    assert any("200" in str(m) for m in get_messages(response.wsgi_request))


@pytest.mark.parametrize(("model", "term"), [("case", "鈴木"), ("auditevent", "x")])
def test_a_search_costs_the_same_queries_for_one_row_as_for_many(
    console, city, model, term
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            console.get(f"/admin/counter/{model}/", {"q": term})
        return len(captured)

    _case(city, "鈴木 一郎", "スズキ イチロウ")
    queries()  # the session's and the permissions' caches filled
    few = queries()
    for n in range(15):
        _case(city, f"鈴木 {n}郎", "スズキ")
    assert queries() == few


def test_a_searched_list_logs_the_residents_it_shows_and_a_plain_list_does_not(
    console, city, supervisor
):
    """Searching chose whom the list shows: a read of each resident on the page
    (docs/security/audit-trail.md, "What is a read"); the unsearched list is the
    admin's table of rows, not a look at a person."""
    suzuki = _case(city, "鈴木 一郎", "スズキ イチロウ")
    _case(city, "田中 花子", "タナカ ハナコ")
    console.get("/admin/counter/case/")
    assert not AccessRecord.objects.exists()

    _listed(console, "case", "鈴木")
    _listed(console, "resident", suzuki.reference)  # a case reference: no resident
    entry = AccessRecord.objects.get()
    assert entry.path == AccessPath.ADMIN_SEARCH and entry.actor_id == supervisor.pk
    assert (entry.resident_id, entry.case_id) == (suzuki.resident_id, suzuki.pk)

    _listed(console, "resident", "すずき")
    assert AccessRecord.objects.filter(
        path=AccessPath.ADMIN_SEARCH, resident_id=suzuki.resident_id, case=None
    ).exists()
