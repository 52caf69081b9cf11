"""A second city's profile changes the answers exactly where its rules differ.

Sayama (docs/rules/05-identity-documents.md §5.2 [M-sayama], VARIES): a PIN reset needs
only the card from the
holder, and one photo ID from a legal representative. Everything else is as in the
seed city.
"""

from __future__ import annotations

import pytest

from identity_docs.defaults import SAYAMA_POLICY, SEED_POLICY, default_rules

CARD = "my_number_card@holder"


def test_sayama_differs_from_the_seed_city_only_for_pin_resets_by_holder_or_rep():
    seed, sayama = default_rules(SEED_POLICY), default_rules(SAYAMA_POLICY)
    assert seed.keys() == sayama.keys()
    changed = {key for key in seed if seed[key][0] != sayama[key][0]}
    assert changed == {
        ("pin_reset", "holder", 1),
        ("pin_reset", "legal_representative", 1),
    }


@pytest.mark.parametrize(
    ("role", "documents", "facts", "seed_satisfied", "sayama_satisfied"),
    [
        pytest.param(
            "holder",
            [CARD],
            {},
            False,
            True,
            id="§5.2 holder, card only: refused in seed, accepted in Sayama",
        ),
        pytest.param(
            "holder",
            [CARD, "passport@holder"],
            {},
            True,
            True,
            id="§5.2 holder, card + passport: accepted in both",
        ),
        pytest.param(
            "legal_representative",
            [
                CARD,
                "passport@holder",
                "family_register_extract@applicant",
                "driving_licence@applicant",
            ],
            {},
            False,
            True,
            id="§5.2 rep with one photo ID: refused in seed, accepted in Sayama",
        ),
        pytest.param(
            "legal_representative",
            [CARD, "family_register_extract@applicant", "driving_licence@applicant"],
            {},
            False,
            True,
            id="§5.2 rep without holder's other ID: Sayama asks only the card",
        ),
        pytest.param(
            "legal_representative",
            [
                CARD,
                "passport@holder",
                "family_register_extract@applicant",
                "pension_certificate@applicant",
                "bank_passbook@applicant",
            ],
            {},
            False,
            False,
            id="§5.2 rep with B×2 only: refused in both (no photo ID)",
        ),
    ],
)
def test_pin_reset_answers_in_seed_city_and_sayama(
    idocs, role, documents, facts, seed_satisfied, sayama_satisfied
):
    seed = idocs.check("pin_reset", role, 1, documents, facts=facts)
    sayama = idocs.check(
        "pin_reset", role, 1, documents, facts=facts, policy=SAYAMA_POLICY
    )
    assert seed.satisfied is seed_satisfied
    assert sayama.satisfied is sayama_satisfied


def test_the_pin_change_answer_is_the_same_in_sayama(idocs):
    documents = [CARD, "family_register_extract@applicant", "student_id@applicant"]
    seed = idocs.check("pin_change", "legal_representative", 1, documents)
    sayama = idocs.check(
        "pin_change", "legal_representative", 1, documents, policy=SAYAMA_POLICY
    )
    assert seed.as_dict() == sayama.as_dict()
    assert not seed.satisfied
