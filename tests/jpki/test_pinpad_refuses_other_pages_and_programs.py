"""The PIN pad on 127.0.0.1 answers its own page only (issue 11; docs/security/
input-and-desk.md "The PIN pad").

Another web page open in the clerk's browser, or a page whose name resolves to
127.0.0.1 (DNS rebinding), must not read the prompt, type a PIN (spending one of
the card's tries) or cancel. Each refused request answers 403 and leaves the
prompt open; the pad's own page, which carries the session secret, still works.
"""

from __future__ import annotations

import http.client
import json
import threading
from typing import Any

import pytest

from jpki_ops.agent.pinpad import PinPad
from jpki_ops.agent.testing import pinpad_post, pinpad_state, pinpad_token


@pytest.fixture
def pad():
    pad = PinPad(port=0)
    pad.start()
    yield pad
    pad.stop()


def _ask(pad: PinPad, **kwargs: Any) -> tuple[dict[str, Any], threading.Thread]:
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["pin"] = pad.request_pin("authentication", timeout=10, **kwargs)
        except Exception as exc:  # noqa: BLE001
            box["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    for _ in range(200):
        if pinpad_state(pad.url)["prompt"]:
            break
        threading.Event().wait(0.01)
    return box, thread


def _raw(
    pad: PinPad, method: str, path: str, headers: dict[str, str], body: Any = None
) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", pad.port, timeout=5)
    data = None if body is None else json.dumps(body).encode()
    conn.request(method, path, body=data, headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


def _page_headers(pad: PinPad, **overrides: str) -> dict[str, str]:
    """What the pad's own page sends on a POST; a test changes one of them."""
    headers = {
        "Host": f"127.0.0.1:{pad.port}",
        "Origin": f"http://127.0.0.1:{pad.port}",
        "X-Pinpad-Token": pinpad_token(pad.url),
        "Content-Type": "application/json",
        "Sec-Fetch-Site": "same-origin",
    }
    for name, value in overrides.items():
        key = name.replace("_", "-")
        if value:
            headers[key] = value
        else:
            headers.pop(key)
    return headers


def _still_asking(pad: PinPad, prompt_id: str) -> bool:
    prompt = pinpad_state(pad.url)["prompt"]
    return prompt is not None and prompt["prompt_id"] == prompt_id


REFUSED_POSTS = {
    "a foreign Origin": {"Origin": "https://evil.example"},
    "the counter app's origin (same site, other port)": {
        "Origin": "http://127.0.0.1:8000"
    },
    "an opaque Origin": {"Origin": "null"},
    "no Origin": {"Origin": ""},
    "no session secret": {"X_Pinpad_Token": ""},
    "a wrong session secret": {"X_Pinpad_Token": "guessed-secret"},
    "a rebinding Host": {"Host": "evil.example"},
    "a rebinding Host with the pad's port": {"Host": "evil.example:{port}"},
    "the pad's name on another port": {"Host": "127.0.0.1:1"},
    "a cross-site fetch": {"Sec_Fetch_Site": "cross-site"},
}


@pytest.mark.parametrize("case", sorted(REFUSED_POSTS))
@pytest.mark.parametrize("path", ["/entry", "/cancel"])
def test_a_post_not_from_the_pads_own_page_is_refused_and_the_prompt_stays_open(
    pad: PinPad, case: str, path: str
) -> None:
    box, thread = _ask(pad)
    prompt = pinpad_state(pad.url)["prompt"]
    change = {k: v.format(port=pad.port) for k, v in REFUSED_POSTS[case].items()}
    status, _body = _raw(
        pad,
        "POST",
        path,
        _page_headers(pad, **change),
        {"prompt_id": prompt["prompt_id"], "pin": "2468"},
    )
    assert status == 403, case
    assert _still_asking(pad, prompt["prompt_id"])
    assert box == {}  # the agent got nothing: no PIN, no cancellation
    # The page itself still types on the same prompt.
    assert pinpad_post(
        pad.url, "/entry", {"prompt_id": prompt["prompt_id"], "pin": "2468"}
    ) == (200, {"ok": True, "message": "受け付けました。"})
    thread.join(5)
    assert box["pin"].apdu_bytes() == b"2468"


REFUSED_READS = {
    "no session secret": {},
    "a wrong session secret": {"X-Pinpad-Token": "guessed-secret"},
    "a foreign Origin": {"Origin": "https://evil.example", "X-Pinpad-Token": "{t}"},
    "a rebinding Host": {"Host": "evil.example:{port}", "X-Pinpad-Token": "{t}"},
    "a cross-site fetch": {"Sec-Fetch-Site": "cross-site", "X-Pinpad-Token": "{t}"},
}


@pytest.mark.parametrize("case", sorted(REFUSED_READS))
def test_the_prompt_id_is_read_only_by_the_pads_own_page(
    pad: PinPad, case: str
) -> None:
    box, thread = _ask(pad)
    prompt = pinpad_state(pad.url)["prompt"]
    headers = {"Host": f"127.0.0.1:{pad.port}"}
    for name, value in REFUSED_READS[case].items():
        headers[name] = value.format(port=pad.port, t=pinpad_token(pad.url))
    status, body = _raw(pad, "GET", "/state", headers)
    assert status == 403, case
    assert prompt["prompt_id"].encode() not in body
    assert _still_asking(pad, prompt["prompt_id"])
    pad.cancel_current()
    thread.join(5)


def test_the_page_carries_the_session_secret_and_runs_only_its_own_script(
    pad: PinPad,
) -> None:
    status, page = _raw(pad, "GET", "/", {"Host": f"localhost:{pad.port}"})
    assert status == 200
    token = pinpad_token(pad.url)
    assert f'<meta name="pinpad-token" content="{token}">'.encode() in page
    conn = http.client.HTTPConnection("127.0.0.1", pad.port, timeout=5)
    conn.request("GET", "/")
    response = conn.getresponse()
    csp = response.getheader("Content-Security-Policy") or ""
    html = response.read().decode()
    nonce = csp.split("script-src 'nonce-")[1].split("'")[0]
    assert f'<script nonce="{nonce}">' in html
    assert "connect-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.getheader("Access-Control-Allow-Origin") is None
    # A second pad (the agent started again) has another secret.
    other = PinPad(port=0)
    assert other.session_token != pad.session_token
    other._server.server_close()


def test_the_last_try_is_sent_only_when_the_resident_confirmed_it_on_the_pad(
    pad: PinPad,
) -> None:
    refused: list[tuple[str, str]] = []
    pad.on_refused = lambda kind, code: refused.append((kind, code))
    box, thread = _ask(pad, tries_left=1, max_tries=3)
    prompt = pinpad_state(pad.url)["prompt"]
    assert prompt["last_try"] is True
    status, body = pinpad_post(
        pad.url, "/entry", {"prompt_id": prompt["prompt_id"], "pin": "2468"}
    )
    assert status == 428
    assert body["message"] == "最後の1回です。送信する前に画面で確認してください。"
    assert _still_asking(pad, prompt["prompt_id"]) and box == {}
    assert refused == []  # not a wrong shape: nothing to report, nothing spent
    # A wasted round (a refused shape) leaves the last try asking to be confirmed.
    confirmed = {"prompt_id": prompt["prompt_id"], "last_try_confirmed": True}
    assert pinpad_post(pad.url, "/entry", {**confirmed, "pin": "24"})[0] == 400
    assert [kind for kind, _code in refused] == ["authentication"]
    unconfirmed = {**confirmed, "pin": "2468", "last_try_confirmed": False}
    assert pinpad_post(pad.url, "/entry", unconfirmed)[0] == 428
    assert pinpad_post(pad.url, "/entry", {**confirmed, "pin": "2468"})[0] == 200
    thread.join(5)
    assert box["pin"].apdu_bytes() == b"2468"
