"""The supervisor console shows a bounded page of each list, the count of all
its rows, and a link to the page after the last row shown (keyset paging,
docs/adr/0022-api-pages-cached-permissions-and-sessions.md)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from counter.console.views import CONSOLE_PAGE
from counter.models.cases import CaseState
from tests import factories as f

pytestmark = pytest.mark.django_db

URL = reverse("counter:console:index")


def _references(html: str) -> list[str]:
    section = html.split('id="approvals"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'href="/counter/cases/([^/"]+)/"', section)


def test_approvals_come_a_page_at_a_time_each_case_once(city, office, supervisor):
    waiting = [
        f.CaseFactory(
            resident=f.ResidentFactory(municipality=city),
            office=office,
            state=CaseState.AWAITING_APPROVAL,
        ).reference
        for _ in range(CONSOLE_PAGE + 3)
    ]
    browser = Client()
    browser.force_login(supervisor)
    first = browser.get(URL).content.decode()
    assert f"<strong>{CONSOLE_PAGE + 3}</strong>" in first  # the count of all
    shown = _references(first)
    assert shown == waiting[:CONSOLE_PAGE]
    link = re.search(r'<a href="(\?approvals=[^"#]+)#approvals">', first)
    assert link is not None
    second = browser.get(URL + link.group(1).replace("&amp;", "&")).content.decode()
    assert _references(second) == waiting[CONSOLE_PAGE:]
    assert (
        "?approvals="
        not in second.split('id="approvals"', 1)[1].split("</section>", 1)[0]
    )


def test_a_cursor_the_console_did_not_give_out_shows_the_first_page(
    city, office, supervisor
):
    case = f.CaseFactory(
        resident=f.ResidentFactory(municipality=city),
        office=office,
        state=CaseState.AWAITING_APPROVAL,
    )
    browser = Client()
    browser.force_login(supervisor)
    response = browser.get(URL, {"approvals": "garbage"})
    assert response.status_code == 200
    assert _references(response.content.decode()) == [case.reference]
