"""The API's throttle counts a sliding window in two counters (issue 14, ADR 0030):
the limit holds within a window and across its boundary, and the cost of a request
does not grow with the rate."""

from __future__ import annotations

import pickle
from typing import Any

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from counter.accounts.throttles import EndpointClassThrottle

pytestmark = pytest.mark.django_db

SEARCH = "/api/v1/residents/"


@pytest.fixture
def api(clerk: Any, settings: Any) -> APIClient:
    settings.API_THROTTLE_READ_RATE = "10/min"
    cache.clear()
    client = APIClient()
    client.force_authenticate(clerk)
    return client


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    now = [6_000_000.0]  # the start of a minute
    monkeypatch.setattr(EndpointClassThrottle, "timer", lambda self: now[0])
    return now


def _statuses(api: APIClient, n: int) -> list[int]:
    return [api.get(SEARCH, {"q": "x"}).status_code for _ in range(n)]


def test_the_eleventh_read_in_a_minute_is_refused_with_a_retry_time(api, clock):
    assert _statuses(api, 10) == [200] * 10
    clock[0] += 20
    refused = api.get(SEARCH, {"q": "x"})
    assert refused.status_code == 429
    assert 39 <= int(refused["Retry-After"]) <= 41


def test_the_previous_minute_still_counts_just_after_the_boundary(api, clock):
    clock[0] += 50
    assert _statuses(api, 10) == [200] * 10
    clock[0] += 11  # one second into the next minute: the last one almost whole
    assert _statuses(api, 1) == [429]
    clock[0] += 30  # half the previous minute carried: five more
    assert _statuses(api, 6) == [200] * 5 + [429]


def test_a_full_minute_later_every_read_is_allowed_again(api, clock):
    assert _statuses(api, 11)[-1] == 429
    clock[0] += 120
    assert _statuses(api, 10) == [200] * 10


def test_the_stored_state_is_two_numbers_whatever_the_rate(api, clock, settings):
    settings.API_THROTTLE_READ_RATE = "100000/min"
    _statuses(api, 30)
    store = cache._cache  # noqa: SLF001 (locmem's own store)
    throttle = [k for k in store if "throttle:" in k]
    assert len(throttle) == 1
    assert pickle.loads(store[throttle[0]]) == 30  # noqa: S301 (our own bytes)
