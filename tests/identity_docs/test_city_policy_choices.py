"""Each VARIES point of docs/rules/05-identity-documents.md §5–§6 is a policy choice
that changes the answer
where, and only where, the city's rule differs from the seed city's."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from identity_docs.defaults import SEED_POLICY, default_rules
from identity_docs.evaluator import DocumentKind

CARD = "my_number_card@holder"
ANSWER = "inquiry_answer_sheet@holder"


def changed_keys(policy):
    seed, other = default_rules(SEED_POLICY), default_rules(policy)
    return {k for k in seed.keys() | other.keys() if seed.get(k) != other.get(k)}


def test_two_tier_b_lists_refuse_two_private_documents(idocs):
    """§5.1 (Amagasaki, Goka): public+private is fine, private+private is not."""
    policy = replace(SEED_POLICY, two_b_requires_public=True)
    private = [CARD, "employee_id@applicant", "bank_passbook@applicant"]
    mixed = [CARD, "employee_id@applicant", "pension_certificate@applicant"]
    assert idocs.check("pin_change", "voluntary_agent", 1, private).satisfied
    assert not idocs.check(
        "pin_change", "voluntary_agent", 1, private, policy=policy
    ).satisfied
    assert idocs.check(
        "pin_change", "voluntary_agent", 1, mixed, policy=policy
    ).satisfied


def test_a_city_that_classes_licences_as_a_accepts_them_as_photo_id(idocs):
    """§5.1: other cities class 船員手帳 and the other licences as class A."""
    documents = [CARD, "seaman_handbook@applicant"]
    assert not idocs.check("cert_issue", "voluntary_agent", 1, documents).satisfied
    catalogue = idocs.seed_catalogue()
    catalogue["seaman_handbook"] = DocumentKind(
        **{**catalogue["seaman_handbook"].__dict__, "document_class": "A"}
    )
    assert idocs.check(
        "cert_issue", "voluntary_agent", 1, documents, catalogue=catalogue
    ).satisfied


@pytest.mark.parametrize(
    ("choice", "visit_2_exists", "documents", "satisfied"),
    [
        ("inquiry", True, [CARD, "passport@applicant"], True),
        ("agent_id_only", False, [CARD, "passport@applicant"], True),
        ("not_accepted", False, [CARD, "passport@applicant"], False),
    ],
    ids=["§5.2 Chikuhoku: inquiry", "§5.2 Fujinomiya: ID only", "§5.2 not accepted"],
)
def test_agents_lifting_a_suspension(
    idocs, choice, visit_2_exists, documents, satisfied
):
    policy = replace(SEED_POLICY, agent_suspension_lift=choice)
    table = default_rules(policy)
    assert (("suspension_lift", "voluntary_agent", 2) in table) is visit_2_exists
    result = idocs.check(
        "suspension_lift", "voluntary_agent", 1, documents, policy=policy
    )
    assert result.satisfied is satisfied
    if not satisfied:
        assert "任意代理人ではできません" in result.missing[0].message_ja


def test_no_power_of_attorney_city_changes_only_the_second_certificate_visits(idocs):
    """§6.2 Kunitachi: the answer sheet is the authority."""
    policy = replace(SEED_POLICY, power_of_attorney_procedures=())
    assert changed_keys(policy) == {
        ("cert_issue", "voluntary_agent", 2),
        ("cert_renew", "voluntary_agent", 2),
    }
    documents = [ANSWER, CARD, "passport@applicant"]
    assert not idocs.check("cert_issue", "voluntary_agent", 2, documents).satisfied
    assert idocs.check(
        "cert_issue", "voluntary_agent", 2, documents, policy=policy
    ).satisfied


def test_no_holder_cannot_come_proof_changes_only_pin_second_visits(idocs):
    """§6.2: Kunitachi, Kure, Minoh and Maebashi do not ask for it."""
    policy = replace(SEED_POLICY, proof_of_inability_procedures=())
    assert changed_keys(policy) == {
        ("pin_change", "voluntary_agent", 2),
        ("pin_reset", "voluntary_agent", 2),
    }


def test_maebashi_asks_the_holders_id_at_the_inquiry_visit(idocs):
    policy = replace(SEED_POLICY, inquiry_requires_holder_id=True)
    documents = [ANSWER, CARD, "passport@applicant", "medical_certificate@holder"]
    assert idocs.check("pin_reset", "voluntary_agent", 2, documents).satisfied
    result = idocs.check("pin_reset", "voluntary_agent", 2, documents, policy=policy)
    assert [m.rule for m in result.missing] == ["holder_id"]


def test_a_city_without_proof_of_authority_for_representatives(idocs):
    """§6.1 Kasai: no proof of authority."""
    policy = replace(SEED_POLICY, proof_of_authority_required=False)
    documents = [CARD, "driving_licence@applicant"]
    assert not idocs.check("pin_change", "legal_representative", 1, documents).satisfied
    assert idocs.check(
        "pin_change", "legal_representative", 1, documents, policy=policy
    ).satisfied


def test_a_three_month_limit_on_the_proof_of_authority(idocs):
    """§6.1: 'often must be issued within the last 3 months'."""
    policy = replace(SEED_POLICY, proof_of_authority_max_age_months=3)
    documents = [
        CARD,
        idocs.doc("family_register_extract@applicant", issued_on=date(2026, 6, 1)),
        "driving_licence@applicant",
    ]
    assert idocs.check("pin_change", "legal_representative", 1, documents).satisfied
    result = idocs.check(
        "pin_change", "legal_representative", 1, documents, policy=policy
    )
    assert [(r.code, r.reason) for r in result.rejected] == [
        ("family_register_extract", "too-old")
    ]


def test_dazaifu_takes_any_public_document_besides_the_card(idocs):
    """§5.2 Dazaifu: any one official document, photo not required."""
    policy = replace(SEED_POLICY, pin_reset_holder_id="one_public_document")
    assert idocs.check(
        "pin_reset", "holder", 1, [CARD, "pension_certificate@holder"], policy=policy
    ).satisfied
    assert not idocs.check(
        "pin_reset", "holder", 1, [CARD, "student_id@holder"], policy=policy
    ).satisfied


def test_maebashis_holder_id_is_not_the_card_itself(idocs):
    policy = replace(SEED_POLICY, inquiry_requires_holder_id=True)
    documents = [ANSWER, CARD, CARD, "passport@applicant", "medical_certificate@holder"]
    result = idocs.check("pin_reset", "voluntary_agent", 2, documents, policy=policy)
    assert [m.rule for m in result.missing] == ["holder_id"]
    assert ("my_number_card", "card-not-other-document") in [
        (r.code, r.reason) for r in result.rejected
    ]
