"""The API's throttle counts a sliding window in two counters (issue 14, ADR 0030):
the limit holds within a window and across its boundary, and the cost of a request
does not grow with the rate; on the in-memory cache of the tests and the demo and
on production's Redis (a script there, ADR 0030 addendum 4), where requests that
arrive together are each counted."""

from __future__ import annotations

import pickle
import threading
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.test import APIClient

from bench.bench_env import REDIS_HOST, REDIS_PORT, own_redis_db
from counter.accounts.throttles import EndpointClassThrottle

pytestmark = pytest.mark.django_db

SEARCH = "/api/v1/residents/"


@pytest.fixture(params=["memory", "redis"])
def which_cache(request: Any, settings: Any) -> Iterator[str]:
    """The tests' in-memory cache, or production's Redis cache on a Redis db of
    the test's own (emptied afterwards)."""
    if request.param == "memory":
        cache.clear()
        yield "memory"
        return
    with own_redis_db() as number:
        settings.CACHES = {
            "default": {
                "BACKEND": "counter.accounts.redis_cache.KeptClientRedisCache",
                "LOCATION": f"redis://{REDIS_HOST}:{REDIS_PORT}/{number}",
                "KEY_PREFIX": "madoguchi",
            }
        }
        assert isinstance(caches["default"], RedisCache)
        yield "redis"


@pytest.fixture
def api(clerk: Any, settings: Any, which_cache: str) -> APIClient:
    settings.API_THROTTLE_READ_RATE = "10/min"
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


def test_the_stored_state_is_two_numbers_whatever_the_rate(
    api, clock, settings, which_cache
):
    settings.API_THROTTLE_READ_RATE = "100000/min"
    _statuses(api, 30)
    if which_cache == "memory":
        store = cache._cache  # noqa: SLF001 (locmem's own store)
        throttle = [k for k in store if "throttle:" in k]
        assert len(throttle) == 1
        assert pickle.loads(store[throttle[0]]) == 30  # noqa: S301 (our own bytes)
    else:
        client = caches["default"]._cache.get_client()  # noqa: SLF001
        throttle = [k for k in client.keys("*") if b"throttle:" in k]
        assert len(throttle) == 1
        assert int(client.get(throttle[0])) == 30
        assert 0 < client.ttl(throttle[0]) <= 120


def test_requests_arriving_together_are_each_counted(clerk, settings, which_cache):
    """Forty requests of one user at once against a limit of ten: ten pass."""
    settings.API_THROTTLE_READ_RATE = "10/min"
    request = SimpleNamespace(
        method="GET", user=clerk, META={"REMOTE_ADDR": "192.0.2.1"}
    )
    view = SimpleNamespace()
    start = threading.Barrier(40)
    allowed: list[bool] = []

    def one() -> None:
        throttle = EndpointClassThrottle()
        start.wait()
        allowed.append(throttle.allow_request(request, view))

    threads = [threading.Thread(target=one) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert allowed.count(True) == 10
