"""The production stack starts as deployed and is observable.

Web (deploy/docker/start-web.sh: check --deploy, gunicorn), worker and beat with
their real start scripts under ``config.settings.production``, on a fresh
PostgreSQL database migrated as its own step and a Redis database of their own.
"""

from __future__ import annotations

import json
import urllib.parse
from email.message import Message
from http.cookies import SimpleCookie

import pytest
from prometheus_client.parser import text_string_to_metric_families

from .conftest import (
    API_TOKEN,
    HOST,
    HTTPS,
    PASSWORD,
    Stack,
    free_port,
    http,
    manage,
    wait_until,
)

pytestmark = pytest.mark.deploy


def _cookies(headers: Message) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    for header in headers.get_all("Set-Cookie") or []:
        jar.load(header)
    return {name: morsel.value for name, morsel in jar.items()}


def _healthz(stack: Stack, query: str = "") -> tuple[int, dict]:
    status, _, body = http(f"{stack.base_url}/healthz{query}")
    return status, json.loads(body)


def test_healthz_reports_database_redis_and_the_worker_heartbeat(stack: Stack):
    status, body = _healthz(stack)
    assert status == 200
    assert body["status"] == "ok"
    checks = body["checks"]
    assert checks["database"]["ok"] and checks["redis"]["ok"]
    assert checks["worker"]["ok"] and checks["worker"]["alive"]
    assert checks["beat"]["ok"], checks["beat"]


def test_metrics_are_prometheus_text(stack: Stack):
    http(f"{stack.base_url}/accounts/login/", headers=HTTPS)
    status, headers, body = http(f"{stack.base_url}/metrics")
    assert status == 200
    assert headers["Content-Type"].startswith("text/plain")
    families = {f.name: f for f in text_string_to_metric_families(body.decode())}
    for name in (
        "madoguchi_http_requests",
        "madoguchi_http_request_duration_seconds",
        "madoguchi_inquiry_letters",
        "madoguchi_card_operations",
        "madoguchi_celery_task_results",
        "madoguchi_audit_events",
        "madoguchi_metrics_database_up",
        "madoguchi_desk_polls_held",
        "madoguchi_desk_polls_waiting",
    ):
        assert name in families, name
    assert families["madoguchi_metrics_database_up"].samples[0].value == 1
    # Summed over the live workers: no desk is polling this stack.
    assert [s.value for s in families["madoguchi_desk_polls_held"].samples] == [0]
    views = {s.labels.get("view") for s in families["madoguchi_http_requests"].samples}
    assert "login" in views


def test_plain_http_is_redirected_and_https_gets_hsts_and_secure_cookies(
    stack: Stack,
):
    status, headers, _ = http(
        f"{stack.base_url}/accounts/login/", headers={"Host": HOST}
    )
    assert status == 301
    assert headers["Location"] == f"https://{HOST}/accounts/login/"
    status, headers, _ = http(f"{stack.base_url}/accounts/login/", headers=HTTPS)
    assert status == 200
    assert "max-age=31536000" in headers["Strict-Transport-Security"]
    assert "Secure" in headers["Set-Cookie"]


def test_login_and_an_api_call_through_gunicorn(stack: Stack):
    url = f"{stack.base_url}/accounts/login/"
    status, headers, _ = http(url, headers=HTTPS)
    csrf = _cookies(headers)["csrftoken"]
    form = urllib.parse.urlencode(
        {"username": "smoke", "password": PASSWORD, "csrfmiddlewaretoken": csrf}
    ).encode()
    status, headers, body = http(
        url,
        data=form,
        headers={
            **HTTPS,
            "Cookie": f"csrftoken={csrf}",
            "Referer": f"https://{HOST}/accounts/login/",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert status == 302, body[:500]
    assert _cookies(headers)["sessionid"]
    status, _, body = http(
        f"{stack.base_url}/api/v1/me/",
        headers={
            **HTTPS,
            "Authorization": f"Token {API_TOKEN}",
            "Accept": "application/json",
        },
    )
    assert status == 200, body[:500]
    assert "smoke" in body.decode()


def test_logs_are_json_lines_and_carry_the_traceback(stack: Stack):
    # A task the worker does not know (a web newer than the worker): Celery logs
    # the error with its traceback.
    manage(
        stack.env,
        "shell",
        "-c",
        "from config.celery_app import app; app.send_task('madoguchi.no_such_task')",
    )
    worker = stack.processes["worker"]
    wait_until(lambda: "no_such_task" in worker.text(), 30, "the worker's error")

    records = [
        json.loads(line)
        for name in ("web", "worker", "beat")
        for line in stack.processes[name].text().splitlines()
        if line.startswith("{")
    ]
    assert {"event", "level", "timestamp", "logger"} <= set(records[0])
    errors = [r for r in records if "no_such_task" in r.get("event", "")]
    assert errors, "no JSON record of the unknown task"
    assert "Traceback (most recent call last)" in errors[0]["exception"]
    assert "<traceback object" not in "".join(json.dumps(r) for r in records)
    web_lines = [
        line
        for line in stack.processes["web"].text().splitlines()
        if line.strip() and not line.startswith("System check")
    ]
    assert all(line.startswith("{") for line in web_lines), web_lines[:5]


def test_healthz_answers_503_when_redis_is_down(stack: Stack, tmp_path):
    """A second web server on the same database, pointed at a dead Redis port."""
    port = free_port()
    dead_redis = f"redis://127.0.0.1:{free_port()}/0"
    env = {
        **stack.env,
        "REDIS_URL": dead_redis,
        "WEB_BIND": f"127.0.0.1:{port}",
        "WEB_WORKERS": "1",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
    }
    other = Stack(env=env, base_url=f"http://127.0.0.1:{port}")
    other.start("web-dead-redis", "start-web.sh", tmp_path)
    try:
        wait_until(
            lambda: _healthz(other)[0] in (200, 503),
            90,
            "the second web server",
            lambda: other.processes["web-dead-redis"].text()[-2000:],
        )
        status, body = _healthz(other)
        assert status == 503
        assert body["status"] == "unavailable"
        assert body["checks"]["database"]["ok"] is True
        assert body["checks"]["redis"]["ok"] is False
        assert body["checks"]["worker"]["ok"] is False
        status, body = _healthz(other, "?only=database")
        assert status == 200
    finally:
        other.stop()


def test_check_deploy_is_clean_and_demo_secrets_are_refused(stack: Stack):
    result = manage(stack.env, "check", "--deploy", "--fail-level", "WARNING")
    assert "System check identified no issues" in result.stdout
    for secret in ("", "demo-insecure-secret-key-not-for-production", "short"):
        env = {**stack.env, "SECRET_KEY": secret}
        result = manage(env, "check", check=False)
        assert result.returncode != 0
        assert "SECRET_KEY" in result.stderr
