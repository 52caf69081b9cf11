"""The Content-Security-Policy of every HTML page (issue 11 §1, docs/security/asvs.md
V14.4.3): no inline script and no inline style anywhere, for every role of the role
matrix on every URL the resolver knows; the API docs page alone allows inline
styles (Swagger UI sets them), and says so in its own policy."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path
from typing import Any

import django
import pytest
from django.conf import settings

from .matrix_walk import routes, url_for
from .test_role_matrix import ROLES, samples  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


def _directives(policy: str) -> dict[str, list[str]]:
    parts = (part.split() for part in policy.split(";") if part.strip())
    return {words[0]: words[1:] for words in parts}


def test_no_html_page_allows_inline_styles_or_scripts_except_the_api_docs_style(
    logins: dict[str, Any],
    samples: dict[str, Any],  # noqa: F811 (the role matrix's fixture)
) -> None:
    pages, offending = 0, []
    for route in routes():
        url = url_for(route, samples)
        for role in ROLES:
            logins[role].raise_request_exception = False
            response = logins[role].get(url)
            if not response.get("Content-Type", "").startswith("text/html"):
                continue
            pages += 1
            policy = _directives(response.get("Content-Security-Policy", ""))
            scripts, styles = policy.get("script-src"), policy.get("style-src")
            allowed_style = route.name == "api-docs"
            if (
                not scripts
                or not styles
                or "'unsafe-inline'" in scripts
                or "'unsafe-eval'" in scripts
                or ("'unsafe-inline'" in styles) != allowed_style
            ):
                offending.append(
                    f"{role} {url}: {response.get('Content-Security-Policy')}"
                )
    assert not offending, "\n".join(offending[:20])
    assert pages >= 100, f"only {pages} HTML pages answered: the walk is broken"


def test_the_api_docs_page_keeps_its_scripts_to_files_of_the_application(client):
    policy = _directives(client.get("/api/v1/docs/")["Content-Security-Policy"])
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert policy["default-src"] == ["'self'"]


def test_the_admin_change_list_style_hash_matches_djangos_template() -> None:
    template = (
        Path(django.__file__).parent / "contrib/admin/templates/admin/change_list.html"
    ).read_text(encoding="utf-8")
    block = re.search(r"<style>(.*?)</style>", template, re.S)
    assert block is not None
    digest = base64.b64encode(hashlib.sha256(block[1].encode()).digest()).decode()
    policy: dict[str, Any] = settings.CONTENT_SECURITY_POLICY
    styles = policy["DIRECTIVES"]["style-src"]
    assert f"'sha256-{digest}'" in styles


def test_no_template_of_the_project_has_an_inline_style() -> None:
    """The PIN pad page is served by the desk agent on the desk PC, not by Django."""
    root = Path(settings.BASE_DIR) / "templates"
    found = [
        str(path.relative_to(root))
        for path in root.rglob("*.html")
        if re.search(r"<style|\sstyle=", path.read_text(encoding="utf-8"))
        and path.name != "pinpad.html"
    ]
    assert not found
