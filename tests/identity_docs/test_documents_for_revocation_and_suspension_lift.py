"""Revocation and lifting a suspension: defaults chosen from
docs/rules/05-identity-documents.md §5.2, §9, §10.

The seed only says "bring the card" for revocation; the rest follows docs/rules and is
listed in docs/identity-documents.md.
"""

from __future__ import annotations

from datetime import date

import pytest

CARD = "my_number_card@holder"
ANSWER = "inquiry_answer_sheet@holder"

CASES = [
    (
        "seed-revoke holder: マイナンバーカードを持参",
        "cert_revoke",
        "holder",
        1,
        [CARD],
        {},
        True,
        [],
        [],
    ),
    (
        "§5.2 revoke holder [M-kure]: 住基 PIN unknown needs one A/B",
        "cert_revoke",
        "holder",
        1,
        [CARD],
        {"resident_pin_unknown": True},
        False,
        ["extra_id_resident_pin_unknown"],
        [],
    ),
    (
        "§6.1 revoke rep: card + 戸籍謄本 + rep's A",
        "cert_revoke",
        "legal_representative",
        1,
        [CARD, "family_register_extract@applicant", "passport@applicant"],
        {},
        True,
        [],
        [],
    ),
    (
        "§9 revoke agent visit 1 [M-kure]: card + agent's B×2",
        "cert_revoke",
        "voluntary_agent",
        1,
        [CARD, "student_id@applicant", "employee_id@applicant"],
        {},
        True,
        [],
        [],
    ),
    (
        "§9 revoke agent visit 2 [M-kure]: sealed answer + card + agent's A",
        "cert_revoke",
        "voluntary_agent",
        2,
        [ANSWER, CARD, "passport@applicant"],
        {},
        True,
        [],
        [],
    ),
    (
        "§9 revoke agent visit 2: no proof of inability asked (seed: PIN only)",
        "cert_revoke",
        "voluntary_agent",
        2,
        [ANSWER, CARD, "passport@applicant", "medical_certificate@holder"],
        {},
        True,
        [],
        [("medical_certificate", "not-accepted-for-procedure")],
    ),
    (
        "§10 lift holder: the found card",
        "suspension_lift",
        "holder",
        1,
        [CARD],
        {},
        True,
        [],
        [],
    ),
    (
        "§10 lift holder: nothing else stands in for the card",
        "suspension_lift",
        "holder",
        1,
        ["passport@holder"],
        {},
        False,
        ["card"],
        [("passport", "not-accepted-for-procedure")],
    ),
    (
        "§5.2 lift agent visit 2 [M-chikuhoku-lost]: sealed answer sheet",
        "suspension_lift",
        "voluntary_agent",
        2,
        [ANSWER, CARD, "passport@applicant"],
        {},
        True,
        [],
        [],
    ),
    (
        "§5.2 lift agent visit 2: opened envelope refused",
        "suspension_lift",
        "voluntary_agent",
        2,
        ["open:" + ANSWER, CARD, "passport@applicant"],
        {},
        False,
        ["answer_sheet"],
        [("inquiry_answer_sheet", "envelope-not-sealed")],
    ),
]


@pytest.mark.parametrize(
    (
        "procedure",
        "role",
        "visit",
        "documents",
        "facts",
        "satisfied",
        "missing",
        "rejected",
    ),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_revocation_and_lifting_documents(
    idocs, procedure, role, visit, documents, facts, satisfied, missing, rejected
):
    result = idocs.check(procedure, role, visit, documents, facts=facts)
    idocs.expect(result, satisfied, missing, rejected)


@pytest.mark.parametrize(
    ("issued_on", "satisfied", "rejected"),
    [
        pytest.param(
            date(2026, 9, 1), True, [], id="§5.2 registry certificate 3 months old"
        ),
        pytest.param(
            date(2026, 8, 25),
            False,
            [("guardianship_registry_certificate", "too-old")],
            id="§5.2 registry certificate older than 3 months",
        ),
        pytest.param(
            None,
            False,
            [("guardianship_registry_certificate", "issue-date-missing")],
            id="§5.2 issue date must be entered",
        ),
    ],
)
def test_lifting_by_a_guardian_needs_a_recent_registry_certificate(
    idocs, issued_on, satisfied, rejected
):
    result = idocs.check(
        "suspension_lift",
        "legal_representative",
        1,
        [
            CARD,
            idocs.doc(
                "guardianship_registry_certificate@applicant", issued_on=issued_on
            ),
            "passport@applicant",
        ],
        on_date=date(2026, 11, 26),
    )
    assert result.satisfied is satisfied
    assert [(r.code, r.reason) for r in result.rejected] == rejected
