"""PIN reset (暗証番号の再設定): which documents let it go ahead in the seed city.

Seed: Atsugi's page, 暗証番号の再設定 1–3; docs/rules/seed.md "Seed table" (PIN reset
row,
voluntary agent row) and §5.2, §6.2.
"""

from __future__ import annotations

import pytest

CARD = "my_number_card@holder"
ANSWER = "inquiry_answer_sheet@holder"

CASES = [
    # id, role, visit, documents, facts, satisfied, missing rules, rejected
    (
        "seed-reset-1 holder: card + passport (A)",
        "holder",
        1,
        [CARD, "passport@holder"],
        {},
        True,
        [],
        [],
    ),
    (
        "seed-reset-1 holder: card + driving licence (A)",
        "holder",
        1,
        [CARD, "driving_licence@holder"],
        {},
        True,
        [],
        [],
    ),
    (
        "seed-reset-1 holder: card + health insurance card (B×1 is enough)",
        "holder",
        1,
        [CARD, "insurance_qualification_certificate@holder"],
        {},
        True,
        [],
        [],
    ),
    (
        "seed-reset-1 holder: card + student ID (B)",
        "holder",
        1,
        [CARD, "student_id@holder"],
        {},
        True,
        [],
        [],
    ),
    (
        "seed-reset-1 holder: card alone is refused",
        "holder",
        1,
        [CARD],
        {},
        False,
        ["holder_other_id"],
        [],
    ),
    (
        "seed-reset-1 holder: the card never counts as the other document",
        "holder",
        1,
        [CARD, CARD],
        {},
        False,
        ["holder_other_id"],
        [("my_number_card", "card-not-other-document")],
    ),
    (
        "seed-reset-1 holder: passport without the card is refused",
        "holder",
        1,
        ["passport@holder"],
        {},
        False,
        ["card"],
        [],
    ),
    (
        "seed-reset-1 holder: a photocopy of the passport does not count (原本に限る)",
        "holder",
        1,
        [CARD, "copy:passport@holder"],
        {},
        False,
        ["holder_other_id"],
        [("passport", "copy-not-accepted")],
    ),
    (
        "seed-reset-1 holder: 'applicant' documents are the holder's own",
        "holder",
        1,
        [CARD, "passport@applicant"],
        {},
        True,
        [],
        [],
    ),
    (
        "seed-reset-2 rep: card + holder's B + 戸籍謄本 + rep's A×2",
        "legal_representative",
        1,
        [
            CARD,
            "insurance_qualification_certificate@holder",
            "family_register_extract@applicant",
            "passport@applicant",
            "driving_licence@applicant",
        ],
        {},
        True,
        [],
        [],
    ),
    (
        "seed-reset-2 rep: card + holder's A + 戸籍謄本 + rep's A×1+B×1",
        "legal_representative",
        1,
        [
            CARD,
            "passport@holder",
            "family_register_extract@applicant",
            "driving_licence@applicant",
            "pension_certificate@applicant",
        ],
        {},
        True,
        [],
        [],
    ),
    (
        "seed-reset-2 rep: proof of authority waived when confirmable in the city",
        "legal_representative",
        1,
        [
            CARD,
            "passport@holder",
            "driving_licence@applicant",
            "residence_card@applicant",
        ],
        {"authority_confirmed_in_records": True},
        True,
        [],
        [],
    ),
    (
        "seed-reset-2 rep: no proof of authority and not confirmable is refused",
        "legal_representative",
        1,
        [
            CARD,
            "passport@holder",
            "driving_licence@applicant",
            "residence_card@applicant",
        ],
        {},
        False,
        ["proof_of_authority"],
        [],
    ),
    (
        "seed-reset-2 rep: rep's A×1 alone is refused (needs A×2 or A+B)",
        "legal_representative",
        1,
        [
            CARD,
            "passport@holder",
            "family_register_extract@applicant",
            "driving_licence@applicant",
        ],
        {},
        False,
        ["representative_id"],
        [],
    ),
    (
        "seed-reset-2 rep: rep's B×2 is refused for a reset",
        "legal_representative",
        1,
        [
            CARD,
            "passport@holder",
            "family_register_extract@applicant",
            "student_id@applicant",
            "pension_certificate@applicant",
        ],
        {},
        False,
        ["representative_id"],
        [("student_id", "combination-not-allowed")],
    ),
    (
        "seed-reset-2 rep: the holder's own A/B other than the card is required",
        "legal_representative",
        1,
        [
            CARD,
            "family_register_extract@applicant",
            "passport@applicant",
            "driving_licence@applicant",
        ],
        {},
        False,
        ["holder_other_id"],
        [],
    ),
    (
        "seed-reset-2 rep: the rep's documents do not stand in for the holder's",
        "legal_representative",
        1,
        [
            CARD,
            "family_register_extract@applicant",
            "passport@applicant",
            "driving_licence@applicant",
            "student_id@applicant",
        ],
        {},
        False,
        ["holder_other_id"],
        [("student_id", "wrong-owner")],
    ),
    (
        "seed-reset-3 agent visit 1: card + agent's A×1",
        "voluntary_agent",
        1,
        [CARD, "driving_licence@applicant"],
        {},
        True,
        [],
        [],
    ),
    (
        "seed-reset-3 agent visit 1: card + agent's B×2",
        "voluntary_agent",
        1,
        [
            CARD,
            "insurance_qualification_certificate@applicant",
            "employee_id@applicant",
        ],
        {},
        True,
        [],
        [],
    ),
    (
        "seed-reset-3 agent visit 1: agent with B×1 only cannot be an agent",
        "voluntary_agent",
        1,
        [CARD, "employee_id@applicant"],
        {},
        False,
        ["agent_id"],
        [],
    ),
    (
        "seed-reset-3 agent visit 1: the holder's documents are not the agent's",
        "voluntary_agent",
        1,
        [CARD, "passport@holder"],
        {},
        False,
        ["agent_id"],
        [("passport", "wrong-owner")],
    ),
    (
        "seed-reset-3 agent visit 2: sealed 照会書 + card + agent's A + 診断書",
        "voluntary_agent",
        2,
        [ANSWER, CARD, "passport@applicant", "medical_certificate@holder"],
        {},
        True,
        [],
        [],
    ),
    (
        "seed-reset-3 agent visit 2: 施設の入所証明書 proves the holder cannot come",
        "voluntary_agent",
        2,
        [ANSWER, CARD, "passport@applicant", "facility_residence_certificate@holder"],
        {},
        True,
        [],
        [],
    ),
    (
        "seed-reset-3 agent visit 2: busy with work or school is not accepted",
        "voluntary_agent",
        2,
        [ANSWER, CARD, "passport@applicant", "busy_with_work_or_school@holder"],
        {},
        False,
        ["proof_of_inability"],
        [("busy_with_work_or_school", "reason-not-accepted")],
    ),
    (
        "seed-reset-3 agent visit 2: without proof the holder cannot come is refused",
        "voluntary_agent",
        2,
        [ANSWER, CARD, "passport@applicant"],
        {},
        False,
        ["proof_of_inability"],
        [],
    ),
    (
        "seed-reset-3 agent visit 2 (§6.2): an opened envelope is refused",
        "voluntary_agent",
        2,
        ["open:" + ANSWER, CARD, "passport@applicant", "medical_certificate@holder"],
        {},
        False,
        ["answer_sheet"],
        [("inquiry_answer_sheet", "envelope-not-sealed")],
    ),
    (
        "seed-reset-3 agent visit 2: the agent shows ID again",
        "voluntary_agent",
        2,
        [ANSWER, CARD, "medical_certificate@holder"],
        {},
        False,
        ["agent_id"],
        [],
    ),
]


@pytest.mark.parametrize(
    ("role", "visit", "documents", "facts", "satisfied", "missing", "rejected"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_pin_reset_documents_in_the_seed_city(
    idocs, role, visit, documents, facts, satisfied, missing, rejected
):
    result = idocs.check("pin_reset", role, visit, documents, facts=facts)
    idocs.expect(result, satisfied, missing, rejected)


def test_a_satisfied_reset_uses_each_document_once(idocs):
    result = idocs.check(
        "pin_reset",
        "legal_representative",
        1,
        [
            CARD,
            "passport@holder",
            "family_register_extract@applicant",
            "passport@applicant",
            "driving_licence@applicant",
        ],
    )
    assert sorted(result.used) == sorted(
        [
            "my_number_card",
            "passport",
            "family_register_extract",
            "passport",
            "driving_licence",
        ]
    )


def test_missing_documents_are_said_in_japanese_and_english(idocs):
    result = idocs.check("pin_reset", "holder", 1, [CARD])
    (missing,) = result.missing
    assert "マイナンバーカード以外" in missing.message_ja
    assert "other than the My Number Card" in missing.message_en


@pytest.mark.parametrize("role", ["holder", "legal_representative"])
def test_holders_and_legal_representatives_have_no_second_visit(role):
    from identity_docs.defaults import default_requirement

    assert default_requirement("pin_reset", role, 2) is None
