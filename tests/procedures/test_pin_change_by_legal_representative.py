"""PIN change by a legal representative: the card + proof of authority + the
representative's A×1 or B×2, one visit (seed table "PIN change"; §6.1)."""

from __future__ import annotations

import pytest

from counter.errors import ApplicationError
from counter.models.cases import CaseState
from counter.services.cases import case_record_documents
from tests import factories as f

from .conftest import applicant_doc, holder_card
from .helpers import finish

pytestmark = pytest.mark.django_db


def test_parent_changes_a_15_year_olds_pin_in_one_visit(
    city, office, clerk, desk, agent, counter_case
):
    teen = f.ResidentFactory(municipality=city, minor_15_17=True)
    card = f.CardFactory(resident=teen)
    case = counter_case(
        resident=teen,
        card=card,
        procedure="pin_change",
        applicant_role="legal_representative",
        pin_kinds=["card_info"],
        shown=[
            holder_card(),
            applicant_doc("family_register_extract"),
            applicant_doc("passport"),
        ],
    )
    case = finish(case, clerk, desk, agent)
    assert case.state == CaseState.COMPLETED and case.visit == 1


def test_without_proof_of_authority_the_change_waits(
    city, office, clerk, desk, counter_case
):
    teen = f.ResidentFactory(municipality=city, minor_15_17=True)
    card = f.CardFactory(resident=teen)
    case = counter_case(
        resident=teen,
        card=card,
        procedure="pin_change",
        applicant_role="legal_representative",
        pin_kinds=["card_info"],
    )
    with pytest.raises(ApplicationError) as exc:
        case_record_documents(
            case=case,
            actor=clerk,
            desk=desk,
            documents=[holder_card(), applicant_doc("passport")],
        )
    assert exc.value.code == "documents-not-satisfied"
    assert [m["rule"] for m in exc.value.extra["missing"]] == ["proof_of_authority"]
    case.refresh_from_db()
    assert case.state == CaseState.RECEIVED
