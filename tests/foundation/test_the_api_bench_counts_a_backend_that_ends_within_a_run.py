"""``bench/api.py`` counts the CPU of the processes serving its load, and a
backend that ends within a run keeps what it used (bench/serving.py): Django
replaces a connection older than ``CONN_MAX_AGE`` mid-run, and read only before
and after the run, the search's database CPU showed 0.15 ms a request instead
of 1.88 (docs/capacity.md, "Rounds")."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from bench.serving import ServingCpu

pytestmark = pytest.mark.skipif(
    not os.path.isdir("/proc"), reason="reads the CPU of processes from /proc"
)

#: A serving process that waits, works for about half a second, then ends.
WORKS_THEN_ENDS = (
    "import time\n"
    "time.sleep(0.3)\n"
    "end = time.process_time() + 0.5\n"
    "while time.process_time() < end:\n"
    "    pass\n"
)


def _child(code: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE)


def test_a_process_that_ends_within_the_run_keeps_the_cpu_it_used() -> None:
    child = _child(WORKS_THEN_ENDS)
    # Children of this process stand for gunicorn's workers ("web").
    with ServingCpu(os.getpid(), "no-such-database") as cpu:
        child.wait(timeout=30)
        time.sleep(0.3)
    assert cpu.used()["web"] >= 0.35


def test_what_a_process_used_before_the_run_is_not_counted() -> None:
    child = _child(WORKS_THEN_ENDS + "print('worked', flush=True)\ntime.sleep(30)\n")
    try:
        assert child.stdout is not None
        assert child.stdout.readline() == b"worked\n"  # it has worked, now sleeps
        with ServingCpu(os.getpid(), "no-such-database") as cpu:
            time.sleep(0.5)
        assert cpu.used()["web"] < 0.1
    finally:
        child.kill()
        child.wait()


def test_processes_that_do_not_serve_the_bench_are_not_counted() -> None:
    child = _child(WORKS_THEN_ENDS)
    with ServingCpu(-1, "no-such-database") as cpu:  # no server: no web workers
        child.wait(timeout=30)
    assert cpu.used()["web"] == 0.0
