"""Browser tests: real Chromium (Playwright) against the running server, the desk
agent and the virtual card in a real pcscd.

What runs for real: the Django server (pytest-django ``live_server``, data
committed, PostgreSQL), the desk agent as its own process (``python -m
jpki_ops.agent``) talking HTTP to that server with its desk credential, pcscd with
the vpcd reader, the virtual My Number Card, and Debian's ``/usr/bin/chromium``.
Only the issuer (J-LIS) is simulated. Screenshots of every step go to
``test-artifacts/e2e/<test>/NN-step.png``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "e2e"
CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "e2e-counter-password"


# --- browser --------------------------------------------------------------------


@pytest.fixture
def chromium() -> Iterator[Any]:
    """Debian's Chromium for one test.

    Per test, not per session: while Playwright's sync API runs, its event loop
    makes Django see a different (context-local) database connection, so a
    session-long browser would break the serialized-rollback restore of every
    later transactional test and any other test's own ``sync_playwright()``.
    """
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; Django's async
    # guard would otherwise refuse the ORM calls the test makes between steps.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()
            # The connection the test body used inside Playwright's loop context;
            # left open it would keep the test database from being dropped.
            from django.db import connections

            connections.close_all()


class Shots:
    """Numbered screenshots of one test: ``NN-step.png``."""

    def __init__(self, name: str) -> None:
        self.dir = ARTIFACTS / name
        self.dir.mkdir(parents=True, exist_ok=True)
        for old in [*self.dir.glob("*.png"), *self.dir.glob("*.pdf")]:
            old.unlink()
        self.n = 0

    def __call__(self, page: Any, step: str) -> Path:
        self.n += 1
        path = self.dir / f"{self.n:02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Shots:
    return Shots(request.node.name.removeprefix("test_"))


@pytest.fixture
def server_requests(browser_context: Any, live_server: Any) -> list[str]:
    """Every request the browser sent to the server: URL and body, as text.

    The PIN pad posts to the desk agent on 127.0.0.1, never to the server; a test
    can assert that no PIN appears here (docs/reference/architecture.md "PINs stay at
    the desk").
    """
    seen: list[str] = []

    def record(request: Any) -> None:
        if request.url.startswith(live_server.url):
            seen.append(f"{request.method} {request.url}\n{request.post_data or ''}")

    browser_context.on("request", record)
    return seen


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Any:
    report = yield
    if report.when == "call":
        item.stash[_FAILED] = report.failed
    return report


_FAILED = pytest.StashKey[bool]()


@pytest.fixture
def browser_context(
    chromium: Any, request: pytest.FixtureRequest, shots: Shots
) -> Iterator[Any]:
    context = chromium.new_context(
        locale="ja-JP",
        timezone_id="Asia/Tokyo",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(20_000)
    try:
        yield context
    finally:
        if request.node.stash.get(_FAILED, False):
            # What every page showed when the test failed, next to the steps.
            for index, page in enumerate(context.pages):
                with contextlib.suppress(Exception):
                    shots(page, f"failed-page{index}")
        context.close()


# --- the city, its desk and its people --------------------------------------------


@dataclass
class CounterWorld:
    municipality: Any
    office: Any
    desk: Any
    clerk: Any
    supervisor: Any
    agent_token: str


def _open_all_day_today(profile: Any, office: Any) -> None:
    """The test may run at night or on a holiday: open the office for today only.

    A dated special opening is how a city opens outside its weekly hours (§16);
    the year-end closure is narrowed to one day so it cannot hit a CI run in
    late December by accident.
    """
    from counter.models import SpecialOpening

    today = dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=9)))
    for day in (today.date(), today.date() + dt.timedelta(days=1)):
        SpecialOpening.objects.create(
            profile=profile,
            office=office,
            date=day,
            opens=dt.time(0, 0),
            closes=dt.time(23, 59, 59),
            note="e2e",
        )
    profile.year_end_closure_start = "12-31"
    profile.year_end_closure_end = "12-31"
    profile.save()


def _staff(username: str, role: str, municipality: Any, office: Any | None) -> Any:
    from django.contrib.auth.models import Group, User

    from counter.models import StaffProfile

    user = User.objects.create_user(username, password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    StaffProfile.objects.create(user=user, municipality=municipality, office=office)
    return User.objects.get(pk=user.pk)


@pytest.fixture
def counter_world(
    live_server: Any, simulated_issuer: Any, transactional_db: None
) -> CounterWorld:
    from counter.models import Desk
    from counter.roles import ROLE_CLERK, ROLE_SUPERVISOR
    from counter.services.municipalities import municipality_create
    from jpki_ops.services import desk_agent_credential_issue

    city = municipality_create(
        code="142123",
        name="厚木市",
        main_office={
            "code": "honcho",
            "name": "本庁 市民課",
            "counter_name": "厚木市役所本庁舎1階 市民課窓口",
            "postal_code": "243-8511",
            "address": "神奈川県厚木市中町3-17-17",
            "phone": "046-225-2039",
        },
    )
    office = city.offices.get(code="honcho")
    _open_all_day_today(city.profile, office)
    desk = Desk.objects.create(office=office, code="desk-1", name="1番窓口")
    _credential, token = desk_agent_credential_issue(desk=desk)
    return CounterWorld(
        municipality=city,
        office=office,
        desk=desk,
        clerk=_staff("clerk", ROLE_CLERK, city, office),
        supervisor=_staff("supervisor", ROLE_SUPERVISOR, city, None),
        agent_token=token,
    )


# --- the desk agent -----------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class DeskAgentProcess:
    proc: subprocess.Popen[bytes]
    pinpad_url: str
    log: Path

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


@pytest.fixture
def desk_agent(
    counter_world: CounterWorld,
    live_server: Any,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> Iterator[Any]:
    """Start ``python -m jpki_ops.agent`` for the world's desk on a given reader."""
    started: list[DeskAgentProcess] = []

    def start(reader: str) -> DeskAgentProcess:
        port = _free_port()
        log = tmp_path / "desk-agent.log"
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
        }
        env["PYTHONPATH"] = str(REPO)
        env["MADOGUCHI_AGENT_TOKEN"] = counter_world.agent_token
        with log.open("ab") as out:
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "jpki_ops.agent",
                    "--server",
                    f"{live_server.url}/api/v1/desk/",
                    "--reader",
                    reader,
                    "--pinpad-port",
                    str(port),
                    "--poll-wait",
                    "2",
                ],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=out,
                cwd=REPO,
                env=env,
            )
        agent = DeskAgentProcess(proc, f"http://127.0.0.1:{port}/", log)
        started.append(agent)
        deadline = time.monotonic() + 15
        while True:
            if proc.poll() is not None:
                pytest.fail(f"desk agent exited:\n{log.read_text()}")
            with contextlib.suppress(OSError):
                urllib.request.urlopen(agent.pinpad_url, timeout=1).close()  # the page
                return agent
            if time.monotonic() > deadline:
                agent.stop()
                pytest.fail(f"desk agent PIN pad did not come up:\n{log.read_text()}")
            time.sleep(0.1)

    try:
        yield start
    finally:
        for agent in started:
            agent.stop()
            if request.node.stash.get(_FAILED, False):
                sys.stderr.write(f"--- desk agent log ---\n{agent.log.read_text()}\n")
