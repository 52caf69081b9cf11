"""The README's walkthroughs work in the demo on any day of the year (issue 13):
the demo data is made relative to the day it is loaded, and the demo's main office
is open around the clock, holidays included. Each walkthrough's case is opened
from the demo data through the services, on PostgreSQL, on twelve days."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from freezegun import freeze_time

from counter.demo import load_demo_data
from counter.letters.models import InquiryLetter
from counter.letters.services import letter_render
from counter.models import Case, Desk, Office, Resident
from counter.models.cases import CaseState
from counter.services.case_documents import case_record_documents
from counter.services.case_opening import case_open
from counter.services.visits import case_second_visit, case_send_inquiry
from counter.validity import in_renewal_window

from .by_post import letter_mailed

pytestmark = pytest.mark.django_db

#: Weekdays, weekends and national holidays across the year, and a day whose
#: renewal birthday would be 29 February (2028-01-15 + 45 days).
DAYS = [
    "2026-01-01",  # 元日, a holiday in the year-end closure
    "2026-01-12",  # 成人の日 (Monday holiday)
    "2026-02-11",  # 建国記念の日
    "2026-02-28",  # Saturday
    "2026-03-29",  # Sunday
    "2026-04-29",  # 昭和の日
    "2026-05-05",  # こどもの日
    "2026-07-20",  # 海の日
    "2026-09-23",  # 秋分の日
    "2026-11-03",  # 文化の日
    "2026-12-31",  # New Year's Eve, Thursday
    "2028-01-15",  # Saturday; 45 days on is 29 February 2028
]


def _demo(register_id: str) -> tuple[Resident, Any, Desk, Office]:
    resident = Resident.objects.get(register_id=register_id)
    office = Office.objects.get(municipality=resident.municipality, code="honcho")
    desk = Desk.objects.get(office=office, code="desk-1")
    clerk = get_user_model().objects.get(username="clerk")
    return resident, clerk, desk, office


def _holder_pin_reset(day: str) -> Case:
    """Walkthrough 1: 田中 誠 (D0009), signing password locked, by himself."""
    resident, clerk, desk, office = _demo("D0009")
    case = case_open(
        resident=resident,
        office=office,
        desk=desk,
        procedure="pin_reset",
        applicant_role="holder",
        pin_kinds=["signing"],
        actor=clerk,
        card=resident.cards.get(),
    )
    case, evaluation = case_record_documents(
        case=case,
        actor=clerk,
        desk=desk,
        documents=[
            {"code": "my_number_card", "owner": "holder"},
            {"code": "passport", "owner": "holder"},
        ],
    )
    assert evaluation.satisfied, day
    return case


def _agent_pin_reset(day: str, frozen: Any) -> Case:
    """Walkthrough 2: 松本 隆 (D0018) by his daughter: visit 1, the letter printed
    and mailed by the back office, visit 2 on the next day (§6.3)."""
    resident, clerk, desk, office = _demo("D0018")
    case = case_open(
        resident=resident,
        office=office,
        desk=desk,
        procedure="pin_reset",
        applicant_role="voluntary_agent",
        pin_kinds=["signing"],
        applicant_name="松本 花子",
        applicant_address=resident.address,
        applicant_relation="長女",
        actor=clerk,
        card=resident.cards.get(),
    )
    case, evaluation = case_record_documents(
        case=case,
        actor=clerk,
        desk=desk,
        documents=[
            {"code": "my_number_card", "owner": "holder"},
            {"code": "driving_licence", "owner": "applicant"},
        ],
    )
    assert evaluation.satisfied, day
    case = case_send_inquiry(case=case, actor=clerk, desk=desk)
    letter = InquiryLetter.objects.get(case=case)
    letter_render(letter_id=letter.pk)
    letter_mailed(letter.pk)
    frozen.tick(dt.timedelta(days=1))
    return case_second_visit(reference=case.letter_reference, actor=clerk, desk=desk)


def _renewal(day: str) -> Case:
    """Walkthrough 3: 渡辺 大輔 (D0012) renews his signing certificate (§3)."""
    resident, clerk, desk, office = _demo("D0012")
    card = resident.cards.get()
    today = dt.date.fromisoformat(day)
    for certificate in card.certificates.all():
        assert in_renewal_window(certificate.expires_on, today), (day, certificate)
    return case_open(
        resident=resident,
        office=office,
        desk=desk,
        procedure="cert_renew",
        applicant_role="holder",
        certificate_kinds=["signing"],
        actor=clerk,
        card=card,
    )


def _lifting(day: str) -> Case:
    """What else to try: 伊藤 由美 (D0010) found her suspended card (§10)."""
    resident, clerk, desk, office = _demo("D0010")
    card = resident.cards.get()
    assert card.status == "suspended", day
    return case_open(
        resident=resident,
        office=office,
        desk=desk,
        procedure="suspension_lift",
        applicant_role="holder",
        actor=clerk,
        card=card,
    )


@pytest.mark.parametrize("day", DAYS)
def test_every_readme_walkthrough_opens_from_the_demo_data_on_any_day(
    day: str, settings: Any, issuer_state_dir: Any
) -> None:
    settings.JPKI_ISSUER_STATE_DIR = str(issuer_state_dir)
    with freeze_time(f"{day} 10:00:00+09:00", tick=True) as frozen:
        load_demo_data()
        assert _holder_pin_reset(day).state == CaseState.DOCUMENTS_CHECKED
        assert _renewal(day).state == CaseState.RECEIVED
        assert _lifting(day).state == CaseState.RECEIVED
        case = _agent_pin_reset(day, frozen)
        assert case.state == CaseState.RECEIVED and case.visit == 2
