"""What a clerk met walking the demo (issue 15): Japanese whatever the browser
asks, Japanese error pages with a way back, no raw codes, 和暦 dates, one open
case per resident and procedure, the desk kept across a new login, the receipt."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from counter.constants import CardStatus, CertificateStatus
from counter.models import Case
from counter.screens.common import DESK_SESSION_KEY
from identity_docs.models import EvidencePresented
from tests import factories as f

pytestmark = pytest.mark.django_db

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


class _Text(HTMLParser):
    """The text a person sees: no tags, no script or style bodies."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(response: Any) -> str:
    parser = _Text()
    parser.feed(response.content.decode())
    return " ".join(" ".join(parser.parts).split())


def test_an_english_browser_still_gets_the_japanese_counter(
    clerk: Any, desk: Any
) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    client.cookies["django_language"] = "en"
    login = client.get(reverse("login"))
    assert "ログイン" in visible_text(login)
    client.force_login(clerk)
    queue = client.get(reverse("counter:queue"))
    assert 'lang="ja"' in queue.content.decode()
    assert "Today's queue" not in visible_text(queue)


def test_a_missing_page_is_japanese_with_a_way_back(clerk_client: Any) -> None:
    response = clerk_client.get(
        "/counter/cases/C000000-NOSUCH/", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 404
    text = visible_text(response)
    assert "このページは存在しません" in text
    assert 'href="/"' in response.content.decode()


def test_a_refused_page_is_japanese_with_a_way_back(city: Any) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(_nobody())
    response = client.get(reverse("counter:queue"))
    assert response.status_code == 403
    assert "権限がありません" in visible_text(response)
    assert 'href="/"' in response.content.decode()


def _nobody() -> Any:
    return User.objects.create_user("nobody", password="x-nobody-password")


def test_an_expired_form_is_explained_in_japanese(clerk: Any, desk: Any) -> None:
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(clerk)
    response = client.post(reverse("counter:choose-desk"), {"desk": desk.pk})
    assert response.status_code == 403
    assert "フォームを送信できませんでした" in visible_text(response)


def test_every_page_has_a_favicon_served_from_this_server(clerk_client: Any) -> None:
    page = clerk_client.get(reverse("counter:queue")).content.decode()
    assert 'rel="icon" href="/static/counter/favicon.svg"' in page
    assert finders.find("counter/favicon.svg")


def test_the_catalogue_translations_say_what_they_mean() -> None:
    with translation.override("ja"):
        assert str(EvidencePresented._meta.verbose_name_plural) == "提示書類"
        assert str(CardStatus.LAPSED.label) != str(CertificateStatus.REVOKED.label)


@pytest.fixture
def case(tanaka: Any, card_with_certificates: Any, desk: Any, clerk: Any) -> Case:
    return f.CaseFactory(
        resident=tanaka,
        card=card_with_certificates,
        office=desk.office,
        clerk=clerk,
        desk=desk,
        procedure="pin_reset",
        pin_kinds=["signing"],
    )


def test_the_history_names_every_event_and_shows_no_code(
    clerk_client: Any, case: Case
) -> None:
    text = visible_text(
        clerk_client.get(reverse("counter:case", args=[case.reference]))
    )
    assert "case_opened" not in text
    assert not re.search(r"\b[a-z]+(?:_[a-z]+)+\b", text), text


def test_birth_dates_are_shown_in_the_japanese_era(
    clerk_client: Any, tanaka: Any, case: Case
) -> None:
    page = clerk_client.get(reverse("counter:case", args=[case.reference]))
    text = visible_text(page)
    assert tanaka.birth_date.isoformat() not in text
    assert re.search(r"(昭和|平成|令和)(元|\d+)年\d+月\d+日", text)


def test_a_second_open_case_for_the_same_procedure_is_refused_with_a_link(
    clerk_client: Any, case: Case, tanaka: Any, card_with_certificates: Any
) -> None:
    response = clerk_client.post(
        reverse("counter:case-new", args=[tanaka.pk]),
        {
            "procedure": "pin_reset",
            "applicant_role": "holder",
            "pin_kinds": ["signing"],
            "card": card_with_certificates.pk,
            "idempotency_key": "a-new-form-after-back",
        },
    )
    assert response.status_code == 400
    assert Case.objects.filter(resident=tanaka).count() == 1
    assert reverse("counter:case", args=[case.reference]) in response.content.decode()
    assert "処理中の案件" in visible_text(response)


def test_the_desk_survives_logging_out_and_in_again(clerk: Any, desk: Any) -> None:
    client = Client()
    client.force_login(clerk)
    client.post(reverse("counter:choose-desk"), {"desk": desk.pk})
    client.post(reverse("logout"))
    client.force_login(clerk)
    page = client.get(reverse("counter:queue"))
    assert page.context["desk"] == desk
    assert client.session[DESK_SESSION_KEY] == desk.pk


def test_no_page_uses_one_access_key_twice(
    clerk_client: Any, case: Case, tanaka: Any
) -> None:
    for url in (
        reverse("counter:queue"),
        reverse("counter:reception"),
        reverse("counter:case-new", args=[tanaka.pk]),
        reverse("counter:pickup"),
        reverse("counter:case", args=[case.reference]),
        reverse("counter:receipt", args=[case.reference]),
    ):
        keys = re.findall(r'accesskey="(.)"', clerk_client.get(url).content.decode())
        assert len(keys) == len(set(keys)), (url, keys)


def test_the_agent_receipt_says_who_typed_the_pin_and_uses_era_dates(
    clerk_client: Any, tanaka: Any, card_with_certificates: Any, desk: Any
) -> None:
    done = f.CaseFactory(
        resident=tanaka,
        card=card_with_certificates,
        office=desk.office,
        desk=desk,
        procedure="pin_reset",
        pin_kinds=["signing"],
        state="completed",
    )
    url = reverse("counter:receipt", args=[done.reference])
    receipt = visible_text(clerk_client.get(url))
    with translation.override("ja"):
        never_asked = gettext(
            "Keep your PINs to yourself. "
            "City staff will never ask you to tell them a PIN."
        )
    assert never_asked in receipt and "封をした回答書" not in receipt
    assert not ISO_DATE.search(receipt), receipt
    assert re.search(r"令和(元|\d+)年", receipt)
    Case.objects.filter(pk=done.pk).update(
        applicant_role="voluntary_agent", applicant_name="代理 花子"
    )
    agent_receipt = visible_text(clerk_client.get(url))
    assert "封をした回答書" in agent_receipt and never_asked not in agent_receipt
    assert not ISO_DATE.search(agent_receipt), agent_receipt
