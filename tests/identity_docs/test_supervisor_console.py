"""Supervisors edit the catalogue, the city's policy and rules in the admin; every
change is audited; evidence and scans are read-only there
(docs/reference/style.md §3.15)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from counter.models import AuditEvent
from identity_docs.models import DocumentPolicy, IdentityDocumentKind, RequirementRule

pytestmark = pytest.mark.django_db


@pytest.fixture
def console(supervisor: Any) -> Client:
    client = Client()
    client.force_login(supervisor)
    return client


@pytest.mark.parametrize(
    "model",
    [
        "identitydocumentkind",
        "documentpolicy",
        "requirementrule",
        "evidencepresented",
        "scannedcopy",
    ],
)
def test_the_supervisor_console_lists_each_model(console, city, model):
    response = console.get(f"/admin/identity_docs/{model}/")
    assert response.status_code == 200


def test_changing_a_national_kind_is_the_installation_admins_and_audited(db):
    """The national catalogue is shipped data: a city's supervisor changes its own
    choices (tests/security), the installation administrator the catalogue."""
    from django.contrib.auth.models import User

    admin_user = User.objects.create_superuser("installation", password="x")
    console = Client()
    console.force_login(admin_user)
    kind = IdentityDocumentKind.objects.get(code="seaman_handbook")
    page = console.get(f"/admin/identity_docs/identitydocumentkind/{kind.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update({"document_class": "A", "photo": "on", "public_issuer": "on"})
    data.pop("has_expiry", None)
    data.pop("expiry_required", None)
    data["accepted"] = "on"
    data["active"] = "on"
    data["municipality"] = ""
    response = console.post(
        f"/admin/identity_docs/identitydocumentkind/{kind.pk}/change/", data
    )
    assert response.status_code == 302, response.content[:500]
    kind.refresh_from_db()
    assert kind.document_class == "A"
    event = AuditEvent.objects.filter(action="admin_record_changed").get()
    assert event.data["changes"]["document_class"][1] == "A"
    assert event.data["installation_admin"] is True


def test_rebuilding_the_rules_from_the_policy_is_audited(console, city):
    policy = DocumentPolicy.objects.get(profile=city.profile)
    DocumentPolicy.objects.filter(pk=policy.pk).update(pin_reset_holder_id="none")
    response = console.post(
        "/admin/identity_docs/documentpolicy/",
        {"action": "rebuild_rules", "_selected_action": [policy.pk]},
    )
    assert response.status_code == 302
    rule = RequirementRule.objects.get(
        profile=city.profile, procedure="pin_reset", applicant_role="holder", visit=1
    )
    assert [r["id"] for r in rule.rules] == ["card"]
    assert AuditEvent.objects.filter(action="requirement_rules_rebuilt").exists()


def test_a_clerk_sees_no_other_citys_policy(city, other_city, make_staff):
    other_supervisor = make_staff("super2", "supervisor", other_city)
    client = Client()
    client.force_login(other_supervisor)
    policy = DocumentPolicy.objects.get(profile=city.profile)
    response = client.get(f"/admin/identity_docs/documentpolicy/{policy.pk}/change/")
    assert response.status_code in (302, 404)


def _rule(city: Any) -> RequirementRule:
    return RequirementRule.objects.get(
        profile=city.profile, procedure="pin_reset", applicant_role="holder", visit=1
    )


def test_a_supervisor_reads_the_rules_in_words_and_never_the_json(console, city):
    """The requirement language is the installation administrator's; a supervisor
    sees what the procedure needs in Japanese and changes it through the policy."""
    rule = _rule(city)
    page = console.get(f"/admin/identity_docs/requirementrule/{rule.pk}/change/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="rules"' not in html and '"alternatives"' not in html
    assert "<ol><li>" in html and "マイナンバーカード" in html


def test_a_forged_rules_field_from_a_supervisor_changes_nothing(console, city):
    rule = _rule(city)
    before = rule.rules
    console.post(
        f"/admin/identity_docs/requirementrule/{rule.pk}/change/",
        {"rules": '[{"id": "card", "alternatives": []}]', "note": "forged"},
    )
    rule.refresh_from_db()
    assert rule.rules == before


def test_the_installation_administrator_keeps_the_requirement_language(city):
    from django.contrib.auth.models import User

    admin_user = User.objects.create_superuser("installation", password="x")
    client = Client()
    client.force_login(admin_user)
    page = client.get(f"/admin/identity_docs/requirementrule/{_rule(city).pk}/change/")
    assert 'name="rules"' in page.content.decode()
