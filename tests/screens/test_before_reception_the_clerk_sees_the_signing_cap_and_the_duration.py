"""Before a case is opened (受付), the new-case screen tells the clerk:

- §3.1: a signing certificate renewed alone ends with the user-authentication
  certificate — the capped day and the day both would run to, in 和暦;
- §16.1: about how long each procedure takes, from the city's profile.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from counter.models import ProcedureDuration
from tests import factories as f

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def renewal_due(city: Any) -> Any:
    """Born 1980-06-10; both certificates end 2027-01-20, inside the window on the
    frozen day (2026-11-26); the card runs to 2032-06-10."""
    person = f.ResidentFactory(municipality=city, birth_date=D(1980, 6, 10))
    card = f.CardFactory(
        resident=person, issued_on=D(2022, 1, 15), expires_on=D(2032, 6, 10)
    )
    for trait in ({"authentication": True}, {}):
        f.CertificateFactory(
            card=card, issued_on=D(2022, 1, 15), expires_on=D(2027, 1, 20), **trait
        )
    return person


def _page(client: Any, resident: Any) -> str:
    response = client.get(reverse("counter:case-new", args=[resident.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_renewing_only_the_signing_certificate_shows_the_capped_expiry_in_wareki(
    clerk_client: Any, renewal_due: Any
) -> None:
    page = _page(clerk_client, renewal_due)
    assert 'id="signing-cap-warning"' in page
    # Alone: cut to the user-authentication certificate's end (2027-01-20);
    # together: the 6th birthday, capped by the card (2032-06-10).
    assert "署名用電子証明書だけを今回更新・発行すると" in page
    assert "令和9年1月20日までになります" in page
    assert "令和14年6月10日まで有効" in page


def test_no_cap_warning_when_the_user_authentication_certificate_runs_longer(
    clerk_client: Any, city: Any
) -> None:
    person = f.ResidentFactory(municipality=city, birth_date=D(1980, 6, 10))
    card = f.CardFactory(
        resident=person, issued_on=D(2022, 1, 15), expires_on=D(2032, 6, 10)
    )
    f.CertificateFactory(
        card=card,
        authentication=True,
        issued_on=D(2026, 7, 1),
        expires_on=D(2031, 6, 10),
    )
    f.CertificateFactory(card=card, issued_on=D(2022, 1, 15), expires_on=D(2027, 1, 20))
    assert 'id="signing-cap-warning"' not in _page(clerk_client, person)


def test_no_cap_warning_for_a_child_without_a_signing_certificate(
    clerk_client: Any, city: Any
) -> None:
    child = f.ResidentFactory(municipality=city, under_15=True)
    card = f.CardFactory(resident=child)
    f.CertificateFactory(card=card, authentication=True)
    assert 'id="signing-cap-warning"' not in _page(clerk_client, child)


def test_the_expected_duration_per_procedure_comes_from_the_profile(
    clerk_client: Any, city: Any, renewal_due: Any
) -> None:
    page = _page(clerk_client, renewal_due)
    # The seed city's figures, installed with the municipality.
    assert "所要時間の目安" in page
    assert "電子証明書の発行 約20分" in page and "電子証明書の更新 約20分" in page
    assert "暗証番号の初期化 約" not in page  # no figure is invented
    ProcedureDuration.objects.create(
        profile=city.profile, procedure="pin_reset", minutes=15
    )
    ProcedureDuration.objects.filter(
        profile=city.profile, procedure="cert_issue"
    ).update(minutes=30)
    page = _page(clerk_client, renewal_due)
    assert "暗証番号の初期化 約15分" in page and "電子証明書の発行 約30分" in page
