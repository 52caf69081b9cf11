"""The seed city's rules are installed for every municipality (docs/rules "Default
profile"), and a city's policy choices rebuild them (§5–§6 VARIES)."""

from __future__ import annotations

import pytest

from identity_docs.catalogue_data import CATALOGUE
from identity_docs.defaults import default_rules
from identity_docs.models import DocumentPolicy, IdentityDocumentKind, RequirementRule
from identity_docs.services import requirement_rules_install_defaults

pytestmark = pytest.mark.django_db


def test_the_migration_loads_the_whole_catalogue():
    assert IdentityDocumentKind.objects.count() == len(CATALOGUE)
    kind = IdentityDocumentKind.objects.get(code="driving_history_certificate")
    assert kind.name_ja == "運転経歴証明書"
    assert kind.issued_on_or_after.isoformat() == "2012-04-01"


def test_a_new_municipality_gets_the_seed_city_rules(city):
    rules = RequirementRule.objects.filter(profile=city.profile)
    table = default_rules()
    assert rules.count() == len(table)
    for rule in rules:
        assert rule.rules == table[(rule.procedure, rule.applicant_role, rule.visit)][0]
        rule.full_clean()
    assert DocumentPolicy.objects.filter(profile=city.profile).exists()


def test_installing_again_keeps_a_supervisors_edit(city):
    rule = RequirementRule.objects.get(
        profile=city.profile, procedure="pin_change", applicant_role="holder", visit=1
    )
    rule.note = "edited"
    rule.save()
    assert requirement_rules_install_defaults(city.profile) == 0
    rule.refresh_from_db()
    assert rule.note == "edited"


def test_a_policy_change_rebuilds_the_rules_where_they_differ(city):
    policy = city.profile.document_policy
    policy.pin_reset_holder_id = "none"
    policy.agent_suspension_lift = "not_accepted"
    policy.save()
    requirement_rules_install_defaults(city.profile, overwrite=True)
    reset = RequirementRule.objects.get(
        profile=city.profile, procedure="pin_reset", applicant_role="holder", visit=1
    )
    assert [r["id"] for r in reset.rules] == ["card"]
    assert not RequirementRule.objects.filter(
        profile=city.profile,
        procedure="suspension_lift",
        applicant_role="voluntary_agent",
        visit=2,
    ).exists()


def test_stored_rules_naming_an_unknown_document_are_refused(city):
    from django.core.exceptions import ValidationError

    rule = RequirementRule(
        profile=city.profile,
        procedure="pin_change",
        applicant_role="holder",
        visit=2,
        rules=[{"id": "x", "alternatives": [[{"codes": ["library_card"]}]]}],
    )
    with pytest.raises(ValidationError, match="library_card"):
        rule.full_clean()


def test_the_profiles_switch_for_holder_cannot_come_proof_is_honoured(city):
    """MunicipalProfile.require_proof_holder_cannot_come turns the §6.2 proof off."""
    profile = city.profile
    profile.require_proof_holder_cannot_come = False
    profile.save()
    requirement_rules_install_defaults(profile, overwrite=True)
    rule = RequirementRule.objects.get(
        profile=profile,
        procedure="pin_reset",
        applicant_role="voluntary_agent",
        visit=2,
    )
    assert "proof_of_inability" not in [r["id"] for r in rule.rules]
