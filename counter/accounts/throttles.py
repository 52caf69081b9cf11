"""API throttling per user and per endpoint class (reads and writes apart)."""

from __future__ import annotations

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
        return super().allow_request(request, view)

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        user = request.user
        if user and user.is_authenticated:
            # A desk agent has no user row; its principal names its desk.
            ident = f"u{user.pk}" if user.pk is not None else f"d{user}"
        else:
            ident = f"a{self.get_ident(request)}"
        return f"throttle:{type(view).__name__}:{self._kind}:{ident}"
