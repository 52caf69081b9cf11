"""Django's Redis cache, keeping its ``redis.Redis`` client instead of building a
new one for every cache call (issue 14; docs/adr/0030-api-under-load.md).

Django's client makes a ``redis.Redis`` per call; its constructor fills a table of
about 170 reply callbacks, ≈ 0.3 ms, and an API request makes three cache calls
(the permission generation, the throttle's read and write). The clients share
Django's connection pools as before; Django keeps one cache object per thread, so
a kept client is never shared between threads.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class KeptClientRedisCacheClient(RedisCacheClient):
    """``RedisCacheClient`` with one ``redis.Redis`` per connection pool."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        django_client: Any = self  # Django's private attributes, untyped
        pool = django_client._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = django_client._client(connection_pool=pool)
            self._clients[id(pool)] = client
        return client


class KeptClientRedisCache(RedisCache):
    """The cache backend for ``CACHES`` (production: Redis)."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = KeptClientRedisCacheClient
