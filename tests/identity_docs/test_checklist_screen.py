"""The clerk's checklist screen: plain form, Japanese sentences, the htmx partial,
and recording the result for a case (issue 3 §6)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from identity_docs.models import EvidencePresented

pytestmark = pytest.mark.django_db

URL = "/identity-documents/checklist/"


@pytest.fixture
def browser(clerk: Any) -> Client:
    client = Client()
    client.force_login(clerk)
    return client


def test_the_checklist_needs_a_login():
    response = Client().get(URL)
    assert response.status_code == 302


def test_an_empty_checklist_says_in_japanese_what_is_missing(browser):
    response = browser.get(
        URL, {"procedure": "pin_reset", "role": "holder", "visit": 1}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "まだ書類が足りません" in html
    assert "本人のマイナンバーカード" in html
    assert "マイナンバーカード以外のAの書類1点" in html
    assert 'name="doc" value="passport@holder"' in html
    assert "htmx" in html


def test_ticking_the_card_and_a_passport_satisfies_a_holders_reset(browser):
    response = browser.get(
        URL,
        {
            "procedure": "pin_reset",
            "role": "holder",
            "visit": 1,
            "doc": ["my_number_card@holder", "passport@holder"],
        },
    )
    html = response.content.decode()
    assert "手続きできます" in html
    assert "まだ書類が足りません" not in html


def test_the_htmx_request_gets_only_the_partial(browser):
    response = browser.get(
        URL,
        {"procedure": "pin_reset", "role": "holder", "visit": 1},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert html.lstrip().startswith("<section") or 'id="id-checklist"' in html[:200]
    assert "<html" not in html


def test_a_copy_and_a_bad_date_are_explained(browser):
    response = browser.get(
        URL,
        {
            "procedure": "pin_reset",
            "role": "holder",
            "visit": 1,
            "doc": [
                "my_number_card@holder",
                "driving_history_certificate@holder",
                "passport@holder",
            ],
            "copy_passport@holder": "1",
            "issued_driving_history_certificate@holder": "2011-12-01",
        },
    )
    html = response.content.decode()
    assert "コピーは受け付けできません" in html
    assert "平成24年4月1日以後" in html


@pytest.mark.parametrize(
    "params",
    [
        {"procedure": "pin_unlock", "role": "holder", "visit": 1},
        {"procedure": "pin_reset", "role": "friend", "visit": 1},
        {"procedure": "pin_reset", "role": "holder", "visit": 2},
        {"procedure": "pin_reset", "role": "holder", "visit": "x"},
    ],
    ids=["unknown procedure", "unknown role", "visit 2 for a holder", "bad visit"],
)
def test_bad_parameters_get_a_400_page_in_japanese(browser, params):
    response = browser.get(URL, params)
    assert response.status_code == 400


def test_the_case_checklist_records_the_documents_shown(browser, make_case):
    case = make_case("pin_reset", "voluntary_agent", ref="C-9")
    page = browser.get(URL, {"case": case.pk, "visit": 1})
    assert page.status_code == 200
    assert "C-9" in page.content.decode()
    response = browser.post(
        "/identity-documents/checklist/record/",
        {
            "case": case.pk,
            "visit": 1,
            "doc": ["my_number_card@holder", "driving_licence@applicant"],
        },
    )
    assert response.status_code == 302
    rows = EvidencePresented.objects.filter(case=case).order_by("pk")
    assert [(r.kind.code, r.owner, r.accepted) for r in rows] == [
        ("my_number_card", "holder", True),
        ("driving_licence", "applicant", True),
    ]


def test_recording_needs_the_permission_and_a_refusal_is_audited(make_case, city):
    from django.contrib.auth.models import User

    from counter.models import AuditEvent, StaffProfile

    user = User.objects.create_user("no-perm", password="x")
    StaffProfile.objects.create(
        user=user, municipality=city, office=city.offices.get(code="honcho")
    )
    client = Client()
    client.force_login(user)
    case = make_case("pin_reset", "holder", ref="C-3")
    response = client.post(
        "/identity-documents/checklist/record/",
        {"case": case.pk, "visit": 1, "doc": ["my_number_card@holder"]},
    )
    # No counter work at all: refused at the screen's door (docs/security/roles.md).
    assert response.status_code == 403
    assert not EvidencePresented.objects.filter(case=case).exists()
    assert AuditEvent.objects.filter(action="screen_access_refused").exists()
