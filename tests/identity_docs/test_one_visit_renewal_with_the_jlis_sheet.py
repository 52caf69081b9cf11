"""One-visit renewal (docs/rules/06-agents.md §6.2): while the certificate is valid, the
sealed
照会書兼回答書 J-LIS encloses with the expiry notice (§3) lets a voluntary agent
renew at the first visit — holder's card + the sealed sheet + the agent's photo ID.
Without the sheet the ordinary two-visit inquiry method applies. A city may not
offer it (a DocumentPolicy setting, on by default)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from identity_docs.defaults import SEED_POLICY, default_rules

CARD = "my_number_card@holder"
JLIS = "inquiry_and_answer_sheet@holder"
LICENCE = "driving_licence@applicant"
ONE_VISIT = {"jlis_answer_sheet": True}
NO_ONE_VISIT = replace(SEED_POLICY, one_visit_renewal=False)

CASES = [
    (
        "§6.2 one visit: card + sealed J-LIS sheet + agent's photo ID",
        "cert_renew",
        1,
        [CARD, JLIS, LICENCE],
        ONE_VISIT,
        True,
        [],
        [],
    ),
    (
        "§6.2 one visit: the J-LIS sheet is what makes it one visit",
        "cert_renew",
        1,
        [CARD, LICENCE],
        ONE_VISIT,
        False,
        ["jlis_answer_sheet"],
        [],
    ),
    (
        "§6.2 one visit: an opened envelope is refused (the agent could read PINs)",
        "cert_renew",
        1,
        [CARD, "open:" + JLIS, LICENCE],
        ONE_VISIT,
        False,
        ["jlis_answer_sheet"],
        [("inquiry_and_answer_sheet", "envelope-not-sealed")],
    ),
    (
        "§6.2 one visit: a photocopy of the sheet never counts",
        "cert_renew",
        1,
        [CARD, "copy:" + JLIS, LICENCE],
        ONE_VISIT,
        False,
        ["jlis_answer_sheet"],
        [("inquiry_and_answer_sheet", "copy-not-accepted")],
    ),
    (
        "§6.2 one visit: the city's own answer sheet is not J-LIS's",
        "cert_renew",
        1,
        [CARD, "inquiry_answer_sheet@holder", LICENCE],
        ONE_VISIT,
        False,
        ["jlis_answer_sheet"],
        [("inquiry_answer_sheet", "not-accepted-for-procedure")],
    ),
    (
        "§6.2 one visit: the agent's photo ID is still needed",
        "cert_renew",
        1,
        [CARD, JLIS],
        ONE_VISIT,
        False,
        ["agent_id"],
        [],
    ),
    (
        "§6.2 one visit: still the holder's card",
        "cert_renew",
        1,
        [JLIS, LICENCE],
        ONE_VISIT,
        False,
        ["card"],
        [],
    ),
    (
        "§6.2 two visits (no J-LIS sheet): visit 1 as before",
        "cert_renew",
        1,
        [CARD, LICENCE],
        {},
        True,
        [],
        [],
    ),
    (
        "§6.2 two visits (no J-LIS sheet): visit 2 as before",
        "cert_renew",
        2,
        ["inquiry_answer_sheet@holder", "power_of_attorney@holder", CARD, LICENCE],
        {},
        True,
        [],
        [],
    ),
    (
        "§6.2 one-visit renewal is a renewal only: issuance ignores the claim",
        "cert_issue",
        1,
        [CARD, LICENCE],
        ONE_VISIT,
        True,
        [],
        [],
    ),
]


@pytest.mark.parametrize(
    ("procedure", "visit", "documents", "facts", "satisfied", "missing", "rejected"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_one_visit_renewal_in_the_seed_city(
    idocs, procedure, visit, documents, facts, satisfied, missing, rejected
):
    result = idocs.check(procedure, "voluntary_agent", visit, documents, facts=facts)
    idocs.expect(result, satisfied, missing, rejected)


def test_the_sheet_counts_towards_the_renewal(idocs):
    result = idocs.check(
        "cert_renew", "voluntary_agent", 1, [CARD, JLIS, LICENCE], facts=ONE_VISIT
    )
    assert result.met == ["card", "agent_id", "jlis_answer_sheet"]
    assert sorted(result.used) == sorted(
        ["my_number_card", "inquiry_and_answer_sheet", "driving_licence"]
    )


def test_the_missing_sheet_is_named_for_the_clerk(idocs):
    result = idocs.check(
        "cert_renew", "voluntary_agent", 1, [CARD, LICENCE], facts=ONE_VISIT
    )
    assert "J-LIS" in result.missing[0].message_en
    assert "expiry notice" in result.missing[0].message_en
    assert result.missing[0].message_ja == (
        "まだ必要なもの:有効期限通知書に同封されたJ-LISの照会書兼回答書。"
        "封をしたままのもの。"
    )


def test_a_city_without_one_visit_renewal_changes_only_that_visit():
    seed, other = default_rules(SEED_POLICY), default_rules(NO_ONE_VISIT)
    changed = {k for k in seed if seed[k] != other[k]}
    assert changed == {("cert_renew", "voluntary_agent", 1)}
    assert set(seed) == set(other)


def test_a_city_without_one_visit_renewal_refuses_the_claim(idocs):
    """§6.2 VARIES: there the agent uses the inquiry method, even with the sheet."""
    result = idocs.check(
        "cert_renew",
        "voluntary_agent",
        1,
        [CARD, JLIS, LICENCE],
        facts=ONE_VISIT,
        policy=NO_ONE_VISIT,
    )
    assert not result.satisfied
    assert [m.rule for m in result.missing] == ["jlis_answer_sheet"]
    assert "two visits" in result.missing[0].message_en
    assert "2回の来庁による照会書方式" in result.missing[0].message_ja
    # The ordinary first visit is unchanged there.
    assert idocs.check(
        "cert_renew", "voluntary_agent", 1, [CARD, LICENCE], policy=NO_ONE_VISIT
    ).satisfied


def test_an_unsealed_sheet_counts_where_the_city_does_not_ask_for_sealing(idocs):
    policy = replace(SEED_POLICY, answer_sheet_must_be_sealed=False)
    assert idocs.check(
        "cert_renew",
        "voluntary_agent",
        1,
        [CARD, "open:" + JLIS, LICENCE],
        facts=ONE_VISIT,
        policy=policy,
    ).satisfied


# --- against PostgreSQL: the stored rules, the policy switch, the API ---------------


@pytest.mark.django_db
def test_the_stored_renewal_rule_holds_the_jlis_sheet(city):
    from identity_docs.services import requirement_rule_get

    rule = requirement_rule_get(
        profile=city.profile,
        procedure="cert_renew",
        applicant_role="voluntary_agent",
        visit=1,
    )
    assert rule is not None
    assert [r["id"] for r in rule.rules] == ["card", "agent_id", "jlis_answer_sheet"]
    assert city.profile.document_policy.one_visit_renewal is True


@pytest.mark.django_db
def test_switching_one_visit_renewal_off_rebuilds_the_rule(city, idocs):
    from identity_docs.services import (
        requirement_rules_install_defaults,
        requirements_evaluate,
    )

    policy = city.profile.document_policy
    policy.one_visit_renewal = False
    policy.save()
    requirement_rules_install_defaults(city.profile, overwrite=True)
    result = requirements_evaluate(
        profile=city.profile,
        procedure="cert_renew",
        applicant_role="voluntary_agent",
        visit=1,
        documents=[idocs.doc(d) for d in (CARD, JLIS, LICENCE)],
        on_date=idocs.VISIT_DAY,
        facts=ONE_VISIT,
    )
    assert [m.rule for m in result.missing] == ["jlis_answer_sheet"]


@pytest.mark.django_db
def test_the_api_takes_the_jlis_fact(clerk):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(clerk)
    request = {
        "procedure": "cert_renew",
        "applicant_role": "voluntary_agent",
        "visit": 1,
        "on_date": "2026-11-26",
        "documents": [
            {"code": "my_number_card", "owner": "holder"},
            {"code": "driving_licence", "owner": "applicant"},
        ],
        "facts": {"jlis_answer_sheet": True},
    }
    data = client.post("/api/v1/requirements/evaluate/", request, format="json").json()
    assert data["satisfied"] is False
    assert [m["rule"] for m in data["missing"]] == ["jlis_answer_sheet"]
    request["documents"].append(
        {"code": "inquiry_and_answer_sheet", "owner": "holder", "sealed": True}
    )
    data = client.post("/api/v1/requirements/evaluate/", request, format="json").json()
    assert data["satisfied"] is True


@pytest.mark.django_db
def test_the_migration_adds_the_sheet_to_a_city_installed_before(city):
    """Migration 0003: a stored rule without the J-LIS sheet gets it, once."""
    import importlib

    from django.apps import apps

    from identity_docs.models import RequirementRule

    migration = importlib.import_module(
        "identity_docs.migrations.0003_one_visit_renewal"
    )
    stored = RequirementRule.objects.get(
        profile=city.profile,
        procedure="cert_renew",
        applicant_role="voluntary_agent",
        visit=1,
    )
    expected = stored.rules
    stored.rules = expected[:-1]
    stored.save()
    migration.add_rule(apps, None)
    migration.add_rule(apps, None)
    stored.refresh_from_db()
    assert stored.rules == expected
