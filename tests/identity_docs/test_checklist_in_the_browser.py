"""The checklist in real Chromium: ticking boxes updates the answer without a
reload (htmx), in plain Japanese (issue 3 §6). Screenshots: test-artifacts/."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = [
    pytest.mark.e2e,
    # The live server needs committed rows; the groups and catalogue that the
    # migrations wrote come back even after an earlier test flushed the tables.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "identity_docs"


@pytest.fixture
def page(live_server: Any, transactional_db: Any) -> Iterator[Any]:
    from django.contrib.auth.models import Group, User
    from django.test import Client
    from playwright.sync_api import sync_playwright

    from counter.models import StaffProfile
    from counter.services.municipalities import municipality_create
    from identity_docs.services import identity_document_kinds_load

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    identity_document_kinds_load()  # a flushed database lost the migration's rows
    city = municipality_create(
        code="142123",
        name="厚木市",
        main_office={"code": "honcho", "name": "厚木市 本庁", "phone": "046-0"},
    )
    user = User.objects.create_user("clerk-e2e", password="x")
    user.groups.add(Group.objects.get(name="clerk"))
    StaffProfile.objects.create(
        user=user, municipality=city, office=city.offices.get(code="honcho")
    )
    client = Client()
    client.force_login(user)
    session = client.cookies["sessionid"].value
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        context = browser.new_context(
            locale="ja-JP", viewport={"width": 1200, "height": 900}
        )
        context.add_cookies(
            [{"name": "sessionid", "value": session, "url": live_server.url}]
        )
        context.set_default_timeout(15_000)
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()


def test_ticking_documents_updates_the_checklist_in_japanese(page, live_server):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.goto(
        f"{live_server.url}/identity-documents/checklist/"
        "?procedure=pin_reset&role=holder&visit=1"
    )
    result = page.get_by_test_id("checklist-result")
    assert "まだ書類が足りません" in result.inner_text()
    assert "本人のマイナンバーカード" in result.inner_text()
    page.screenshot(path=str(ARTIFACTS / "01-empty.png"), full_page=True)

    page.locator('input[name="doc"][value="my_number_card@holder"]').check()
    # A locator wait, not a script string: the page's CSP forbids eval.
    page.locator('[data-rule="card"]').wait_for(state="detached")
    assert "マイナンバーカード以外" in result.inner_text()

    # A row asks for its details (写しのみ) only once it is ticked.
    page.locator('input[name="doc"][value="passport@holder"]').check()
    page.locator('input[name="copy_passport@holder"]').check()
    page.wait_for_selector('tr.rejected[data-key="passport@holder"]')
    assert (
        "コピーは受け付けできません"
        in page.locator('tr[data-key="passport@holder"]').inner_text()
    )

    page.locator('input[name="copy_passport@holder"]').uncheck()
    page.wait_for_selector('tr.used[data-key="passport@holder"]')
    assert "手続きできます" in page.get_by_test_id("checklist-result").inner_text()
    page.screenshot(path=str(ARTIFACTS / "02-satisfied.png"), full_page=True)
    assert "doc=passport%40holder" in page.url  # the state is in the address
