"""The client's address for the login lockout (django-axes calls this through
``AXES_CLIENT_IP_CALLABLE``) and so for the login audit, behind a known number of
proxies (docs/operations.md "TLS and the proxy", ADR 0021).

Each trusted proxy appends the address it received the request from to
``X-Forwarded-For`` (nginx ``$proxy_add_x_forwarded_for``; or the one proxy
overwrites the header with ``$remote_addr``). With ``AXES_IPWARE_PROXY_COUNT``
proxies in front, the client is therefore the entry that many places from the
right; anything left of it was written by the client and is never believed. The
header counts only when the request came from a trusted proxy
(``AXES_IPWARE_PROXY_TRUSTED_IPS``, networks; empty: any peer, for a web server
only the proxy can reach). Otherwise, and whenever the header is short or not
an address, the socket's address is the client.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings


def _address(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_address(request: Any) -> str | None:
    remote = request.META.get("REMOTE_ADDR") or None
    count = int(getattr(settings, "AXES_IPWARE_PROXY_COUNT", 0) or 0)
    if count <= 0:
        return remote
    trusted = getattr(settings, "AXES_IPWARE_PROXY_TRUSTED_IPS", None) or []
    peer = _address(remote or "")
    if trusted and (
        peer is None
        or not any(
            ipaddress.ip_address(peer) in ipaddress.ip_network(net, strict=False)
            for net in trusted
        )
    ):
        return remote
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [h.strip() for h in hops if h.strip()]
    if len(hops) < count:
        return remote
    return _address(hops[-count]) or remote
