"""An expired 健康保険証 at the counter (docs/rules/05-identity-documents.md §5.3):
refused with the Japanese sentence naming the national end, the case unchanged, the
refusal audited; the 資格確認書 that replaced it lets the case go on."""

from __future__ import annotations

import pytest

from counter.errors import ApplicationError
from counter.models.cases import CaseState
from counter.services.cases import case_record_documents
from tests import factories as f

from .conftest import audit_actions, holder_card, holder_doc

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _the_card_carries_a_signing_certificate(card):
    return f.CertificateFactory(card=card)


def test_an_ended_health_insurance_card_is_refused_with_the_rule_named(
    resident, card, clerk, desk, counter_case
):
    case = counter_case(procedure="pin_reset", pin_kinds=["signing"])
    with pytest.raises(ApplicationError) as exc:
        case_record_documents(
            case=case,
            actor=clerk,
            desk=desk,
            documents=[holder_card(), holder_doc("health_or_care_insurance_card")],
        )
    assert exc.value.code == "documents-not-satisfied"
    (rejected,) = exc.value.extra["rejected"]
    assert rejected["reason"] == "health-insurance-card-ended"
    assert "2025年12月1日" in rejected["message_ja"]
    case.refresh_from_db()
    assert case.state == CaseState.RECEIVED
    assert "case_record_documents_refused" in audit_actions(case)

    case, evaluation = case_record_documents(
        case=case,
        actor=clerk,
        desk=desk,
        documents=[holder_card(), holder_doc("insurance_qualification_certificate")],
    )
    assert evaluation.satisfied and case.state == CaseState.DOCUMENTS_CHECKED
