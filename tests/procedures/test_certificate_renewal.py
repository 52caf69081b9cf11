"""Certificate renewal (更新): the window opens 3 months before expiry (the day
after the same date), an early renewal runs to the 6th birthday, and renewing
revokes the old certificate at once — at the issuer too (§3)."""

from __future__ import annotations

import datetime as dt

import jpholiday
import pytest

from counter.constants import CertificateKind, CertificateStatus
from counter.errors import ApplicationError
from counter.models import Certificate
from counter.models.cases import CaseState
from tests import factories as f

from .conftest import applicant_doc, holder_card, holder_doc
from .helpers import finish, show

pytestmark = pytest.mark.django_db


def test_renewal_before_the_window_opens_is_refused_with_the_opening_date(
    resident, card, office, clerk, desk, counter_case
):
    f.CertificateFactory(card=card, expires_on=dt.date(2027, 4, 25))
    with pytest.raises(ApplicationError) as exc:
        counter_case(procedure="cert_renew", certificate_kinds=["signing"])
    assert exc.value.code == "renewal-window-not-open"
    assert exc.value.extra["opens_on"] == "2027-01-26"  # §3's example


def test_nothing_to_renew_after_expiry(
    resident, card, office, clerk, desk, counter_case
):
    f.CertificateFactory(card=card, expired=True)
    with pytest.raises(ApplicationError) as exc:
        counter_case(procedure="cert_renew", certificate_kinds=["signing"])
    assert exc.value.code == "no-certificate-to-renew"


def test_renewal_in_the_window_runs_to_the_6th_birthday_and_supersedes_the_old(
    resident, card, office, clerk, desk, agent, counter_case
):
    resident.birth_date = dt.date(1986, 8, 18)
    resident.save()
    old_signing = f.CertificateFactory(card=card, in_renewal_window=True)
    old_auth = f.CertificateFactory(
        card=card, in_renewal_window=True, authentication=True
    )
    case = counter_case(
        procedure="cert_renew", certificate_kinds=["signing", "authentication"]
    )
    case = finish(show(case, clerk, desk, holder_card()), clerk, desk, agent)
    assert case.state == CaseState.COMPLETED
    new = Certificate.objects.filter(card=card, status=CertificateStatus.ACTIVE)
    assert {c.expires_on for c in new} == {dt.date(2032, 8, 18)}  # 6th birthday
    for old in (old_signing, old_auth):
        old.refresh_from_db()
        assert old.status == CertificateStatus.REVOKED
        assert old.status_reason == "superseded"


def test_renewal_revokes_the_old_signing_certificate_at_the_issuer(
    resident, card, office, clerk, desk, agent, open_counter, counter_case
):
    from jpki_ops.models import IssuedCertificateRecord

    case = counter_case(
        procedure="cert_issue", certificate_kinds=["signing", "authentication"]
    )
    finish(show(case, clerk, desk, holder_card()), clerk, desk, agent)
    first = Certificate.objects.get(card=card, kind=CertificateKind.SIGNING)

    day = first.expires_on - dt.timedelta(days=40)
    while day.weekday() >= 5 or jpholiday.is_holiday(day):  # a working day (§16)
        day += dt.timedelta(days=1)
    open_counter.move_to(dt.datetime.combine(day, dt.time(1, 0), tzinfo=dt.UTC))
    case = counter_case(procedure="cert_renew", certificate_kinds=["signing"])
    finish(show(case, clerk, desk, holder_card()), clerk, desk, agent)

    record = IssuedCertificateRecord.objects.get(serial=first.serial_number.lower())
    assert record.state == "revoked" and record.revocation_reason == 4  # superseded
    first.refresh_from_db()
    assert first.status == CertificateStatus.REVOKED


def test_voluntary_agent_renews_in_one_visit_with_the_jlis_answer_sheet(
    resident, card, office, clerk, desk, agent, counter_case
):
    """§6.2 one-visit renewal while the certificate is still valid."""
    f.CertificateFactory(card=card, in_renewal_window=True)
    case = counter_case(
        procedure="cert_renew",
        applicant_role="voluntary_agent",
        certificate_kinds=["signing"],
        uses_jlis_answer_sheet=True,
        shown=[
            holder_card(),
            holder_doc("inquiry_and_answer_sheet", sealed=True),
            applicant_doc("driving_licence"),
        ],
    )
    case = finish(case, clerk, desk, agent)
    assert case.state == CaseState.COMPLETED and case.visit == 1


def test_guardian_renews_an_adult_wards_user_authentication_certificate(
    city, office, clerk, desk, agent, counter_case
):
    """§7: no age or capacity limit for the user-authentication certificate; the
    legal representative applies with ID and proof (§5.2)."""
    ward = f.ResidentFactory(municipality=city, adult_ward=True)
    card = f.CardFactory(resident=ward)
    f.CertificateFactory(card=card, authentication=True, in_renewal_window=True)
    case = counter_case(
        resident=ward,
        card=card,
        procedure="cert_renew",
        applicant_role="legal_representative",
        certificate_kinds=["authentication"],
        shown=[
            holder_card(),
            applicant_doc("passport"),
            applicant_doc("guardianship_registry_certificate"),
        ],
    )
    assert finish(case, clerk, desk, agent).state == CaseState.COMPLETED
