"""The API token's and the session's user, with the staff profile, are read with
SQL compiled once per process and are the objects Django's own query builds;
a deleted token, a deactivated user and a stranger's key are refused at once
(counter/accounts/backends.py; counter/selectors/compiled.py; issue 14)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from counter.accounts.backends import (
    PROFILE,
    CachedModelBackend,
    ProfileTokenAuthentication,
)
from tests import factories as f

pytestmark = pytest.mark.django_db

#: DRF answers 403, not 401, when the first authentication class (the session)
#: names no ``WWW-Authenticate`` scheme.
REFUSED = (401, 403)


def _fields(obj: Any) -> dict[str, Any]:
    return {k: v for k, v in vars(obj).items() if k != "_state"}


def _same_user_and_profile(found: Any, expected: Any) -> None:
    assert type(found) is type(expected)
    assert _fields(found) == _fields(expected)
    profile, expected_profile = found.staff_profile, expected.staff_profile
    assert _fields(profile) == _fields(expected_profile)
    assert _fields(profile.municipality) == _fields(expected_profile.municipality)
    assert _fields(profile.office) == _fields(expected_profile.office)
    assert found._state.adding is False and found._state.db == "default"


def test_the_tokens_user_is_the_one_djangos_query_builds(city):
    clerk = f.clerk(city)
    token = Token.objects.create(user=clerk)
    expected = Token.objects.select_related(*(f"user__{p}" for p in PROFILE)).get(
        key=token.key
    )

    for _ in range(2):  # compiled on the first call, re-bound on the second
        with CaptureQueriesContext(connection) as queries:
            user, found = ProfileTokenAuthentication().authenticate_credentials(
                token.key
            )
        assert len(queries) == 1
        assert _fields(found) == _fields(expected)
        _same_user_and_profile(user, expected.user)


def test_the_sessions_user_is_the_one_djangos_query_builds(city):
    clerk = f.clerk(city)
    expected = get_user_model().objects.select_related(*PROFILE).get(pk=clerk.pk)

    for user_id in (clerk.pk, str(clerk.pk)):  # the session keeps it as text
        with CaptureQueriesContext(connection) as queries:
            user = CachedModelBackend().get_user(user_id)
        assert len(queries) == 1
        _same_user_and_profile(user, expected)


def test_a_user_without_a_staff_profile_reads_as_django_reads_it(city):
    plain = get_user_model().objects.create_user("installation-admin")
    expected = get_user_model().objects.select_related(*PROFILE).get(pk=plain.pk)
    user = CachedModelBackend().get_user(plain.pk)
    assert _fields(user) == _fields(expected)
    with pytest.raises(get_user_model().staff_profile.RelatedObjectDoesNotExist):
        user.staff_profile  # noqa: B018


def test_a_deleted_token_a_deactivated_user_and_a_strangers_key_are_refused(city):
    clerk = f.clerk(city)
    token = Token.objects.create(user=clerk)
    client = Client()
    header = f"Token {token.key}"
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=header).status_code == 200

    stranger = f"Token {'0' * 40}"
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=stranger).status_code in REFUSED
    clerk.is_active = False
    clerk.save(update_fields=["is_active"])
    with pytest.raises(AuthenticationFailed):
        ProfileTokenAuthentication().authenticate_credentials(token.key)
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=header).status_code in REFUSED

    clerk.is_active = True
    clerk.save(update_fields=["is_active"])
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=header).status_code == 200
    token.delete()
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=header).status_code in REFUSED


def test_an_unknown_or_malformed_session_user_is_nobody(city):
    backend = CachedModelBackend()
    assert backend.get_user(987_654_321) is None
    assert backend.get_user("not-a-number") is None
