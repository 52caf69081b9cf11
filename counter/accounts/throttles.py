"""API throttling per user and per endpoint class (reads and writes apart).

A sliding-window counter, not DRF's list of every request's time: DRF reads,
trims, pickles and writes the whole list on every request, so its cost grows with
the rate (at an integration's 10,000 a minute, 80 KB each way per request). Here a
request reads two counters (this window's and the previous one's) in one cache
round trip and writes one: the count is this window's plus the previous window's
share of the time still inside the sliding window, rounded up, so a client at the
limit is refused at every window boundary too (issue 14; ADR 0030).
"""

from __future__ import annotations

import math
import time
from typing import Any

from django.conf import settings
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
        counts = self.cache.get_many([current, previous])
        carried = math.ceil(counts.get(previous, 0) * (1 - into / duration))
        count = counts.get(current, 0)
        if count + carried >= limit:
            self._retry = duration - into
            return False
        self.cache.set(current, count + 1, 2 * duration)
        return True

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
