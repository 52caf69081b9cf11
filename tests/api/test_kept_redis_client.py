"""Production's cache keeps its Redis client between calls (issue 14, ADR 0030)
and still reads and writes through it, on the local Redis."""

from __future__ import annotations

import secrets

import pytest

from counter.accounts.redis_cache import KeptClientRedisCache

REDIS = "redis://127.0.0.1:6379/0"


@pytest.fixture
def cache() -> KeptClientRedisCache:
    prefix = f"madoguchi-test-{secrets.token_hex(4)}"
    backend = KeptClientRedisCache(REDIS, {"KEY_PREFIX": prefix})
    yield backend
    backend.delete_many(["a", "b"])


def test_one_client_serves_every_call(cache):
    assert cache._cache.get_client() is cache._cache.get_client(write=True)


def test_values_go_in_and_come_back(cache):
    cache.set("a", 1, 30)
    cache.set("b", [1, 2], 30)
    assert cache.get_many(["a", "b", "c"]) == {"a": 1, "b": [1, 2]}
    assert cache.add("a", 5, 30) is False
