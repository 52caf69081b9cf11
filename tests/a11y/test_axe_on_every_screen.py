"""axe-core over every screen a clerk or supervisor uses, in real Chromium.

axe-core comes from the npm registry (``.ci/run`` installs it into ``.ci/node``)
and is injected by Playwright; nothing is loaded from outside at run time. A page
passes when axe finds no serious or critical violation.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests import factories as f
from tests.e2e.conftest import PASSWORD, REPO

pytestmark = [
    pytest.mark.a11y,
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

AXE = REPO / ".ci" / "node" / "node_modules" / "axe-core" / "axe.min.js"

_RUN_AXE = """async () => {
  const r = await axe.run(document, {resultTypes: ['violations']});
  return r.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
}"""


def serious_violations(page: Any) -> list[dict[str, Any]]:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing (npm install --prefix .ci/node axe-core@4)")
    page.add_script_tag(path=str(AXE))
    return list(page.evaluate(_RUN_AXE))


def log_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_load_state()


@pytest.fixture
def screens(counter_world: Any, live_server: Any, chromium: Any) -> Any:
    """A clerk's browser at the desk, a resident with an open case."""
    world = counter_world
    resident = f.ResidentFactory(
        municipality=world.municipality, name="田中 誠", name_kana="タナカ マコト"
    )
    card = f.CardFactory(resident=resident)
    f.CertificateFactory(card=card, authentication=True)
    f.CertificateFactory(card=card)
    case = f.CaseFactory(
        resident=resident,
        card=card,
        office=world.office,
        clerk=world.clerk,
        desk=world.desk,
        procedure="pin_reset",
        pin_kinds=["signing"],
    )
    context = chromium.new_context(
        locale="ja-JP", viewport={"width": 1366, "height": 768}, bypass_csp=True
    )
    page = context.new_page()
    base = live_server.url
    log_in(page, base, "clerk")
    page.goto(f"{base}/counter/")
    page.select_option("#id_desk", value=str(world.desk.pk))
    page.click("form[action$='/desk/'] button[type=submit]")
    page.wait_for_selector(".desk-chip")
    yield {
        "page": page,
        "base": base,
        "case": case,
        "resident": resident,
        "world": world,
    }
    context.close()


def _check(page: Any, url: str, name: str) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    found = serious_violations(page)
    assert found == [], f"{name}: " + json.dumps(found, ensure_ascii=False, indent=1)


CLERK_PAGES = {
    "queue": "/counter/",
    "reception": "/counter/reception/?q=たなか",
    "new-case": "/counter/reception/{resident}/",
    "case-documents-step": "/counter/cases/{reference}/",
    "second-visit": "/counter/pickup/",
    "receipt": "/counter/cases/{reference}/receipt/",
    "home": "/",
    "not-found": "/counter/cases/C000000-NOSUCH/",
}


@pytest.mark.parametrize("name", sorted(CLERK_PAGES))
def test_a_clerk_screen_has_no_serious_accessibility_violation(
    screens: Any, name: str
) -> None:
    path = CLERK_PAGES[name].format(
        resident=screens["resident"].pk, reference=screens["case"].reference
    )
    _check(screens["page"], screens["base"] + path, name)


def test_the_login_page_has_no_serious_accessibility_violation(
    counter_world: Any, live_server: Any, chromium: Any
) -> None:
    context = chromium.new_context(locale="ja-JP", bypass_csp=True)
    try:
        _check(context.new_page(), f"{live_server.url}/accounts/login/", "login")
    finally:
        context.close()


SUPERVISOR_PAGES = {
    "console": "/counter/console/",
    "admin-index": "/admin/",
    "admin-cases": "/admin/counter/case/",
    "admin-case": "/admin/counter/case/{case}/change/",
    "admin-letters": "/admin/counter/inquiryletter/",
    "admin-audit": "/admin/counter/auditevent/",
    "admin-residents": "/admin/counter/resident/",
}


@pytest.mark.parametrize("name", sorted(SUPERVISOR_PAGES))
def test_a_supervisor_page_has_no_serious_accessibility_violation(
    screens: Any, chromium: Any, name: str
) -> None:
    context = chromium.new_context(
        locale="ja-JP", viewport={"width": 1366, "height": 768}, bypass_csp=True
    )
    try:
        page = context.new_page()
        log_in(page, screens["base"], "supervisor")
        path = SUPERVISOR_PAGES[name].format(case=screens["case"].pk)
        _check(page, screens["base"] + path, name)
    finally:
        context.close()
