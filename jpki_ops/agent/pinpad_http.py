"""The PIN pad's HTTP door on 127.0.0.1: who may read the prompt and who may type.

Three checks, all before a request reaches the pad (docs/security/input-and-desk.md
"The PIN pad"):

1. **Host** is exactly ``127.0.0.1:<port>``, ``localhost:<port>`` or ``[::1]:<port>``
   and the client is loopback: a page whose own name resolves to 127.0.0.1 (DNS
   rebinding) sends its own name and is refused.
2. **Origin**: a POST must carry the pad's own origin (browsers send it on every
   POST); a GET of ``/state`` carrying another origin is refused. ``Sec-Fetch-Site``,
   when the browser sends it, must say ``same-origin``.
3. **The session secret**: ``/state``, ``/entry`` and ``/cancel`` need the header
   ``X-Pinpad-Token`` with the random secret of this pad, compared in constant time.
   Only the page the pad serves carries it (a ``<meta>`` element); another page in
   the clerk's browser cannot read that page across origins, so it has neither the
   secret nor the ``prompt_id`` that ``/state`` hands out.

A refused request is answered 403 and changes nothing: the prompt stays open.
"""

from __future__ import annotations

import json
import logging
import secrets
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from django.template.loader import render_to_string
from django.utils.translation import get_language

if TYPE_CHECKING:
    from .pinpad import PinPad

logger = logging.getLogger("jpki_ops.agent.pinpad")

MAX_BODY = 4096
TOKEN_HEADER = "X-Pinpad-Token"
LOOPBACK_CLIENTS = ("127.0.0.1", "::1")


def pad_hosts(port: int) -> frozenset[str]:
    """The Host headers a browser sends for the pad's own address."""
    names = ("127.0.0.1", "localhost", "[::1]")
    hosts = {f"{name}:{port}" for name in names}
    if port == 80:
        hosts.update(names)
    return frozenset(hosts)


def pad_origins(port: int) -> frozenset[str]:
    return frozenset(f"http://{host}" for host in pad_hosts(port))


def token_matches(expected: str, given: str | None) -> bool:
    if not given:
        return False
    return secrets.compare_digest(
        expected.encode("utf-8"), given.encode("utf-8", "surrogateescape")
    )


def page_csp(nonce: str) -> str:
    """The page's own scripts and styles only, talking to the pad only."""
    return "; ".join(
        (
            "default-src 'none'",
            f"script-src 'nonce-{nonce}'",
            f"style-src 'nonce-{nonce}'",
            "connect-src 'self'",
            "img-src 'self'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        )
    )


class PadRequestHandler(BaseHTTPRequestHandler):
    """One request to the pad; :func:`handler_for` binds it to its pad."""

    pad: PinPad
    server_version = "madoguchi-pinpad"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        # Request lines only (the PIN travels in POST bodies, never in a URL).
        logger.debug("pinpad %s %s", self.command, self._path())

    def _path(self) -> str:
        return self.path.split("?")[0]

    # -- the door ----------------------------------------------------------------

    def _refusal(self, *, needs_token: bool, post: bool) -> str:
        """Why this request is refused ('' when it is not)."""
        if self.client_address[0] not in LOOPBACK_CLIENTS:
            return "client"
        if (self.headers.get("Host") or "").strip() not in pad_hosts(self.pad.port):
            return "host"
        origin = self.headers.get("Origin")
        if (post or origin is not None) and origin not in pad_origins(self.pad.port):
            return "origin"
        fetch_site = self.headers.get("Sec-Fetch-Site")
        if needs_token and fetch_site not in (None, "same-origin"):
            return "fetch-site"
        if needs_token and not token_matches(
            self.pad.session_token, self.headers.get(TOKEN_HEADER)
        ):
            return "token"
        return ""

    def _refused(self, *, needs_token: bool, post: bool = False) -> bool:
        reason = self._refusal(needs_token=needs_token, post=post)
        if reason:
            # What was wrong, never what was sent.
            logger.warning(
                "PIN pad refused %s %s: %s", self.command, self._path(), reason
            )
            self._json(HTTPStatus.FORBIDDEN, {"message": "forbidden"})
        return bool(reason)

    # -- answers -----------------------------------------------------------------

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("X-Content-Type-Options", "nosniff")
        # same-origin, not no-referrer: with no-referrer a browser sends
        # "Origin: null" on the page's own POSTs, and the pad could not tell
        # its own page from any other.
        self.send_header("Referrer-Policy", "same-origin")
        self.send_header("Cross-Origin-Resource-Policy", "same-origin")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, payload: dict[str, Any]) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self._send(status, body, "application/json; charset=utf-8")

    def do_GET(self) -> None:
        path = self._path()
        if self._refused(needs_token=path != "/"):
            return
        if path == "/":
            nonce = secrets.token_urlsafe(16)
            page = render_to_string(
                "jpki_ops/pinpad.html",
                {
                    "token": self.pad.session_token,
                    "nonce": nonce,
                    "LANGUAGE_CODE": get_language() or "ja",
                },
            )
            self._send(
                HTTPStatus.OK,
                page.encode("utf-8"),
                "text/html; charset=utf-8",
                {"Content-Security-Policy": page_csp(nonce)},
            )
        elif path == "/state":
            self._json(HTTPStatus.OK, self.pad.state())
        else:
            self._json(HTTPStatus.NOT_FOUND, {"message": "not found"})

    def do_POST(self) -> None:
        if self._refused(needs_token=True, post=True):
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = MAX_BODY + 1
        if not 0 <= length <= MAX_BODY:
            self._json(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"message": "too large"})
            return
        raw = self.rfile.read(length)
        fields = parse_body(raw, self.headers.get("Content-Type", ""))
        del raw
        path = self._path()
        prompt_id = str(fields.get("prompt_id", ""))
        if path == "/entry":
            status, message = self.pad.submit(
                prompt_id,
                str(fields.get("pin", "")),
                None if fields.get("confirm") is None else str(fields["confirm"]),
                last_try_confirmed=fields.get("last_try_confirmed") is True,
            )
        elif path == "/cancel":
            status, message = self.pad.cancel(prompt_id)
        else:
            status, message = HTTPStatus.NOT_FOUND, "not found"
        fields.clear()
        self._json(status, {"ok": status == HTTPStatus.OK, "message": message})


def handler_for(pad: PinPad) -> type[BaseHTTPRequestHandler]:
    return type("Handler", (PadRequestHandler,), {"pad": pad})


def parse_body(raw: bytes, content_type: str) -> dict[str, Any]:
    try:
        if content_type.startswith("application/json"):
            data = json.loads(raw.decode("utf-8") or "{}")
            return data if isinstance(data, dict) else {}
        return {k: v[0] for k, v in parse_qs(raw.decode("utf-8")).items()}
    except (UnicodeDecodeError, ValueError):
        return {}
