"""Two clerks acting on the same case at once: exactly one succeeds, the other is
told ``case-busy`` or ``case-state-conflict`` — never a database error, never both,
never neither. Viewing a case never blocks or breaks a change to it."""

from __future__ import annotations

import threading
from functools import partial
from typing import Any

import pytest
from django.db import connection, transaction

from counter.audit import audit_record
from counter.errors import Conflict
from counter.letters.models import InquiryLetter
from counter.models import Case, CaseStatusChange
from counter.models.cases import CaseState
from counter.services.case_flow import case_lock
from counter.services.cases import case_cancel
from counter.services.visits import case_send_inquiry
from tests import factories as f

from .conftest import race

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 8
LOSING_CODES = {"case-busy", "case-state-conflict"}
AGENT = {
    "applicant_role": "voluntary_agent",
    "applicant_name": "代理 花子",
    "applicant_address": "神奈川県厚木市旭町1-1",
    "applicant_relation": "知人",
}


def _open_case(clerk: Any, desk: Any, city: Any, **fields: Any) -> Case:
    resident = f.ResidentFactory(municipality=city)
    return f.CaseFactory(
        resident=resident,
        card=f.CardFactory(resident=resident),
        clerk=clerk,
        desk=desk,
        **fields,
    )


def _winners_and_losers(results: list[Any]) -> tuple[list[Any], list[Any]]:
    winners = [r for r in results if isinstance(r, Case)]
    losers = [r for r in results if not isinstance(r, Case)]
    for loser in losers:
        assert isinstance(loser, Conflict), f"not a clerk's answer: {loser!r}"
        assert loser.code in LOSING_CODES
    return winners, losers


def test_two_clerks_cancelling_the_same_case_exactly_one_wins(
    reference_data, city, office, desk, clerk, other_clerk
):
    for _ in range(ROUNDS):
        case = _open_case(
            clerk, desk, city, procedure="cert_issue", certificate_kinds=["signing"]
        )
        results = race(
            partial(case_cancel, case=case, actor=clerk, desk=desk, reason="left"),
            partial(case_cancel, case=case, actor=other_clerk, desk=desk, reason="dup"),
        )
        winners, losers = _winners_and_losers(results)
        assert (len(winners), len(losers)) == (1, 1)
        assert (
            CaseStatusChange.objects.filter(case=case, transition="cancel").count() == 1
        )


def test_a_second_clerk_sending_the_same_inquiry_is_refused(
    reference_data, city, office, desk, clerk, other_clerk
):
    for _ in range(ROUNDS):
        case = _open_case(
            clerk,
            desk,
            city,
            procedure="cert_issue",
            certificate_kinds=["signing"],
            **AGENT,
            documents_checked=True,
        )
        results = race(
            partial(case_send_inquiry, case=case, actor=clerk, desk=desk),
            partial(case_send_inquiry, case=case, actor=other_clerk, desk=desk),
        )
        winners, losers = _winners_and_losers(results)
        assert (len(winners), len(losers)) == (1, 1)
        assert InquiryLetter.objects.filter(case=case).count() == 1


def test_one_after_the_other_the_second_clerks_inquiry_is_refused(
    reference_data, city, office, desk, clerk, other_clerk
):
    case = _open_case(
        clerk,
        desk,
        city,
        procedure="cert_issue",
        certificate_kinds=["signing"],
        **AGENT,
        documents_checked=True,
    )
    case_send_inquiry(case=case, actor=clerk, desk=desk)
    assert case_send_inquiry(case=case, actor=clerk, desk=desk).state == (
        CaseState.AWAITING_SECOND_VISIT
    )  # the same clerk's double submit is harmless
    with pytest.raises(Conflict) as exc:
        case_send_inquiry(case=case, actor=other_clerk, desk=desk)
    assert exc.value.code == "case-state-conflict"
    assert InquiryLetter.objects.filter(case=case).count() == 1


def test_the_same_clerk_double_submitting_wins_exactly_once(
    reference_data, city, office, desk, clerk
):
    for _ in range(ROUNDS):
        case = _open_case(
            clerk, desk, city, procedure="cert_issue", certificate_kinds=["signing"]
        )
        results = race(
            partial(case_cancel, case=case, actor=clerk, desk=desk, reason="left"),
            partial(case_cancel, case=case, actor=clerk, desk=desk, reason="left"),
        )
        for result in results:
            assert isinstance(result, Case | Conflict), repr(result)
        assert (
            CaseStatusChange.objects.filter(case=case, transition="cancel").count() == 1
        )


def test_a_view_in_progress_does_not_make_the_change_busy(
    reference_data, city, office, desk, clerk, other_clerk
):
    """The viewer's audit entry names the case (PostgreSQL may check that with a
    share lock on the row); the clerk's lock on the case is still granted."""
    case = _open_case(
        clerk, desk, city, procedure="cert_issue", certificate_kinds=["signing"]
    )
    viewed, done = threading.Event(), threading.Event()

    def viewer() -> None:
        try:
            with transaction.atomic():
                audit_record(
                    action="case_viewed", actor=other_clerk, case=case, obj=case
                )
                viewed.set()
                done.wait(2)  # a slow page: it commits on its own after 2 s
        finally:
            connection.close()

    thread = threading.Thread(target=viewer)
    thread.start()
    assert viewed.wait(10)
    try:
        cancelled = race(
            partial(case_cancel, case=case, actor=clerk, desk=desk, reason="left"),
            timeout=20,
        )
    finally:
        done.set()
        thread.join()
    assert isinstance(cancelled[0], Case), repr(cancelled[0])
    case.refresh_from_db()
    assert case.state == CaseState.CANCELLED


def test_a_clerk_holding_the_case_does_not_hold_up_a_view(
    reference_data, city, office, desk, clerk, other_clerk
):
    """``FOR NO KEY UPDATE``: the view's entry naming the case is written while
    another clerk holds the case, not after."""
    case = _open_case(
        clerk, desk, city, procedure="cert_issue", certificate_kinds=["signing"]
    )
    locked, done = threading.Event(), threading.Event()

    def holder() -> None:
        try:
            with transaction.atomic():
                case_lock(case.pk)
                locked.set()
                done.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=holder)
    thread.start()
    assert locked.wait(10)
    try:
        viewed = race(
            lambda: audit_record(
                action="case_viewed", actor=other_clerk, case=case, obj=case
            ),
            timeout=5,
        )
    finally:
        done.set()
        thread.join()
    assert not isinstance(viewed[0], BaseException), repr(viewed[0])
