"""PIN change (暗証番号の変更) in the seed city.

Seed: Atsugi's page, 暗証番号の変更 1–3 and 手続きの際にお持ちいただくもの;
docs/rules/seed.md "Seed table" (PIN change row, voluntary agent row), §6.2.
"""

from __future__ import annotations

import pytest

CARD = "my_number_card@holder"
ANSWER = "inquiry_answer_sheet@holder"

CASES = [
    ("seed-change-1 holder: own card", "holder", 1, [CARD], {}, True, [], []),
    (
        "seed-change-1 holder: no card, no change",
        "holder",
        1,
        ["passport@holder"],
        {},
        False,
        ["card"],
        [("passport", "not-accepted-for-procedure")],
    ),
    (
        "seed-change-2 rep: card + 戸籍謄本 + rep's A×1",
        "legal_representative",
        1,
        [CARD, "family_register_extract@applicant", "driving_licence@applicant"],
        {},
        True,
        [],
        [],
    ),
    (
        "seed-change-2 rep: card + 成年後見登記事項証明書 + rep's B×2",
        "legal_representative",
        1,
        [
            CARD,
            "guardianship_registry_certificate@applicant",
            "pension_certificate@applicant",
            "bank_passbook@applicant",
        ],
        {},
        True,
        [],
        [],
    ),
    (
        "seed-change-2 rep: 戸籍謄本 not needed when confirmable in the city",
        "legal_representative",
        1,
        [CARD, "driving_licence@applicant"],
        {"authority_confirmed_in_records": True},
        True,
        [],
        [],
    ),
    (
        "seed-change-2 rep: rep's B×1 is not enough",
        "legal_representative",
        1,
        [CARD, "family_register_extract@applicant", "bank_passbook@applicant"],
        {},
        False,
        ["representative_id"],
        [],
    ),
    (
        "seed-change-2 rep: a copy of the 戸籍謄本 is refused",
        "legal_representative",
        1,
        [CARD, "copy:family_register_extract@applicant", "driving_licence@applicant"],
        {},
        False,
        ["proof_of_authority"],
        [("family_register_extract", "copy-not-accepted")],
    ),
    (
        "seed-change-3 agent visit 1: card + agent's A×1",
        "voluntary_agent",
        1,
        [CARD, "residence_card@applicant"],
        {},
        True,
        [],
        [],
    ),
    (
        "seed-change-3 agent visit 1: card + agent's B×2",
        "voluntary_agent",
        1,
        [CARD, "student_id@applicant", "utility_receipt@applicant"],
        {},
        True,
        [],
        [],
    ),
    (
        "seed-change-3 agent visit 1: without A×1 or B×2 one cannot be an agent",
        "voluntary_agent",
        1,
        [CARD, "student_id@applicant"],
        {},
        False,
        ["agent_id"],
        [],
    ),
    (
        "seed-change-3 agent visit 2: 照会書 + card + agent's A + 障害者手帳",
        "voluntary_agent",
        2,
        [ANSWER, CARD, "residence_card@applicant", "disability_handbook@holder"],
        {},
        True,
        [],
        [],
    ),
    (
        "seed-change-3 agent visit 2: 介護保険被保険者証 (要介護) proves inability",
        "voluntary_agent",
        2,
        [ANSWER, CARD, "residence_card@applicant", "long_term_care_certificate@holder"],
        {},
        True,
        [],
        [],
    ),
    (
        "seed-change-3 agent visit 2: busy with work or school is refused",
        "voluntary_agent",
        2,
        [ANSWER, CARD, "residence_card@applicant", "busy_with_work_or_school@holder"],
        {},
        False,
        ["proof_of_inability"],
        [("busy_with_work_or_school", "reason-not-accepted")],
    ),
    (
        "seed-change-3 agent visit 2: without the 照会書 nothing is done",
        "voluntary_agent",
        2,
        [CARD, "residence_card@applicant", "medical_certificate@holder"],
        {},
        False,
        ["answer_sheet"],
        [],
    ),
]


@pytest.mark.parametrize(
    ("role", "visit", "documents", "facts", "satisfied", "missing", "rejected"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_pin_change_documents_in_the_seed_city(
    idocs, role, visit, documents, facts, satisfied, missing, rejected
):
    result = idocs.check("pin_change", role, visit, documents, facts=facts)
    idocs.expect(result, satisfied, missing, rejected)
