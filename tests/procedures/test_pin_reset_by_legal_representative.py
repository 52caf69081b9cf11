"""PIN reset by a legal representative in one visit (§5.2, §6.1): the card, one A
or B of the holder besides the card, proof of authority (waived when the city's
records show it), and the representative's two A or A+B (seed city)."""

from __future__ import annotations

import pytest

from counter.errors import ApplicationError
from counter.models.cases import CaseState
from counter.services.cases import case_record_documents
from tests import factories as f

from .conftest import applicant_doc, holder_card, holder_doc
from .helpers import finish

pytestmark = pytest.mark.django_db


@pytest.fixture
def child(city):
    return f.ResidentFactory(municipality=city, under_15=True)


@pytest.fixture
def child_card(child):
    return f.CardFactory(resident=child)


def test_parent_resets_a_childs_pin_with_proof_of_authority(
    child, child_card, office, clerk, desk, agent, counter_case
):
    case = counter_case(
        resident=child,
        card=child_card,
        procedure="pin_reset",
        applicant_role="legal_representative",
        pin_kinds=["authentication"],
        shown=[
            holder_card(),
            holder_doc("insurance_qualification_certificate"),
            applicant_doc("family_register_extract"),
            applicant_doc("driving_licence"),
            applicant_doc("passport"),
        ],
    )
    case = finish(case, clerk, desk, agent)
    assert case.state == CaseState.COMPLETED
    assert case.visit == 1  # one visit with proof (§6.1)


def test_proof_of_authority_is_waived_when_the_records_show_it(
    child, child_card, office, clerk, desk, counter_case
):
    case = counter_case(
        resident=child,
        card=child_card,
        procedure="pin_reset",
        applicant_role="legal_representative",
        pin_kinds=["authentication"],
        shown=[
            holder_card(),
            holder_doc("insurance_qualification_certificate"),
            applicant_doc("driving_licence"),
            applicant_doc("insurance_qualification_certificate"),
        ],
        facts={"authority_confirmed_in_records": True},
    )
    assert case.state == CaseState.DOCUMENTS_CHECKED


def test_one_photo_id_of_the_representative_is_not_enough_in_the_seed_city(
    child, child_card, office, clerk, desk, counter_case
):
    case = counter_case(
        resident=child,
        card=child_card,
        procedure="pin_reset",
        applicant_role="legal_representative",
        pin_kinds=["authentication"],
    )
    with pytest.raises(ApplicationError) as exc:
        case_record_documents(
            case=case,
            actor=clerk,
            desk=desk,
            documents=[
                holder_card(),
                holder_doc("insurance_qualification_certificate"),
                applicant_doc("family_register_extract"),
                applicant_doc("driving_licence"),
            ],
        )
    assert exc.value.code == "documents-not-satisfied"
    assert [m["rule"] for m in exc.value.extra["missing"]] == ["representative_id"]


def test_an_adult_who_is_not_a_ward_has_no_legal_representative(
    resident, card, office, clerk, desk, counter_case
):
    with pytest.raises(ApplicationError) as exc:
        counter_case(
            procedure="pin_reset",
            applicant_role="legal_representative",
            pin_kinds=["signing"],
        )
    assert exc.value.code == "no-legal-representative"


def test_a_child_under_15_cannot_apply_alone(
    child, child_card, office, clerk, desk, counter_case
):
    with pytest.raises(ApplicationError) as exc:
        counter_case(
            resident=child,
            card=child_card,
            procedure="pin_reset",
            pin_kinds=["authentication"],
        )
    assert exc.value.code == "legal-representative-required"


def test_guardian_of_an_adult_ward_resets_in_one_visit(
    city, office, clerk, desk, agent, counter_case
):
    ward = f.ResidentFactory(municipality=city, adult_ward=True)
    card = f.CardFactory(resident=ward)
    case = counter_case(
        resident=ward,
        card=card,
        procedure="pin_reset",
        applicant_role="legal_representative",
        pin_kinds=["resident_register"],
        shown=[
            holder_card(),
            holder_doc("pension_certificate"),
            applicant_doc("guardianship_registry_certificate", issued_on="2026-10-01"),
            applicant_doc("driving_licence"),
            applicant_doc("insurance_qualification_certificate"),
        ],
    )
    case = finish(case, clerk, desk, agent)
    assert case.state == CaseState.COMPLETED
