"""Rules about a single document, whatever the procedure (seed: 本人確認書類一覧;
docs/rules/05-identity-documents.md §5.1): originals only, expiry, the 運転経歴証明書
cut-off date."""

from __future__ import annotations

from datetime import date

import pytest

from identity_docs.evaluator import DocumentKind, add_months

CARD = "my_number_card@holder"


@pytest.mark.parametrize(
    ("issued_on", "satisfied", "reason"),
    [
        pytest.param(
            date(2012, 4, 1), True, None, id="seed 運転経歴証明書 issued 2012-04-01"
        ),
        pytest.param(
            date(2020, 6, 1), True, None, id="seed 運転経歴証明書 issued later"
        ),
        pytest.param(
            date(2012, 3, 31),
            False,
            "issued-before-cutoff",
            id="seed 運転経歴証明書 issued 2012-03-31 is refused",
        ),
        pytest.param(
            None,
            False,
            "issue-date-missing",
            id="seed 運転経歴証明書 needs its issue date entered",
        ),
    ],
)
def test_driving_history_certificate_counts_only_from_april_2012(
    idocs, issued_on, satisfied, reason
):
    result = idocs.check(
        "pin_reset",
        "holder",
        1,
        [CARD, idocs.doc("driving_history_certificate@holder", issued_on=issued_on)],
    )
    assert result.satisfied is satisfied
    assert [r.reason for r in result.rejected] == ([reason] if reason else [])


@pytest.mark.parametrize(
    ("expires_on", "satisfied"),
    [
        pytest.param(date(2026, 11, 26), True, id="§5.1 expires today: still counts"),
        pytest.param(date(2026, 11, 25), False, id="§5.1 expired yesterday: refused"),
    ],
)
def test_documents_count_only_until_their_expiry(idocs, expires_on, satisfied):
    result = idocs.check(
        "pin_reset",
        "holder",
        1,
        [CARD, idocs.doc("passport@holder", expires_on=expires_on)],
    )
    assert result.satisfied is satisfied
    if not satisfied:
        assert [(r.code, r.reason) for r in result.rejected] == [
            ("passport", "expired")
        ]


def test_a_document_issued_after_the_visit_is_refused(idocs):
    result = idocs.check(
        "pin_reset",
        "holder",
        1,
        [CARD, idocs.doc("passport@holder", issued_on=date(2027, 1, 1))],
    )
    assert [r.reason for r in result.rejected] == ["issued-in-future"]


def test_an_unknown_code_is_rejected_not_counted(idocs):
    result = idocs.check("pin_change", "holder", 1, [CARD, "library_card@holder"])
    assert result.satisfied
    assert [(r.code, r.reason) for r in result.rejected] == [
        ("library_card", "unknown-document")
    ]


def test_a_kind_switched_off_by_the_supervisor_never_counts(idocs):
    catalogue = idocs.seed_catalogue()
    catalogue["passport"] = DocumentKind(
        **{**catalogue["passport"].__dict__, "active": False}
    )
    result = idocs.check(
        "pin_reset", "holder", 1, [CARD, "passport@holder"], catalogue=catalogue
    )
    assert not result.satisfied
    assert [r.reason for r in result.rejected] == ["not-accepted-here"]


def test_an_expiry_date_the_supervisor_requires_must_be_entered(idocs):
    catalogue = idocs.seed_catalogue()
    catalogue["passport"] = DocumentKind(
        **{**catalogue["passport"].__dict__, "expiry_required": True}
    )
    without = idocs.check(
        "pin_reset", "holder", 1, [CARD, "passport@holder"], catalogue=catalogue
    )
    with_date = idocs.check(
        "pin_reset",
        "holder",
        1,
        [CARD, idocs.doc("passport@holder", expires_on=date(2030, 1, 1))],
        catalogue=catalogue,
    )
    assert [r.reason for r in without.rejected] == ["expiry-date-missing"]
    assert with_date.satisfied


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2026, 8, 26), 3, date(2026, 11, 26)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
    ],
)
def test_adding_months_clamps_to_the_end_of_the_month(day, months, expected):
    assert add_months(day, months) == expected
