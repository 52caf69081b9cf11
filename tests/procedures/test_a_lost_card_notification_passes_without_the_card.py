"""A notification of a lost card (失効届出) is made without the card
(docs/rules/09-revocation.md §9.2): the holder's one A or two B take the card's place,
the check passes and the certificates are revoked; a request (失効申請) still needs
the card; existing cities' stored rules get the change from the data migration."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps

from counter.errors import ApplicationError
from counter.models.cases import CaseState
from counter.services.cases import case_complete, case_record_documents
from identity_docs.defaults import default_rules
from identity_docs.models import RequirementRule
from tests import factories as f

from .conftest import audit_actions, holder_doc

pytestmark = pytest.mark.django_db


@pytest.fixture
def lost_card(resident):
    card = f.CardFactory(resident=resident, suspended=True)
    f.CertificateFactory(card=card, suspended=True)
    return card


def _notification(counter_case, resident, card, kind="notification"):
    return counter_case(
        resident=resident,
        card=card,
        procedure="cert_revoke",
        revocation_kind=kind,
        certificate_kinds=["signing"],
    )


@pytest.mark.parametrize(
    "documents",
    [
        pytest.param([holder_doc("driving_licence")], id="§9.2 one class A"),
        pytest.param(
            [holder_doc(), holder_doc("pension_certificate")], id="§9.2 two class B"
        ),
    ],
)
def test_a_lost_card_notification_passes_the_document_check_without_the_card(
    resident, lost_card, clerk, desk, counter_case, documents
):
    case = _notification(counter_case, resident, lost_card)
    case, evaluation = case_record_documents(
        case=case, actor=clerk, desk=desk, documents=documents
    )
    assert evaluation.satisfied
    assert "card" in evaluation.waived
    assert case.state == CaseState.DOCUMENTS_CHECKED
    case = case_complete(case=case, actor=clerk, desk=desk)
    assert case.state == CaseState.COMPLETED
    signing = lost_card.certificates.get(kind="signing")
    assert signing.status_reason == "key_compromise"


def test_a_lost_card_notification_with_one_class_b_is_refused_saying_what_is_missing(
    resident, lost_card, clerk, desk, counter_case
):
    case = _notification(counter_case, resident, lost_card)
    with pytest.raises(ApplicationError) as exc:
        case_record_documents(
            case=case, actor=clerk, desk=desk, documents=[holder_doc()]
        )
    assert exc.value.code == "documents-not-satisfied"
    assert [m["rule"] for m in exc.value.extra["missing"]] == ["holder_id_card_lost"]
    case.refresh_from_db()
    assert case.state == CaseState.RECEIVED
    assert "case_record_documents_refused" in audit_actions(case)


def test_a_revocation_request_still_needs_the_card(
    resident, card, clerk, desk, counter_case
):
    f.CertificateFactory(card=card)
    case = _notification(counter_case, resident, card, kind="request")
    with pytest.raises(ApplicationError) as exc:
        case_record_documents(
            case=case,
            actor=clerk,
            desk=desk,
            documents=[holder_doc("driving_licence")],
        )
    assert [m["rule"] for m in exc.value.extra["missing"]] == ["card"]


def test_the_migration_waives_the_card_in_every_citys_stored_revocation_rules(city):
    """An installation from before §9.2: its stored rows lack the waiver; the
    migration adds it and the holder's documents, and keeps a city's own edits."""
    migration = importlib.import_module(
        "identity_docs.migrations.0007_lost_card_notification"
    )
    stored = RequirementRule.objects.filter(
        profile=city.profile, procedure="cert_revoke"
    )
    holder = stored.get(applicant_role="holder", visit=1)
    old = [{k: v for k, v in r.items() if k != "waived_if"} for r in holder.rules]
    old = [r for r in old if r["id"] != "holder_id_card_lost"]
    old = [r for r in old if r["id"] != "extra_id_resident_pin_unknown"]  # a city edit
    RequirementRule.objects.filter(pk=holder.pk).update(rules=old)
    agent = stored.get(applicant_role="voluntary_agent", visit=2)
    RequirementRule.objects.filter(pk=agent.pk).update(
        rules=[{k: v for k, v in r.items() if k != "waived_if"} for r in agent.rules]
    )

    migration.waive_the_card(django_apps, None)
    migration.waive_the_card(django_apps, None)  # a second run changes nothing

    holder.refresh_from_db()
    expected = default_rules()[("cert_revoke", "holder", 1)][0]
    assert [r["id"] for r in holder.rules] == ["card", "holder_id_card_lost"]
    assert holder.rules == [expected[0], expected[-1]]
    agent.refresh_from_db()
    assert agent.rules == default_rules()[("cert_revoke", "voluntary_agent", 2)][0]
