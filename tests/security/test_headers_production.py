"""Web hardening headers (issue 11 §1, §9): CSP without inline script, a
Permissions-Policy, no-store on pages with personal data, Swagger UI from the app."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk_client(city: Any) -> Client:
    client = Client()
    client.force_login(f.clerk(city))
    return client


def test_the_csp_allows_no_inline_script_and_nothing_from_outside(clerk_client):
    csp = clerk_client.get("/counter/")["Content-Security-Policy"]
    script = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script
    assert "http" not in csp
    assert "frame-ancestors 'none'" in csp


def test_every_inline_script_carries_the_response_nonce(clerk_client):
    response = clerk_client.get("/counter/")
    csp = response["Content-Security-Policy"]
    nonce = csp.split("'nonce-")[1].split("'")[0] if "'nonce-" in csp else None
    page = response.content.decode()
    for tag in page.split("<script")[1:]:
        head = tag.split(">", 1)[0]
        assert "src=" in head or (nonce and f'nonce="{nonce}"' in head), head
    assert "onclick=" not in page


def test_permissions_policy_and_no_store_on_a_page_with_personal_data(clerk_client):
    response = clerk_client.get("/counter/")
    assert "camera=()" in response["Permissions-Policy"]
    assert response["Cache-Control"] == "no-store"
    assert clerk_client.get("/api/v1/me/")["Cache-Control"] == "no-store"


def test_swagger_ui_is_served_by_the_application(clerk_client):
    page = clerk_client.get("/api/v1/docs/").content.decode()
    assert "cdn" not in page.lower() and "unpkg" not in page
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in page


def test_the_open_redirect_on_the_desk_choice_is_closed(clerk_client):
    for target in ("https://evil.example/phish", "//evil.example/x"):
        response = clerk_client.post("/counter/desk/", {"desk": "", "next": target})
        assert "evil.example" not in response["Location"]
