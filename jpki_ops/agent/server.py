"""The desk agent's HTTP client for the desk API (stdlib only, no PIN ever sent).

Every request carries ``Authorization: DeskAgent <token>`` and the agent run's
``X-Agent-Session``. Bodies are JSON built from allow-listed fields only.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from typing import Any

from counter.errors import ApplicationError
from jpki_ops.protocol.authorisation import CardCommand

logger = logging.getLogger(__name__)


class ServerUnavailable(ConnectionError):
    """The server could not be reached (network, restart): try again later."""


class ServerRefused(ApplicationError):
    """The server answered with an error ``{"code", "message", "extra"}``; the
    operation fails with the server's own code and message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(code, message, status=status)


class ServerClient:
    def __init__(
        self, base_url: str, token: str, session_id: str, *, timeout: float = 40
    ):
        self.base_url = base_url.rstrip("/") + "/"
        self._token = token
        self.session_id = session_id
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"<ServerClient {self.base_url} session={self.session_id}>"

    def _call(
        self, method: str, path: str, body: dict[str, Any] | None = None
    ) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(  # noqa: S310 - URL from the operator
            self.base_url + path,
            data=data,
            method=method,
            headers={
                "Authorization": f"DeskAgent {self._token}",
                "X-Agent-Session": self.session_id,
                "Content-Type": "application/json",
                "Accept": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            try:
                payload = json.loads(raw) if raw else {}
            except ValueError:
                payload = {}
            if exc.code >= 500 and exc.code != 503:
                raise ServerUnavailable(f"server error {exc.code}") from None
            raise ServerRefused(
                exc.code,
                str(payload.get("code", "http-error")),
                str(payload.get("message", "")),
            ) from None
        except (urllib.error.URLError, OSError) as exc:
            raise ServerUnavailable(str(getattr(exc, "reason", exc))) from None

    def start_session(self) -> dict[str, Any]:
        return dict(self._call("POST", "agent/session/", {})[1])

    def next_operation(self, wait: int = 20) -> dict[str, Any] | None:
        status, payload = self._call("GET", f"agent/next/?wait={int(wait)}")
        return None if status == 204 else dict(payload)

    def progress(self, op_id: int, **fields: Any) -> None:
        self._call("POST", f"agent/operations/{op_id}/progress/", fields)

    def result(self, op_id: int, result: dict[str, Any]) -> dict[str, Any]:
        return dict(
            self._call("POST", f"agent/operations/{op_id}/result/", {"result": result})[
                1
            ]
        )

    def failure(
        self, op_id: int, code: str, message: str, extra: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        body = {"code": code, "message": message[:500], "extra": extra or {}}
        return dict(self._call("POST", f"agent/operations/{op_id}/failure/", body)[1])

    def reader(self, reading: dict[str, Any] | None) -> dict[str, Any]:
        """The idle reader: the card's PIN-free reading, or None for no card."""
        body = {"present": False} if reading is None else {"present": True, **reading}
        return dict(self._call("POST", "agent/reader/", body)[1])

    def identify(self, op_id: int, reading: dict[str, Any]) -> dict[str, Any]:
        """Ask the server whether the card read without a PIN is the case's card;
        a refusal arrives as :class:`ServerRefused` with the server's code."""
        return dict(
            self._call("POST", f"agent/operations/{op_id}/identify/", reading)[1]
        )

    def authorise(
        self, op_id: int, card_id: str, challenge: bytes, command: CardCommand
    ) -> bytes:
        """SIMULATION: the issuer's EXTERNAL AUTHENTICATE data, via the server."""
        body = {
            "card_id": card_id,
            "challenge": challenge.hex(),
            "command": {
                "ins": command.ins,
                "p1": command.p1,
                "p2": command.p2,
                "data_sha256": command.data_sha256.hex()
                if command.data_sha256
                else None,
            },
        }
        payload = self._call("POST", f"agent/operations/{op_id}/authorise/", body)[1]
        return bytes.fromhex(payload["external_authenticate_data"])

    def certify(
        self, op_id: int, card_id: str, public_key_der: bytes
    ) -> dict[str, Any]:
        import base64

        body = {
            "card_id": card_id,
            "public_key": base64.b64encode(public_key_der).decode(),
        }
        payload = dict(
            self._call("POST", f"agent/operations/{op_id}/certificate/", body)[1]
        )
        payload["certificate"] = base64.b64decode(payload["certificate"])
        return payload
