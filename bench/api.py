"""The API under load: ``python bench/api.py [--small]``.

Starts gunicorn (2 workers, gthread) with the production settings
(bench/api_settings.py: production plus the bench's URLconf) on a PostgreSQL
database and a Redis db of the bench's own (bench/bench_env.py), with data built
in bulk (bench/scale.py's ``build``), and drives with ``wrk`` at 16 connections:

* ``bare`` – a bare Django JSON view (the framework);
* ``floor`` – a login-required JSON view of the project (token authentication,
  the API's role permission and throttles, no work): the floor;
* ``cases``, ``case_detail``, ``resident_search``, ``catalogue``, ``evaluate`` –
  the endpoints.

One clerk calls with a DRF token; the throttle rates are raised for the bench
through API_THROTTLE_*_RATE (the production defaults would refuse the load, which
is their job, not what is measured). The floor is driven before and after each
endpoint, and an endpoint's ``ratio_vs_floor`` is against the mean of those two
(the load of a shared machine moves within a run); ``floor_req_per_s`` is their
median. Prints per target ``<name>_req_per_s``, ``<name>_p99_ms`` and
``<name>_ratio_vs_floor``, then ``min_ratio_vs_floor`` and ``max_p99_ms``, and
the load average before and after. Target: ≥ 0.5 and ≤ 100 ms. ``--small``
(CI): short runs.

Also per target ``<name>_server_cpu_ms``: the CPU a request cost the processes
that serve it (gunicorn's workers, the PostgreSQL backends of the bench's
database, Redis), from ``/proc`` before and after the run (Linux), of it
``<name>_web_cpu_ms`` (gunicorn's workers) and ``<name>_db_cpu_ms`` (the
backends), and per endpoint ``<name>_cpu_ratio_vs_floor``, the floor's against
the endpoint's. On a shared machine these move less than the rates do
(docs/capacity.md).

The floor and the endpoints are driven ``--rounds`` times in turn (3; 1 with
``--small``): each figure is the median of its rounds, each p99 the worst. On a
shared machine one run of each moves by a tenth and more from one run to the
next, and the least of five such ratios is lower than the least of their
medians (docs/capacity.md, "Rounds").

And per target ``<name>_cpu_idle_share``: the share of the machine's CPU time
left idle (or waiting for the disk) during its runs, from ``/proc/stat``. A
target that idles more than the floor waits for something other than the CPU,
such as a commit's flush (docs/adr/0039-api-json-and-times-read-faster.md).
"""

from __future__ import annotations

import argparse
import base64
import json
import logging
import os
import re
import resource
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

from bench.bench_env import (  # noqa: E402
    REDIS_HOST,
    REDIS_PORT,
    migrate,
    own_database,
    own_redis_db,
)
from bench.serving import ServingCpu, cpu_times, idle_share  # noqa: E402

HOST = "bench.madoguchi.example"
TOKEN = secrets.token_hex(20)
#: wrk's own CPU seconds and the seconds it drove, per run (it shares the cores).
WRK_CPU: list[tuple[float, int]] = []
#: The gunicorn master's pid and the bench database's name: whose CPU a run costs.
SERVING: dict[str, Any] = {}
#: The machine's idle share of CPU time during each run, per path driven.
IDLE: dict[str, list[float]] = {}
EVALUATE_BODY = {
    "procedure": "pin_reset",
    "applicant_role": "holder",
    "visit": 1,
    "on_date": "2026-11-26",
    "documents": [
        {"code": "my_number_card", "owner": "holder", "original": True},
        {"code": "passport", "owner": "holder", "expires_on": "2030-01-01"},
    ],
}


def fixture(cases: int) -> str:
    """A city with bulk data, a clerk with a token; returns a case reference."""
    from rest_framework.authtoken.models import Token

    from bench.scale import build
    from tests.factories import MunicipalityFactory, clerk, main_office

    city = MunicipalityFactory(code="900000", name="ベンチ市")
    office = main_office(city)
    user = clerk(city, office)
    Token.objects.create(user=user, key=TOKEN)
    build(city.pk, office.pk, cases // 2, cases)
    return "S-000000001"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_gunicorn(port: int, database_url: str, redis_url: str, tmp: Path):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "CELERY_", "DATABASE_"))
        and k not in ("SECRET_KEY", "SCAN_ENCRYPTION_KEY", "REDIS_URL")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="bench.api_settings",
        PYTHONPATH=str(ROOT),
        SECRET_KEY=secrets.token_urlsafe(50),
        SCAN_ENCRYPTION_KEY=base64.urlsafe_b64encode(os.urandom(32)).decode(),
        ALLOWED_HOSTS=HOST,
        CSRF_TRUSTED_ORIGINS=f"https://{HOST}",
        DATABASE_URL=database_url,
        CELERY_BROKER_URL=redis_url,
        REDIS_URL=redis_url,
        MEDIA_ROOT=str(tmp / "media"),
        JPKI_ISSUER_STATE_DIR=str(tmp / "issuer"),
        PROMETHEUS_MULTIPROC_DIR=str(tmp / "metrics"),
        LOG_LEVEL="WARNING",
        API_THROTTLE_READ_RATE="10000000/min",
        API_THROTTLE_WRITE_RATE="10000000/min",
        API_THROTTLE_ANON_RATE="10000000/min",
        # Production's gunicorn.conf.py with one worker per core of this machine;
        # the threads are production's default unless WEB_THREADS is set.
        WEB_WORKERS=str(os.cpu_count() or 2),
    )
    (tmp / "metrics").mkdir()
    log = (tmp / "gunicorn.log").open("wb")
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--no-control-socket",
            "--config",
            str(ROOT / "deploy/docker/gunicorn.conf.py"),
        ],  # fmt: skip
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


HEADERS = {
    "Host": HOST,
    "X-Forwarded-Proto": "https",
    "Authorization": f"Token {TOKEN}",
    "Accept": "application/json",
}


def get(base: str, path: str) -> tuple[int, bytes]:
    request = urllib.request.Request(base + path, headers=HEADERS)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


class Run(NamedTuple):
    """One ``wrk`` run: requests per second, p99 (ms), and the CPU per request
    (ms) of the serving processes, of gunicorn's workers, of the backends."""

    rate: float
    p99: float
    cpu: float
    web: float
    db: float


def wrk(base: str, path: str, seconds: int, tmp: Path, body: Any = None) -> Run:
    """One run at 16 connections; every answer a 2xx."""
    script = tmp / f"wrk{abs(hash(path))}.lua"
    lines = [f'wrk.headers["{k}"] = "{v}"' for k, v in HEADERS.items()]
    if body is not None:
        lines += [
            'wrk.method = "POST"',
            'wrk.headers["Content-Type"] = "application/json"',
            f"wrk.body = [[{json.dumps(body)}]]",
        ]
    script.write_text("\n".join(lines) + "\n")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    serving = ServingCpu(SERVING.get("server"), SERVING.get("database", ""))
    times_before = cpu_times()
    with serving:
        out = subprocess.run(
            [
                "wrk",
                "-t1",
                "-c16",
                f"-d{seconds}s",
                "--latency",
                "-s",
                str(script),
                base + path,
            ],  # fmt: skip
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    share = idle_share(times_before, cpu_times())
    if share is not None:
        IDLE.setdefault(path, []).append(share)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    WRK_CPU.append(
        (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, seconds)
    )
    if "Non-2xx" in out:
        raise SystemExit(f"{path}: not every answer was a success\n{out}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    p99 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    answered = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    used = serving.used()
    per = 1000 / max(answered, 1)
    return Run(rate, p99, sum(used.values()) * per, used["web"] * per, used["db"] * per)


def neighbours(before: Run, after: Run) -> tuple[float, float]:
    """The floor's rate and CPU per request around an endpoint's run: the mean
    of the runs just before and just after it."""
    return (before.rate + after.rate) / 2, (before.cpu + after.cpu) / 2


def median_run(runs: list[Run]) -> Run:
    """A target's figures over its rounds: the median of each, the worst p99."""
    return Run(
        statistics.median(r.rate for r in runs),
        max(r.p99 for r in runs),
        statistics.median(r.cpu for r in runs),
        statistics.median(r.web for r in runs),
        statistics.median(r.db for r in runs),
    )


def report(
    targets: dict[str, tuple[str, Any]],
    runs: dict[str, list[Run]],
    ratios: dict[str, list[tuple[float, float]]],
    rounds: int,
) -> None:
    """Print each target's figures over its rounds, then the least ratio and the
    worst p99 of the endpoints."""
    figures = {name: median_run(each) for name, each in runs.items()}
    print(f"rounds: {rounds}")
    for name in targets:
        run = figures[name]
        print(f"{name}_req_per_s: {run.rate:.1f}")
        print(f"{name}_p99_ms: {run.p99:.1f}")
        print(f"{name}_server_cpu_ms: {run.cpu:.2f}")
        print(f"{name}_web_cpu_ms: {run.web:.2f}")
        print(f"{name}_db_cpu_ms: {run.db:.2f}")
        if IDLE.get(targets[name][0]):
            idle = statistics.median(IDLE[targets[name][0]])
            print(f"{name}_cpu_idle_share: {idle:.2f}")
        if name in ratios:
            rate_ratio = statistics.median(r for r, _ in ratios[name])
            print(f"{name}_ratio_vs_floor: {rate_ratio:.2f}")
            if run.cpu > 0:
                cpu_ratio = statistics.median(c for _, c in ratios[name])
                print(f"{name}_cpu_ratio_vs_floor: {cpu_ratio:.2f}")
    least = min(statistics.median(r for r, _ in each) for each in ratios.values())
    print(f"floor_vs_bare: {figures['floor'].rate / figures['bare'].rate:.2f}")
    print(f"min_ratio_vs_floor: {least:.2f}")
    worst = max(figures[name].p99 for name in ratios)
    print(f"max_p99_ms: {worst:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="the CI size")
    parser.add_argument(
        "--rounds", type=int, default=None, help="turns of every target (3; 1 small)"
    )
    args = parser.parse_args()
    small = args.small
    seconds = 2 if small else 10
    rounds = max(1, args.rounds or (1 if small else 3))
    with own_database("api") as database_url, own_redis_db() as redis_db:
        redis_url = f"redis://{REDIS_HOST}:{REDIS_PORT}/{redis_db}"
        import django

        django.setup()
        logging.disable(logging.INFO)
        migrate()
        reference = fixture(2_000 if small else 20_000)
        from django.db import connections

        connections.close_all()
        targets: dict[str, tuple[str, Any]] = {
            "bare": ("/bench/bare/", None),
            "floor": ("/bench/login/", None),
            "cases": ("/api/v1/cases/", None),
            "case_detail": (f"/api/v1/cases/{reference}/", None),
            "resident_search": ("/api/v1/residents/?q=%E4%BD%90%E8%97%A4", None),
            "catalogue": ("/api/v1/identity-documents/", None),
            "evaluate": ("/api/v1/requirements/evaluate/", EVALUATE_BODY),
        }
        with tempfile.TemporaryDirectory(prefix="bench-api-") as tmpdir:
            tmp = Path(tmpdir)
            port = free_port()
            load_before = os.getloadavg()[0]
            server = start_gunicorn(port, database_url, redis_url, tmp)
            SERVING.update(server=server.pid, database=database_url.rsplit("/", 1)[1])
            base = f"http://127.0.0.1:{port}"
            try:
                deadline = time.monotonic() + 60
                while True:
                    try:
                        status, _ = get(base, "/bench/bare/")
                        if status == 200:
                            break
                    except OSError:
                        pass
                    if time.monotonic() > deadline or server.poll() is not None:
                        log = (tmp / "gunicorn.log").read_text(errors="replace")
                        raise SystemExit(f"gunicorn did not start\n{log[-3000:]}")
                    time.sleep(0.3)
                for name, (path, body) in targets.items():
                    if body is None:
                        status, payload = get(base, path)
                        if status != 200:
                            raise SystemExit(f"{name}: {status} {payload[:300]!r}")
                # The floor is measured before and after each endpoint and the
                # endpoint held against the mean of the two: on a shared machine
                # the load moves within a run, and a ratio against a floor
                # measured minutes earlier measures the load, not the code.
                runs: dict[str, list[Run]] = {"bare": []}
                floors: list[Run] = []
                ratios: dict[str, list[tuple[float, float]]] = {}
                for _ in range(rounds):
                    runs["bare"].append(wrk(base, targets["bare"][0], seconds, tmp))
                    floors.append(wrk(base, targets["floor"][0], seconds, tmp))
                    for name, (path, body) in targets.items():
                        if name in ("bare", "floor"):
                            continue
                        runs.setdefault(name, []).append(
                            wrk(base, path, seconds, tmp, body)
                        )
                        floors.append(wrk(base, targets["floor"][0], seconds, tmp))
                        here = runs[name][-1]
                        floor_rate, floor_cpu = neighbours(floors[-2], floors[-1])
                        ratios.setdefault(name, []).append(
                            (
                                here.rate / floor_rate,
                                floor_cpu / here.cpu if here.cpu > 0 else 0.0,
                            )
                        )
                runs["floor"] = floors
            finally:
                server.send_signal(signal.SIGTERM)
                try:
                    server.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
        report(targets, runs, ratios, rounds)
        used, driven = sum(c for c, _ in WRK_CPU), sum(d for _, d in WRK_CPU)
        print(f"wrk_cpu_share_of_one_core: {used / driven:.3f}")
        print(f"load_average_before: {load_before:.2f}")
        print(f"load_average_after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
