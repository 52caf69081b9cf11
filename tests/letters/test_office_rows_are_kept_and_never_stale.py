"""The row locks of a case and of a letter join only what changes with them; the
office, municipality and profile come from the process's copies while the stamp
the lock reads of those rows is the same (ADR 0028, addendum). A change by any
path, even one that sends no signal, is seen by the next lock; each lock gets
copies of its own; another city's rows are never attached.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from counter.letters import services
from counter.letters.models import InquiryLetter
from counter.letters.services.lifecycle import lock
from counter.models import Case, MunicipalProfile, Office
from counter.services.case_flow import case_lock
from counter.services.visits import case_send_inquiry
from tests import factories as f

pytestmark = pytest.mark.django_db


def _case(city: Any) -> Any:
    return f.agent_pin_change_case(city, f.clerk(city))


def _locked_case(case_id: int) -> Any:
    with transaction.atomic():
        return case_lock(case_id)


def _locked_letter(case: Any) -> InquiryLetter:
    with transaction.atomic():
        return lock(InquiryLetter.objects.get(case=case).pk)


def test_an_office_changed_without_a_signal_is_on_the_next_letter():
    city = f.MunicipalityFactory()
    first, second = _case(city), _case(city)
    user = f.clerk(city)
    case_send_inquiry(case=first, actor=user)
    assert _locked_letter(first).office.phone != "046-000-0000"

    # A bulk update sends no signal and keeps the row's id.
    Office.objects.filter(pk=first.office_id).update(phone="046-000-0000")
    case_send_inquiry(case=second, actor=user)
    letter = _locked_letter(second)
    assert letter.office.phone == "046-000-0000"
    assert services.office_info(letter.office).phone == "046-000-0000"
    assert _locked_case(second.pk).office.phone == "046-000-0000"


def test_a_profile_changed_without_a_signal_moves_the_next_deadline():
    city = f.MunicipalityFactory()
    before, after = _case(city), _case(city)
    user = f.clerk(city)
    case_send_inquiry(case=before, actor=user)
    days = city.profile.inquiry_deadline_days
    MunicipalProfile.objects.filter(pk=city.profile.pk).update(
        inquiry_deadline_days=days + 40
    )

    locked = _locked_case(after.pk)
    assert locked.municipality.profile.inquiry_deadline_days == days + 40
    case_send_inquiry(case=after, actor=user)
    after.refresh_from_db()
    before.refresh_from_db()
    assert after.second_visit_deadline is not None
    assert before.second_visit_deadline is not None
    assert after.second_visit_deadline >= before.second_visit_deadline + dt.timedelta(
        days=40
    )


def test_unchanged_office_rows_are_not_read_again():
    city = f.MunicipalityFactory()
    first, second = _case(city), _case(city)
    _locked_case(first.pk)  # the process has the city's rows
    with CaptureQueriesContext(connection) as queries:
        locked = _locked_case(second.pk)
    statements = [
        q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]
    ]
    assert len(statements) == 1, statements  # the lock alone
    # ... and what it attached is what the database holds.
    assert locked.office == Office.objects.get(pk=second.office_id)
    assert locked.office.municipality is locked.municipality
    assert locked.municipality.profile.municipality is locked.municipality
    assert locked.municipality.profile == MunicipalProfile.objects.get(
        municipality=city
    )


def test_each_lock_gets_its_own_copies():
    city = f.MunicipalityFactory()
    case = _case(city)
    first = _locked_case(case.pk)
    name = first.office.name
    first.office.name = "書き換え"
    first.municipality.profile.inquiry_deadline_days = 999
    again = _locked_case(case.pk)
    assert again.office.name == name
    assert again.municipality.profile.inquiry_deadline_days != 999


def test_another_citys_office_rows_never_appear():
    atsugi, ebina = f.MunicipalityFactory(), f.MunicipalityFactory()
    ours, theirs = _case(atsugi), _case(ebina)
    for _round in range(2):  # read, then kept
        mine, other = _locked_case(ours.pk), _locked_case(theirs.pk)
        assert mine.municipality.pk == atsugi.pk
        assert mine.office.municipality_id == atsugi.pk
        assert mine.municipality.profile.municipality_id == atsugi.pk
        assert other.municipality.pk == ebina.pk
        assert other.office.municipality_id == ebina.pk
        assert mine.municipality.name != other.municipality.name


def test_the_inquiry_step_stores_every_column_it_changes():
    """The step saves only its own columns: none it changes may be left out."""
    city = f.MunicipalityFactory()
    case = _case(city)
    sent = case_send_inquiry(case=case, actor=f.clerk(city))
    stored = Case.objects.get(pk=case.pk)
    for field in Case._meta.concrete_fields:
        assert getattr(stored, field.attname) == getattr(sent, field.attname), (
            field.name
        )
    assert stored.letter_reference and stored.second_visit_deadline


def test_the_compiled_lock_builds_the_rows_the_orm_builds():
    city = f.MunicipalityFactory()
    case = _case(city)
    for _round in range(2):  # compiled, then kept
        locked = _locked_case(case.pk)
        fresh = Case.objects.select_related("resident", "card").get(pk=case.pk)
        for obj, orm in (
            (locked, fresh),
            (locked.resident, fresh.resident),
            (locked.card, fresh.card),
        ):
            assert type(orm)._meta.concrete_fields
            for field in type(orm)._meta.concrete_fields:
                assert getattr(obj, field.attname) == getattr(orm, field.attname), (
                    field.name
                )
            assert not obj._state.adding and obj._state.db == "default"


def test_a_missing_case_is_not_found():
    from counter.errors import NotFound

    with pytest.raises(NotFound):
        _locked_case(-1)


def test_a_letter_and_its_first_history_row_are_written_together():
    """One statement writes both; a refused second request writes neither."""
    from counter.errors import Conflict
    from counter.letters.models import LetterStatusChange

    city = f.MunicipalityFactory()
    case = _case(city)
    user = f.clerk(city)
    deadline = timezone.localdate() + dt.timedelta(days=30)
    with transaction.atomic():
        letter = services.letter_request(
            case=_locked_case(case.pk), deadline=deadline, actor=user
        )
    rows = list(LetterStatusChange.objects.filter(letter=letter))
    assert [(r.from_state, r.to_state, r.actor_id) for r in rows] == [
        ("", "queued", user.pk)
    ]
    assert rows[0].at is not None and rows[0].actor_label == "" and rows[0].code == ""

    with pytest.raises(Conflict):
        services.letter_request(case=_locked_case(case.pk), deadline=deadline)
    assert InquiryLetter.objects.filter(case=case).count() == 1
    assert LetterStatusChange.objects.filter(letter__case=case).count() == 1
