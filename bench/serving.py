"""What serving a bench's load costs the machine, read from ``/proc`` (Linux).

``ServingCpu`` counts the CPU seconds of the processes that serve the bench:
gunicorn's workers (``web``, the children of its master), the PostgreSQL
backends whose title names the bench's database (``db``) and Redis
(``redis``). It reads them again every tenth of a second while a run lasts:
Django closes a connection older than ``CONN_MAX_AGE`` (60 s in production)
and opens another, and a backend that ends within a run took the CPU it had
used with it. Read only before and after, a run of the search during which all
four backends were replaced showed 0.15 ms of the database's CPU per request;
read this way, 1.88 (docs/capacity.md, "Rounds").

``cpu_times`` and ``idle_share`` read the whole machine's CPU time by kind.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

#: Seconds between two readings of the known serving processes, and between two
#: searches of ``/proc`` for new ones (a new backend lives for a minute).
POLL_S = 0.1
SEARCH_S = 1.0
TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid: int) -> tuple[int, float] | None:
    """A process's parent and the CPU seconds it has used so far, or None once
    it has ended."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK


def _kind(pid: int, parent: int, server: int | None, database: str) -> str | None:
    """``web``, ``db`` or ``redis`` for a serving process, else None."""
    if parent == server:
        return "web"
    try:
        title = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return None
    if title.startswith(b"postgres:") and f" {database} ".encode() in title:
        return "db"
    if title.startswith(b"redis-server"):
        return "redis"
    return None


class ServingCpu:
    """The serving processes' CPU seconds over a run, by kind: ``with
    ServingCpu(server_pid, database) as cpu: …`` then ``cpu.used()``."""

    def __init__(self, server: int | None, database: str) -> None:
        self.server, self.database = server, database
        self.kinds: dict[int, str] = {}
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self) -> ServingCpu:
        if os.path.isdir("/proc"):
            self._search(start=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._thread.is_alive():
            self._stop.set()
            self._thread.join()
            self._read()

    def _search(self, *, start: bool = False) -> None:
        for entry in os.listdir("/proc"):
            if not entry.isdigit() or int(entry) in self.kinds:
                continue
            pid = int(entry)
            stat = _stat(pid)
            if stat is None:
                continue
            kind = _kind(pid, stat[0], self.server, self.database)
            if kind is None:
                continue
            self.kinds[pid], self.last[pid] = kind, stat[1]
            # A process found later started within the run (or used nothing
            # of it before it was found): it counts from zero.
            self.first[pid] = stat[1] if start else 0.0

    def _read(self) -> None:
        for pid in self.kinds:
            stat = _stat(pid)
            if stat is not None:  # an ended process keeps its last reading
                self.last[pid] = stat[1]

    def _poll(self) -> None:
        searched = 0.0
        while not self._stop.wait(POLL_S):
            searched += POLL_S
            if searched >= SEARCH_S:
                searched = 0.0
                self._search()
            self._read()

    def used(self) -> dict[str, float]:
        """CPU seconds used during the run by ``web``, ``db`` and ``redis``."""
        used = {"web": 0.0, "db": 0.0, "redis": 0.0}
        for pid, kind in self.kinds.items():
            used[kind] += max(0.0, self.last.get(pid, 0.0) - self.first.get(pid, 0.0))
        return used


def cpu_times() -> list[int]:
    """The machine's CPU time so far by kind (``/proc/stat``), or nothing."""
    try:
        with open("/proc/stat") as stat:
            return [int(v) for v in stat.readline().split()[1:]]
    except OSError:
        return []


def idle_share(before: list[int], after: list[int]) -> float | None:
    """Of the CPU time between two readings, the share idle or waiting for I/O."""
    spent = [b - a for a, b in zip(before, after, strict=False)]
    if len(spent) < 5 or sum(spent) <= 0:
        return None
    return (spent[3] + spent[4]) / sum(spent)
