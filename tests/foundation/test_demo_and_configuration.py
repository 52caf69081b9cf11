"""The demo data covers the situations the rules treat differently, idempotently;
the configuration reference and .env.example list every variable."""

from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone

from config.env import REGISTRY
from counter.demo import DEMO_LOGINS, DEMO_PASSWORD, load_demo_data
from counter.management.commands.config_reference import render_reference
from counter.models import Card, Certificate, Desk, Office, Resident

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_demo_data_is_idempotent_and_covers_the_situations():
    load_demo_data()
    counts = (
        Resident.objects.count(),
        Card.objects.count(),
        Certificate.objects.count(),
    )
    load_demo_data()
    assert counts == (
        Resident.objects.count(),
        Card.objects.count(),
        Certificate.objects.count(),
    )
    today = timezone.localdate()
    residents = Resident.objects.all()
    assert 25 <= residents.count() <= 40
    assert Office.objects.count() == 2
    assert Desk.objects.count() >= 2
    ages = [r.age_on(today) for r in residents]
    assert any(15 <= a <= 17 for a in ages)
    assert any(a < 15 for a in ages)
    assert residents.filter(is_adult_ward=True).exists()
    assert residents.filter(residence_period_end__isnull=False).exists()
    assert residents.exclude(registration_status="registered").exists()
    assert Certificate.objects.filter(status="expired").exists()
    assert Certificate.objects.filter(kind="signing", pin_locked=True).exists()
    assert Card.objects.filter(status="suspended").exists()
    # under-15s and adult wards have no signing certificate (§7)
    for resident in residents.filter(is_adult_ward=True):
        assert not Certificate.objects.filter(card__resident=resident, kind="signing")


@pytest.mark.django_db
def test_every_demo_login_works():
    load_demo_data()
    for login in DEMO_LOGINS:
        # Logins are locked out per account and address, so they come with a request.
        request = RequestFactory().post("/accounts/login/")
        user = authenticate(request, username=login.username, password=DEMO_PASSWORD)
        assert user is not None, login.username
        assert user.groups.filter(name=login.role).exists()


def test_env_example_and_configuration_reference_list_every_variable():
    env_example = (ROOT / ".env.example").read_text(encoding="utf-8")
    reference = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    for name in REGISTRY:
        assert f"\n{name}=" in env_example or f"\n# {name}=" in env_example, name
    assert reference == render_reference(), "run: python manage.py config_reference"


@pytest.mark.django_db
def test_verify_audit_chain_reports_an_intact_chain(capsys):
    load_demo_data()
    call_command("verify_audit_chain")
    assert "Audit chain intact" in capsys.readouterr().out
