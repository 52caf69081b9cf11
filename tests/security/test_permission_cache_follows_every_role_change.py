"""Permissions come from the cache, without a database round trip per request,
and any change to who holds what takes effect on the very next request
(counter/accounts/backends.py, ADR 0022)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from counter.roles import ROLE_CLERK

pytestmark = pytest.mark.django_db

URL = "/api/v1/me/"


@pytest.fixture
def api(clerk):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=clerk)}")
    return client


def _permission_queries(api) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        status = api.get(URL).status_code
    return status, sum("auth_permission" in q["sql"] for q in queries)


def test_a_second_request_reads_no_permission_from_the_database(api):
    assert _permission_queries(api)[0] == 200
    assert _permission_queries(api) == (200, 0)


def test_the_user_and_staff_profile_come_with_the_token_in_one_query(api):
    """/me/ names the user's municipality and office: no query beyond the token's."""
    api.get(URL)
    with CaptureQueriesContext(connection) as queries:
        assert api.get(URL).status_code == 200
    assert len(queries) == 1
    assert "counter_staffprofile" in queries[0]["sql"]


def test_a_permission_taken_from_the_role_is_refused_on_the_next_request(api):
    assert _permission_queries(api)[0] == 200
    Group.objects.get(name=ROLE_CLERK).permissions.remove(
        Permission.objects.get(codename="view_case", content_type__app_label="counter")
    )
    assert api.get(URL).status_code == 403


def test_a_clerk_taken_out_of_the_role_is_refused_on_the_next_request(api, clerk):
    assert _permission_queries(api)[0] == 200
    clerk.groups.clear()
    assert api.get(URL).status_code == 403


def test_a_deactivated_account_is_refused_though_its_permissions_are_cached(api, clerk):
    assert _permission_queries(api)[0] == 200
    type(clerk).objects.filter(pk=clerk.pk).update(is_active=False)  # no signal
    response = api.get(URL)
    assert response.status_code in (401, 403)
    assert response.json()["code"] == "authentication-failed"


def test_a_permission_given_is_granted_on_the_next_request(make_staff, city):
    nobody = make_staff("nobody", ROLE_CLERK, city)
    nobody.groups.clear()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=nobody)}")
    assert client.get(URL).status_code == 403
    nobody.groups.add(Group.objects.get(name=ROLE_CLERK))
    assert client.get(URL).status_code == 200
