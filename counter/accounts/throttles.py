"""API throttling per user and per endpoint class (reads and writes apart).

A sliding-window counter, not DRF's list of every request's time: DRF reads,
trims, pickles and writes the whole list on every request, so its cost grows with
the rate (at an integration's 10,000 a minute, 80 KB each way per request). Here a
request reads two counters (this window's and the previous one's) in one cache
round trip and writes one: the count is this window's plus the previous window's
share of the time still inside the sliding window, rounded up, so a client at the
limit is refused at every window boundary too (issue 14; ADR 0030).

On Redis (production) the read, the decision and the count are one script: one
round trip, and atomic, so requests arriving together cannot all read the same
count and all pass (ADR 0030, addendum 4). Other caches (the tests' and the
demo's in-memory one) read and then write.
"""

from __future__ import annotations

import math
import time
from typing import Any

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

_SAFE = ("GET", "HEAD", "OPTIONS")


class EndpointClassThrottle(SimpleRateThrottle):
    """One bucket per (user or address, view class, read or write); rates are read
    from the settings on each request, so an operator's change needs no code."""

    scope = "endpoint"

    def __init__(self) -> None:  # the rate depends on the request
        pass

    def timer(self) -> float:
        """Read the clock at call time. DRF keeps ``time.time`` as a class
        attribute; captured while a test froze the clock it became a method."""
        return time.time()

    def allow_request(self, request: Request, view: Any) -> bool:
        write = request.method not in _SAFE
        if not request.user or not request.user.is_authenticated:
            self.rate = settings.API_THROTTLE_ANON_RATE
        elif write:
            self.rate = settings.API_THROTTLE_WRITE_RATE
        else:
            self.rate = settings.API_THROTTLE_READ_RATE
        self.num_requests, self.duration = self.parse_rate(self.rate)
        self._kind = "w" if write else "r"
        key = self.get_cache_key(request, view)
        if key is None or self.num_requests is None or self.duration is None:
            return True
        limit, duration = self.num_requests, self.duration
        self.now = self.timer()
        window, into = divmod(self.now, duration)
        current, previous = f"{key}:{int(window)}", f"{key}:{int(window) - 1}"
        share = 1 - into / duration
        backend = caches[DEFAULT_CACHE_ALIAS]  # DRF's ``self.cache`` is its proxy
        client = _redis_client(backend)
        if client is not None:
            allowed = bool(
                _counted(
                    keys=[
                        backend.make_and_validate_key(current),
                        backend.make_and_validate_key(previous),
                    ],
                    args=[limit, repr(share), 2 * duration],
                    client=client,
                )
            )
        else:
            counts = self.cache.get_many([current, previous])
            carried = math.ceil(counts.get(previous, 0) * share)
            count = counts.get(current, 0)
            allowed = count + carried < limit
            if allowed:
                self.cache.set(current, count + 1, 2 * duration)
        if not allowed:
            self._retry = duration - into
        return allowed

    def wait(self) -> float | None:
        """Seconds until the current window ends (the previous one then counts
        no more than the current one does now)."""
        return getattr(self, "_retry", None)

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        user = request.user
        if user and user.is_authenticated:
            # A desk agent has no user row; its principal names its desk.
            ident = f"u{user.pk}" if user.pk is not None else f"d{user}"
        else:
            ident = f"a{self.get_ident(request)}"
        return f"throttle:{type(view).__name__}:{self._kind}:{ident}"


#: The sliding-window count as one Redis script: read both windows, refuse at the
#: limit, else count this request, in one round trip and atomically, so that
#: requests arriving together cannot all read the same count and all pass.
#: KEYS: this window's and the previous window's counter. ARGV: the limit, the
#: previous window's share still inside the sliding window, the counter's TTL.
_SLIDING_WINDOW = """
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
local previous = tonumber(redis.call('GET', KEYS[2]) or '0')
local carried = math.ceil(previous * tonumber(ARGV[2]))
if count + carried >= tonumber(ARGV[1]) then
    return 0
end
redis.call('SET', KEYS[1], count + 1, 'EX', tonumber(ARGV[3]))
return 1
"""


def _redis_client(cache: Any) -> Any:
    """The cache's Redis client when the cache is Django's Redis cache (production);
    None for any other (the tests' and the demo's in-memory cache)."""
    if not isinstance(cache, RedisCache):
        return None
    return cache._cache.get_client(write=True)  # type: ignore[attr-defined]


def _counted(*, keys: list[str], args: list[Any], client: Any) -> int:
    global _script
    if _script is None:
        _script = client.register_script(_SLIDING_WINDOW)
    # A script object is its text and SHA; it runs on the client it is given
    # (EVALSHA, and EVAL once when the server does not know it, after a restart).
    return int(_script(keys=keys, args=args, client=client))


_script: Any = None
