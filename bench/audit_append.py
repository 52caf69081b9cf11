#!/usr/bin/env python
"""bench/audit_append: audited state changes per second, and the chains after.

    python bench/audit_append.py [--writers 16] [--municipalities 4] [--seconds 5]

Against a database of its own (created, migrated, dropped afterwards), ``writers``
processes each run transactions that lock a row of their municipality (their desk,
FOR UPDATE, as a service locks a case), append one audit entry and commit. Then
one writer stalls 2 s inside its transaction after appending, while the others go
on; the figure is the slowest append of another municipality in that window.
Prints ``audit_appends_per_s``, ``audit_gaps``, ``audit_forks`` and
``other_municipality_delay_ms`` (docs/adr/0011-audit-append-design.md).
``measure()`` is importable by other benches.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

from bench.bench_env import migrate, own_database  # noqa: E402

STALL_S = 2.0


def _writer(
    desk_id: int, until: float, stall_at: float | None, out: Any, label: str
) -> None:
    from django.db import connection, transaction

    from counter.audit import audit_record
    from counter.models import Desk

    connection.close()  # a fresh connection in this process
    count, latencies = 0, []
    stalled = stall_at is None
    while time.time() < until:
        started = time.time()
        with transaction.atomic():
            desk = (
                Desk.objects.select_for_update()
                .select_related("office")
                .get(pk=desk_id)
            )
            audit_record(
                action="bench_state_changed",
                desk=desk,
                actor_label=label,
                data={"n": count},
            )
            if not stalled and stall_at is not None and time.time() >= stall_at:
                stalled = True
                time.sleep(STALL_S)
        latencies.append((started, time.time() - started))
        count += 1
    out.put((label, count, latencies))


def _chains_checked() -> tuple[int, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM "
            "counter_auditevent GROUP BY chain, prev_hash HAVING count(*) > 1) f"
        )
        forks = int(cursor.fetchone()[0])
        cursor.execute(
            "SELECT coalesce(sum(top - n), 0) FROM (SELECT chain, max(seq) AS top, "
            "count(*) AS n FROM counter_auditevent GROUP BY chain) g"
        )
        gaps = int(cursor.fetchone()[0])
    from counter.audit import verify_chain

    gaps += sum(1 for p in verify_chain() if p.kind != "changed")
    return gaps, forks


def _setup(municipalities: int, writers: int) -> list[tuple[int, int]]:
    """One desk per writer, spread over the municipalities: (municipality, desk)."""
    from counter.models import Desk, Municipality, Office

    desks = []
    for m in range(municipalities):
        city = Municipality.objects.create(code=f"9{m:05d}", name=f"ベンチ市{m}")
        office = Office.objects.create(
            municipality=city, code="main", name="本庁", kind="main"
        )
        for w in range(writers // municipalities):
            desk = Desk.objects.create(office=office, code=f"d{w}", name=f"{w}番")
            desks.append((city.pk, desk.pk))
    return desks


def measure(writers: int = 16, municipalities: int = 4, seconds: float = 5.0) -> dict:
    """Run the bench in the current (set-up, migrated) database; return the figures."""
    from django.db import connections

    desks = _setup(municipalities, writers)
    connections.close_all()
    ctx = mp.get_context("fork")
    out = ctx.Queue()
    start = time.time() + 0.5
    until = start + seconds
    stall_at = start + seconds / 2
    stalled_city = desks[0][0]
    procs = [
        ctx.Process(
            target=_writer,
            args=(desk, until, stall_at if i == 0 else None, out, f"w{i}-m{city}"),
        )
        for i, (city, desk) in enumerate(desks)
    ]
    for proc in procs:
        proc.start()
    results = [out.get() for _ in procs]
    for proc in procs:
        proc.join()
    total = sum(count for _, count, _ in results)
    window = (stall_at + 0.1, stall_at + STALL_S - 0.1)
    other = [
        latency
        for label, _, lats in results
        if not label.endswith(f"-m{stalled_city}")
        for started, latency in lats
        if window[0] <= started <= window[1]
    ]
    gaps, forks = _chains_checked()
    return {
        "audit_appends_per_s": round(total / seconds),
        "audit_gaps": gaps,
        "audit_forks": forks,
        "other_municipality_delay_ms": round(max(other, default=0.0) * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=16)
    parser.add_argument("--municipalities", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    with own_database("audit"):
        import django

        django.setup()
        migrate()
        figures = measure(args.writers, args.municipalities, args.seconds)
    for name, value in figures.items():
        print(f"{name}: {value}")


if __name__ == "__main__":
    main()
