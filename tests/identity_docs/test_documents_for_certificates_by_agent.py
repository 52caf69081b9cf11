"""Certificate issuance and renewal: the seed city's agent rule in two visits.

Seed: the certificate page (代理人申請の場合 [1回目] / [2回目]); docs/rules "Default
profile" (voluntary agent, certificate issuance) and §5.2 (holder, representative).
"""

from __future__ import annotations

import pytest

CARD = "my_number_card@holder"
ANSWER = "inquiry_answer_sheet@holder"
POA = "power_of_attorney@holder"

CASES = [
    (
        "seed-cert agent [1回目]: card + agent's driving licence",
        "voluntary_agent",
        1,
        [CARD, "driving_licence@applicant"],
        {},
        True,
        [],
        [],
    ),
    (
        "seed-cert agent [1回目]: card + agent's own My Number Card",
        "voluntary_agent",
        1,
        [CARD, "my_number_card@applicant"],
        {},
        True,
        [],
        [],
    ),
    (
        "seed-cert agent [1回目]: card + agent's passport",
        "voluntary_agent",
        1,
        [CARD, "passport@applicant"],
        {},
        True,
        [],
        [],
    ),
    (
        "seed-cert agent [1回目]: B documents are no photo ID of a public body",
        "voluntary_agent",
        1,
        [
            CARD,
            "insurance_qualification_certificate@applicant",
            "pension_certificate@applicant",
        ],
        {},
        False,
        ["agent_id"],
        [
            ("insurance_qualification_certificate", "not-accepted-for-procedure"),
            ("pension_certificate", "not-accepted-for-procedure"),
        ],
    ),
    (
        "seed-cert agent [1回目]: without the holder's card",
        "voluntary_agent",
        1,
        ["passport@applicant"],
        {},
        False,
        ["card"],
        [],
    ),
    (
        "seed-cert agent [2回目]: 回答書 + 委任状 + card + agent's photo ID",
        "voluntary_agent",
        2,
        [ANSWER, POA, CARD, "driving_licence@applicant"],
        {},
        True,
        [],
        [],
    ),
    (
        "seed-cert agent [2回目]: 委任状 is required",
        "voluntary_agent",
        2,
        [ANSWER, CARD, "driving_licence@applicant"],
        {},
        False,
        ["power_of_attorney"],
        [],
    ),
    (
        "seed-cert agent [2回目]: 回答書 is required",
        "voluntary_agent",
        2,
        [POA, CARD, "driving_licence@applicant"],
        {},
        False,
        ["answer_sheet"],
        [],
    ),
    (
        "seed-cert agent [2回目]: the agent's photo ID again",
        "voluntary_agent",
        2,
        [ANSWER, POA, CARD],
        {},
        False,
        ["agent_id"],
        [],
    ),
    (
        "seed-cert agent [2回目]: a copy of the 委任状 is refused",
        "voluntary_agent",
        2,
        [ANSWER, "copy:" + POA, CARD, "driving_licence@applicant"],
        {},
        False,
        ["power_of_attorney"],
        [("power_of_attorney", "copy-not-accepted")],
    ),
    (
        "seed-cert holder: the card is enough (他の本人確認書類は不要)",
        "holder",
        1,
        [CARD],
        {},
        True,
        [],
        [],
    ),
    (
        "§5.2 holder: 住基 PIN unknown needs one more A or B",
        "holder",
        1,
        [CARD],
        {"resident_pin_unknown": True},
        False,
        ["extra_id_resident_pin_unknown"],
        [],
    ),
    (
        "§5.2 holder: 住基 PIN unknown + health insurance card",
        "holder",
        1,
        [CARD, "insurance_qualification_certificate@holder"],
        {"resident_pin_unknown": True},
        True,
        [],
        [],
    ),
    (
        "§5.2 rep: card + rep's photo ID + 戸籍謄本",
        "legal_representative",
        1,
        [CARD, "passport@applicant", "family_register_extract@applicant"],
        {},
        True,
        [],
        [],
    ),
    (
        "§5.2 rep: without proof of authority",
        "legal_representative",
        1,
        [CARD, "passport@applicant"],
        {},
        False,
        ["proof_of_authority"],
        [],
    ),
]


@pytest.mark.parametrize("procedure", ["cert_issue", "cert_renew"])
@pytest.mark.parametrize(
    ("role", "visit", "documents", "facts", "satisfied", "missing", "rejected"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_certificate_documents_in_the_seed_city(
    idocs, procedure, role, visit, documents, facts, satisfied, missing, rejected
):
    result = idocs.check(procedure, role, visit, documents, facts=facts)
    idocs.expect(result, satisfied, missing, rejected)
