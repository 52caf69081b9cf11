"""Reception on the clerk screens: finding the resident and opening a case.

The rules themselves (residency, hours, documents) are the services' and are
tested there; these tests check that the screens call them, show their reason,
keep the clerk in their own municipality and office, and never open a case twice.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from counter.models import AuditEvent, Case
from tests import factories as f

pytestmark = pytest.mark.django_db


def _results(response: Any) -> list[str]:
    return re.findall(r"<strong>([^<]+)</strong>", response.content.decode())


def test_search_finds_by_hiragana_katakana_and_birth_date(
    clerk_client: Any, tanaka: Any
) -> None:
    url = reverse("counter:reception")
    for query in (
        {"q": "たなか"},
        {"q": "タナカ"},
        {"q": "田中"},
        {"birth_date": tanaka.birth_date.strftime("%Y%m%d")},
    ):
        response = clerk_client.get(url, query)
        assert response.status_code == 200
        assert "田中 誠" in _results(response), query


def test_search_never_shows_another_municipalitys_residents(
    clerk_client: Any, tanaka: Any
) -> None:
    other = f.MunicipalityFactory(code="141003", name="横浜市")
    f.ResidentFactory(municipality=other, name="田中 一郎", name_kana="タナカ イチロウ")
    response = clerk_client.get(reverse("counter:reception"), {"q": "たなか"})
    assert _results(response) == ["田中 誠"]


def test_an_unreadable_birth_date_is_refused_with_how_to_write_it(
    clerk_client: Any,
) -> None:
    response = clerk_client.get(reverse("counter:reception"), {"birth_date": "4/1"})
    assert "1980-04-01" in response.content.decode()
    assert response.context["results"] is None


def _open(client: Any, resident: Any, card: Any, **extra: Any) -> Any:
    data = {
        "procedure": "pin_reset",
        "applicant_role": "holder",
        "pin_kinds": ["signing"],
        "card": card.pk if card else "",
        "idempotency_key": "form-1",
        **extra,
    }
    return client.post(reverse("counter:case-new", args=[resident.pk]), data)


def test_opening_a_case_goes_to_its_page(
    clerk_client: Any, tanaka: Any, card_with_certificates: Any, desk: Any
) -> None:
    response = _open(clerk_client, tanaka, card_with_certificates)
    case = Case.objects.get(resident=tanaka)
    assert response.status_code == 302
    assert response["Location"] == reverse("counter:case", args=[case.reference])
    assert case.desk == desk and case.state == "received"
    page = clerk_client.get(response["Location"])
    assert page.context["step"] == "documents"
    assert 'id="id-checklist"' in page.content.decode()


def test_a_double_submitted_reception_form_opens_one_case(
    clerk_client: Any, tanaka: Any, card_with_certificates: Any
) -> None:
    first = _open(clerk_client, tanaka, card_with_certificates)
    second = _open(clerk_client, tanaka, card_with_certificates)
    assert first["Location"] == second["Location"]
    assert Case.objects.filter(resident=tanaka).count() == 1


def test_a_resident_not_registered_here_is_refused_with_the_reason_and_audited(
    clerk_client: Any, city: Any
) -> None:
    moved = f.ResidentFactory(municipality=city, not_registered=True)
    card = f.CardFactory(resident=moved)
    response = _open(clerk_client, moved, card)
    assert response.status_code == 400
    messages = [str(m) for m in response.context["messages"]]
    assert messages and all(m for m in messages)
    assert not Case.objects.filter(resident=moved).exists()
    assert AuditEvent.objects.filter(action="case_open_refused").exists()


def test_without_a_desk_nothing_is_opened(
    login: Any, clerk: Any, tanaka: Any, card_with_certificates: Any
) -> None:
    client = login(clerk, None)
    response = _open(client, tanaka, card_with_certificates)
    assert response.status_code == 400
    assert not Case.objects.exists()


def test_an_agent_needs_a_name(
    clerk_client: Any, tanaka: Any, card_with_certificates: Any
) -> None:
    response = _open(
        clerk_client, tanaka, card_with_certificates, applicant_role="voluntary_agent"
    )
    assert response.status_code == 400
    assert response.context["form"].errors["agent_name"]
    assert not Case.objects.exists()


def test_a_clerk_of_another_office_cannot_open_the_case_page(
    clerk_client: Any, tanaka: Any, card_with_certificates: Any, city: Any, login: Any
) -> None:
    response = _open(clerk_client, tanaka, card_with_certificates)
    branch = f.OfficeFactory(municipality=city)
    other_clerk = login(f.clerk(city, branch), None)
    assert other_clerk.get(response["Location"]).status_code == 404
