"""Kinds that ended nationally (docs/rules/05-identity-documents.md §5.3): the
健康保険証 counts up to 2025-12-01 and never after, the 資格確認書 and the
care-insurance card are class B, the 住基カード counts no more after 2025; the data
migration adds the new kinds with each city's own choice for insurance cards."""

from __future__ import annotations

import importlib
from datetime import date

import pytest
from django.apps import apps as django_apps

from identity_docs.models import DocumentChoice, IdentityDocumentKind

CARD = "my_number_card@holder"
HEALTH = "health_or_care_insurance_card"
SUCCESSORS = ("insurance_qualification_certificate", "care_insurance_card")


@pytest.mark.parametrize(
    ("on_date", "satisfied"),
    [
        pytest.param(date(2025, 12, 1), True, id="§5.3 health card on 2025-12-01"),
        pytest.param(date(2025, 12, 2), False, id="§5.3 health card on 2025-12-02"),
        pytest.param(date(2026, 11, 26), False, id="§5.3 health card in 2026"),
    ],
)
def test_a_health_insurance_card_counts_only_until_1_december_2025(
    idocs, on_date, satisfied
):
    result = idocs.check(
        "pin_reset", "holder", 1, [CARD, f"{HEALTH}@holder"], on_date=on_date
    )
    assert result.satisfied is satisfied
    if not satisfied:
        (rejected,) = result.rejected
        assert rejected.reason == "health-insurance-card-ended"
        assert "2025年12月1日" in rejected.message_ja
        assert "資格確認書" in rejected.message_ja


def test_an_expired_health_card_is_refused_even_when_its_printed_expiry_is_later(idocs):
    """The printed date does not outlive the national end (§5.3)."""
    shown = idocs.doc(f"{HEALTH}@holder", expires_on=date(2027, 3, 31))
    result = idocs.check("pin_reset", "holder", 1, [CARD, shown])
    assert [r.reason for r in result.rejected] == ["health-insurance-card-ended"]


@pytest.mark.parametrize("code", SUCCESSORS)
def test_the_eligibility_certificate_and_the_care_insurance_card_are_class_b(
    idocs, code
):
    catalogue = idocs.seed_catalogue()
    assert catalogue[code].document_class == "B"
    result = idocs.check("pin_reset", "holder", 1, [CARD, f"{code}@holder"])
    assert result.satisfied
    two_b = idocs.check(
        "pin_change",
        "voluntary_agent",
        1,
        [CARD, *(f"{c}@applicant" for c in SUCCESSORS)],
    )
    assert two_b.satisfied


@pytest.mark.parametrize(
    ("on_date", "satisfied"),
    [
        pytest.param(date(2025, 12, 31), True, id="§5.3 住基カード on 2025-12-31"),
        pytest.param(date(2026, 1, 1), False, id="§5.3 住基カード in 2026"),
    ],
)
def test_a_basic_resident_register_card_counts_no_more_after_its_ten_years(
    idocs, on_date, satisfied
):
    result = idocs.check(
        "pin_reset",
        "holder",
        1,
        [CARD, "basic_resident_register_card@holder"],
        on_date=on_date,
    )
    assert result.satisfied is satisfied
    if not satisfied:
        (rejected,) = result.rejected
        assert rejected.reason == "resident-register-card-ended"
        assert "2015年12月" in rejected.message_ja


@pytest.mark.django_db
def test_the_migration_gives_every_city_the_new_kinds_with_its_own_insurance_choice(
    city, other_city
):
    """§5.3: an existing installation gets the new kinds; a city that did not take
    insurance cards still does not, and no existing choice row changes."""
    migration = importlib.import_module(
        "identity_docs.migrations.0006_national_document_changes"
    )
    new_kinds = IdentityDocumentKind.objects.filter(code__in=SUCCESSORS)
    DocumentChoice.objects.filter(kind__in=new_kinds).delete()
    new_kinds.delete()
    health = IdentityDocumentKind.objects.get(code=HEALTH)
    DocumentChoice.objects.filter(municipality=other_city, kind=health).update(
        accepted=False
    )
    before = list(
        DocumentChoice.objects.order_by("pk").values_list(
            "pk", "accepted", "document_class", "active"
        )
    )

    migration.add_kinds(django_apps, None)
    migration.add_kinds(django_apps, None)  # a second run changes nothing

    after = DocumentChoice.objects.order_by("pk").values_list(
        "pk", "accepted", "document_class", "active"
    )
    assert list(after)[: len(before)] == before
    for code in SUCCESSORS:
        kind = IdentityDocumentKind.objects.get(code=code, municipality=None)
        assert (kind.document_class, kind.has_expiry) == ("B", True)
        accepted = dict(
            DocumentChoice.objects.filter(kind=kind).values_list(
                "municipality__code", "accepted"
            )
        )
        assert accepted == {city.code: True, other_city.code: False}
