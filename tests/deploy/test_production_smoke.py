"""The production stack starts as deployed and is observable.

Web (deploy/docker/start-web.sh: check --deploy, gunicorn), worker and beat with
their real start scripts under ``config.settings.production``, on a fresh
PostgreSQL database migrated as its own step and a Redis database of their own.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator
from email.message import Message
from http.cookies import SimpleCookie

import pytest
import redis
from prometheus_client.parser import text_string_to_metric_families

from .conftest import (
    HOST,
    REDIS_URL,
    Stack,
    create_database,
    drop_database,
    free_port,
    http,
    manage,
    production_env,
    wait_until,
)

pytestmark = pytest.mark.deploy

HTTPS = {"Host": HOST, "X-Forwarded-Proto": "https"}
PASSWORD = "smoke-test-password-7f3a9c"  # noqa: S105 - a throwaway database
API_TOKEN = "0123456789abcdef0123456789abcdef01234567"  # noqa: S105 - throwaway


def _cookies(headers: Message) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    for header in headers.get_all("Set-Cookie") or []:
        jar.load(header)
    return {name: morsel.value for name, morsel in jar.items()}


def _healthz(stack: Stack, query: str = "") -> tuple[int, dict]:
    status, _, body = http(f"{stack.base_url}/healthz{query}")
    return status, json.loads(body)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("stack")
    database = create_database("madoguchi_smoke")
    port = free_port()
    env = production_env(
        database,
        tmp,
        WEB_BIND=f"127.0.0.1:{port}",
        WEB_WORKERS="2",
        WEB_THREADS="2",
        WORKER_CONCURRENCY="1",
    )
    stack = Stack(env=env, base_url=f"http://127.0.0.1:{port}")
    try:
        # Migrations are their own step; the web start only waits for them.
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(
            env,
            "createsuperuser",
            "--noinput",
            "--username",
            "smoke",
            "--email",
            "smoke@madoguchi.example",
        )
        manage(
            env,
            "shell",
            "-c",
            "from django.contrib.auth import get_user_model as g;"
            f"u=g().objects.get(username='smoke');u.set_password('{PASSWORD}');u.save();"
            # A superuser needs the second factor for a session; an integration
            # calls the API with a token (issue 11).
            "from rest_framework.authtoken.models import Token;"
            f"Token.objects.create(user=u, key='{API_TOKEN}')",
        )
        stack.start("worker", "start-worker.sh", tmp)
        stack.start("beat", "start-beat.sh", tmp)
        stack.start("web", "start-web.sh", tmp)

        def logs() -> str:
            return "\n".join(
                f"--- {p.name} (exit {p.popen.poll()})\n{p.text()[-3000:]}"
                for p in stack.processes.values()
            )

        wait_until(lambda: _healthz(stack)[0] == 200, 120, "a healthy /healthz", logs)
        yield stack
    finally:
        stack.stop()
        client = redis.Redis.from_url(REDIS_URL)
        # Only what this stack wrote: heartbeats and the broker's queue and bindings.
        for pattern in ("madoguchi:heartbeat:*", "_kombu.*", "celery*", "unacked*"):
            for key in client.scan_iter(match=pattern):
                client.delete(key)
        drop_database(database)


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
    ):
        assert name in families, name
    assert families["madoguchi_metrics_database_up"].samples[0].value == 1
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
