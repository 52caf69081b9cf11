"""The production stack as deployed: fresh databases, the production environment,
the real start scripts as child processes, stopped by pid.

Everything here runs in child processes under ``config.settings.production``; the
pytest process itself (test settings) only creates and drops databases.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path

import psycopg
import pytest
import redis

ROOT = Path(__file__).resolve().parents[2]
PG_HOST = os.environ.get("DEPLOY_TEST_PG_HOST", "127.0.0.1")
PG_PORT = os.environ.get("DEPLOY_TEST_PG_PORT", "5432")
PG_USER = os.environ.get("DEPLOY_TEST_PG_USER", "postgres")
# A Redis database of its own, so the smoke test's queue and heartbeats stay apart.
REDIS_DB = os.environ.get("DEPLOY_TEST_REDIS_DB", "12")
REDIS_URL = f"redis://127.0.0.1:6379/{REDIS_DB}"
HOST = "madoguchi.example"
HTTPS = {"Host": HOST, "X-Forwarded-Proto": "https"}
PASSWORD = "smoke-test-password-7f3a9c"  # noqa: S105 - a throwaway database
API_TOKEN = "0123456789abcdef0123456789abcdef01234567"  # noqa: S105 - throwaway


def _admin_connection() -> psycopg.Connection:
    return psycopg.connect(
        host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", autocommit=True
    )


def database_url(name: str) -> str:
    return f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"


def create_database(prefix: str) -> str:
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with _admin_connection() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name


def drop_database(name: str) -> None:
    with _admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def fresh_database() -> Iterator[callable]:  # type: ignore[valid-type]
    """Create databases with unique names; drop them all afterwards."""
    created: list[str] = []

    def make(prefix: str = "madoguchi_deploy") -> str:
        name = create_database(prefix)
        created.append(name)
        return name

    yield make
    for name in created:
        drop_database(name)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def production_env(database: str, tmp: Path, **extra: str) -> dict[str, str]:
    """The environment of a production installation, with fresh secrets."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "PYTEST", "CELERY_", "DATABASE_"))
        and k not in ("SECRET_KEY", "SCAN_ENCRYPTION_KEY", "REDIS_URL", "LOG_FORMAT")
    }
    env.update(
        PYTHON=sys.executable,
        PATH=f"{Path(sys.executable).parent}:{env.get('PATH', '/usr/bin:/bin')}",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        SCAN_ENCRYPTION_KEY=base64.urlsafe_b64encode(os.urandom(32)).decode(),
        ALLOWED_HOSTS=HOST,
        CSRF_TRUSTED_ORIGINS=f"https://{HOST}",
        DATABASE_URL=database_url(database),
        CELERY_BROKER_URL=REDIS_URL,
        REDIS_URL=REDIS_URL,
        MEDIA_ROOT=str(tmp / "media"),
        JPKI_ISSUER_STATE_DIR=str(tmp / "issuer"),
        PROMETHEUS_MULTIPROC_DIR=str(tmp / "metrics"),
        HEALTH_HEARTBEAT_INTERVAL="2",
        HEALTH_HEARTBEAT_MAX_AGE="10",
        LOG_LEVEL="INFO",
    )
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str, check: bool = True, timeout: float = 300):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=check,
    )


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self, timeout: float = 20) -> None:
        """SIGTERM to this pid (the start scripts exec the server), then SIGKILL."""
        if self.popen.poll() is not None:
            return
        self.popen.send_signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(5)


@dataclass
class Stack:
    env: dict[str, str]
    base_url: str
    processes: dict[str, Process] = field(default_factory=dict)

    def start(self, name: str, script: str, log_dir: Path) -> Process:
        log = log_dir / f"{name}.log"
        handle = log.open("wb")
        popen = subprocess.Popen(
            ["sh", str(ROOT / "deploy" / "docker" / script)],
            cwd=log_dir,
            env=self.env,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
        process = Process(name, popen, log)
        self.processes[name] = process
        return process

    def stop(self) -> None:
        for process in reversed(list(self.processes.values())):
            process.stop()


def http(
    url: str, *, headers: dict[str, str] | None = None, data: bytes | None = None
) -> tuple[int, Message, bytes]:
    """One request, no redirects followed; (status, headers, body)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with opener.open(request, timeout=15) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def wait_until(predicate, timeout: float, what: str, diagnostics=lambda: "") -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except OSError:
            pass
        time.sleep(0.5)
    pytest.fail(f"timed out waiting for {what}\n{diagnostics()}")


def healthz(stack: Stack, query: str = "") -> tuple[int, dict]:
    status, _, body = http(f"{stack.base_url}/healthz{query}")
    return status, json.loads(body)


@pytest.fixture(scope="package")
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

        wait_until(lambda: healthz(stack)[0] == 200, 120, "a healthy /healthz", logs)
        yield stack
    finally:
        stack.stop()
        client = redis.Redis.from_url(REDIS_URL)
        # Only what this stack wrote: heartbeats and the broker's queue and bindings.
        for pattern in ("madoguchi:heartbeat:*", "_kombu.*", "celery*", "unacked*"):
            for key in client.scan_iter(match=pattern):
                client.delete(key)
        drop_database(database)
