"""Inquiry-letter benchmark (issues 5 and 14): ``python bench/letters.py [--small]``.

The real paths, on a PostgreSQL database and a Redis db of the bench's own
(bench/bench_env.py; both dropped afterwards):

* ``service_letters_per_s`` – N cases' inquiries sent through ``case_send_inquiry``
  with Celery eager (the request, the letter, its rendering and every audit row);
* ``queries_per_letter`` – database queries per letter on that path;
* ``print_run_letters_per_s`` – ``print_run_create`` over the rendered letters;
* ``worker_letters_per_s`` – queued letters drained by a real Celery worker on
  Redis, started by deploy/docker/start-worker.sh (the production options);

then the renderer alone, on one core:

* ``single_letters_per_s`` – one PDF per letter (what a Celery task renders);
* ``batch_letters_per_s`` – a 1000-letter print run as one multi-page PDF;
* ``bytes_per_letter`` – mean size of a single-letter PDF;

and the same three prefixed ``baseline_`` for the same letter written
independently with plain reportlab (bench/plain_letters.py). Targets: service and
worker ≥ 60/s, print run ≥ 200/s, ≤ 10 queries per letter, single ≥ 60/s, batch
≥ 200/s, ≤ 40 KB per single letter. ``--small`` is the CI size (it only keeps the
bench from rotting; its figures mean little).
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

from bench.bench_env import REDIS_HOST, REDIS_PORT, migrate, own_database, own_redis_db  # noqa: E402

SINGLE_LETTERS = 300
BATCH_LETTERS = 1000
SERVICE_LETTERS = 1000  # also the print run's size
WORKER_LETTERS = 300

FAMILY = (
    "佐藤鈴木高橋田中伊藤渡辺山本中村小林加藤吉田山田佐々木松本井上木村林清水山崎森"
)
GIVEN = "花子太郎一郎和子洋子幸子正雄美智子健二裕子博明節子"
TOWNS = ["中町", "旭町", "東町", "水引", "恩名", "温水", "林", "妻田東", "下荻野"]


def sample_letters(count: int) -> list:
    from counter.constants import Procedure
    from counter.letters.address import PostalAddress
    from counter.letters.content import LETTER_PROCEDURES, SEED_OFFICE, LetterData

    letters = []
    for i in range(count):
        family = FAMILY[(i * 2) % len(FAMILY) : (i * 2) % len(FAMILY) + 2]
        given = GIVEN[(i * 3) % len(GIVEN) : (i * 3) % len(GIVEN) + 2]
        address = PostalAddress.build(
            postal_code=f"243-{i % 90 + 10:04d}",
            town_area=f"神奈川県厚木市{TOWNS[i % len(TOWNS)]}",
            block=f"{i % 9 + 1}丁目{i % 30 + 1}-{i % 17 + 1} コーポ厚木{i % 5 + 1}01号",
            name=f"{family} {given}",
        )
        letters.append(
            LetterData(
                reference_code=f"2611-{i // 10000:04d}-{i % 10000:04d}",
                procedure=LETTER_PROCEDURES[i % len(LETTER_PROCEDURES)]
                if i % 3
                else Procedure.PIN_CHANGE,
                address=address,
                agent_name=f"{FAMILY[(i * 5) % 40 : (i * 5) % 40 + 2]} 次郎",
                first_visit=dt.date(2026, 11, 26),
                deadline=dt.date(2026, 12, 26),
                issued_on=dt.date(2026, 11, 26),
                office=SEED_OFFICE,
            )
        )
    return letters


def measure(
    render_one: Any, render_many: Any, letters: list, singles_n: int, batch_n: int
) -> tuple[float, float, float]:
    singles = letters[:singles_n]
    render_one(singles[0])  # process warm-up: font parsed and registered
    started = time.perf_counter()
    total = 0
    for data in singles:
        total += len(render_one(data))
    single_rate = len(singles) / (time.perf_counter() - started)
    started = time.perf_counter()
    render_many(letters[:batch_n])
    batch_rate = batch_n / (time.perf_counter() - started)
    return single_rate, batch_rate, total / len(singles)


def renderer_figures(singles_n: int, batch_n: int) -> None:
    """The renderer alone, on one core, against the independent plain letter."""
    from reportlab import rl_config
    from reportlab.pdfbase.ttfonts import TTFont

    from bench.plain_letters import letter_pdf_plain, letters_pdf_plain
    from counter.letters.fonts import FONT_FILE, register_font_by_name
    from counter.letters.render import letter_pdf, letters_pdf

    cores = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    if cores:
        os.sched_setaffinity(0, {sorted(cores)[0]})
    try:
        letters = sample_letters(max(singles_n, batch_n))
        ours = measure(letter_pdf, letters_pdf, letters, singles_n, batch_n)
        register_font_by_name(TTFont("BaselineGothic", str(FONT_FILE)))
        a85 = rl_config.useA85
        rl_config.useA85 = 1  # reportlab's default, which the letter renderer turns off
        baseline = measure(
            lambda d: letter_pdf_plain(d, font_name="BaselineGothic"),
            lambda ds: letters_pdf_plain(ds, font_name="BaselineGothic"),
            letters,
            singles_n,
            batch_n,
        )
        rl_config.useA85 = a85
    finally:
        if cores:
            os.sched_setaffinity(0, cores)
    for prefix, (single, batch, size) in (("", ours), ("baseline_", baseline)):
        print(f"{prefix}single_letters_per_s: {single:.1f}")
        print(f"{prefix}batch_letters_per_s: {batch:.1f}")
        print(f"{prefix}bytes_per_letter: {size:.0f}")


class Counter:
    """Counts the queries the database sees while it is installed."""

    def __init__(self) -> None:
        self.queries = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, ctx: Any):
        self.queries += 1
        return execute(sql, params, many, ctx)


def fixture(count: int) -> tuple[Any, Any, list]:
    """A city, its clerk and ``count`` voluntary agents' cases opened at the counter
    through the services, documents checked (the test factories' path)."""
    from counter.models import Municipality
    from tests.factories import (
        MunicipalityFactory,
        ResidentFactory,
        agent_pin_change_case,
        clerk,
        main_office,
    )

    city = Municipality.objects.filter(code="900000").first() or MunicipalityFactory(
        code="900000", name="ベンチ市"
    )
    user = clerk(city, main_office(city))
    cases = []
    for data in sample_letters(count):
        resident = ResidentFactory(
            municipality=city,
            name=data.address.name,
            postal_code=data.address.postal_code,
        )
        cases.append(agent_pin_change_case(city, user, resident))
    return city, user, cases


def send_inquiries(user: Any, cases: list) -> None:
    from counter.services.visits import case_send_inquiry

    for case in cases:
        case_send_inquiry(case=case, actor=user)


def service_figures(count: int) -> Any:
    """Inquiries through the service with Celery eager; then the print run."""
    from django.db import connection

    from config.celery_app import app
    from counter.letters.models import InquiryLetter, LetterState
    from counter.letters.services import print_run_create

    app.conf.task_always_eager = True
    city, user, cases = fixture(count)
    send_inquiries(user, cases[:1])  # warm-up: font, layout and office caches
    counter = Counter()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        send_inquiries(user, cases[1:])
    elapsed = time.perf_counter() - started
    rendered = InquiryLetter.objects.filter(state=LetterState.RENDERED).count()
    assert rendered == count, f"{rendered} of {count} letters rendered"
    print(f"service_letters_per_s: {(count - 1) / elapsed:.1f}")
    print(f"queries_per_letter: {counter.queries / (count - 1):.1f}")

    counter = Counter()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        run = print_run_create(municipality=city, actor_label="bench")
    elapsed = time.perf_counter() - started
    assert run is not None and run.letter_count == count
    print(f"print_run_letters_per_s: {count / elapsed:.1f}")
    print(f"print_run_queries: {counter.queries}")
    print(f"print_run_bytes_per_letter: {len(run.pdf) / count:.0f}")
    return city


def worker_figures(count: int, broker_url: str) -> None:
    """Letters queued on Redis, drained by a real worker with the production options."""
    from django.db import connection

    from config.celery_app import app
    from counter.letters.models import InquiryLetter, LetterState

    app.conf.task_always_eager = False
    _city, user, cases = fixture(count)
    send_inquiries(user, cases)  # each commit publishes one render task to Redis
    queued = InquiryLetter.objects.filter(
        state=LetterState.QUEUED, case__in=[c.pk for c in cases]
    )
    assert queued.count() == count
    connection.close()
    env = {
        **os.environ,
        "PYTHON": sys.executable,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "CELERY_BROKER_URL": broker_url,
        "REDIS_URL": broker_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    worker = subprocess.Popen(
        ["sh", str(ROOT / "deploy/docker/start-worker.sh")],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        first = last = None
        deadline = time.monotonic() + 120 + count
        while time.monotonic() < deadline:
            left = queued.count()
            now = time.perf_counter()
            if first is None and left < count:
                first, first_left = now, left
            if left == 0:
                last = now
                break
            time.sleep(0.05)
        if first is None or last is None:
            raise SystemExit("the worker did not drain the queue in time")
        drained = first_left
        print(f"worker_letters_per_s: {drained / max(last - first, 1e-3):.1f}")
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="the CI size")
    small = parser.parse_args().small
    scale = 20 if small else 1
    with own_database("letters"), own_redis_db() as redis_db:
        broker_url = f"redis://{REDIS_HOST}:{REDIS_PORT}/{redis_db}"
        os.environ["CELERY_BROKER_URL"] = os.environ["REDIS_URL"] = broker_url
        import django

        django.setup()
        logging.disable(logging.INFO)  # the eager tasks' log lines are not figures
        migrate()
        service_figures(max(SERVICE_LETTERS // scale, 10))
        worker_figures(max(WORKER_LETTERS // scale, 10), broker_url)
        renderer_figures(
            max(SINGLE_LETTERS // scale, 10), max(BATCH_LETTERS // scale, 10)
        )


if __name__ == "__main__":
    main()
