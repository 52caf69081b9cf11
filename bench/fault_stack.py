"""The processes the fault harness (bench/faults.py) starts, kills and restarts.

Its own PostgreSQL cluster (initdb on a free port, as ``nobody`` when run as
root), its own Redis on a free port, gunicorn and a Celery worker through the
project's start scripts. Every process is started here and stopped here, by pid;
the machine's own PostgreSQL and Redis are never touched.
"""

from __future__ import annotations

import base64
import contextlib
import glob
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "counter.faults.example"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if check():
                return
        time.sleep(0.2)
    raise RuntimeError(f"timed out waiting for {what}")


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


class Stack:
    """One throw-away installation: PostgreSQL, Redis, gunicorn, a Celery worker."""

    def __init__(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="madoguchi-faults-"))
        os.chmod(self.tmp, 0o755)
        self.pg_port, self.redis_port, self.web_port = (
            free_port(),
            free_port(),
            free_port(),
        )
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not bins:
            raise SystemExit("faults: no initdb under /usr/lib/postgresql/*/bin")
        self.pg_bin = Path(bins[-1]).parent
        self.pg_data = self.tmp / "pg"
        self.as_user = ["runuser", "-u", "nobody", "--"] if os.geteuid() == 0 else []
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.worker_lock = threading.RLock()
        self.worker_restarts = 0
        self.tmpfs: Path | None = None
        self.env = self._env()

    # ------------------------------------------------------------------ env
    def _env(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "PYTEST", "CELERY_", "DATABASE_"))
            and k not in ("SECRET_KEY", "SCAN_ENCRYPTION_KEY", "REDIS_URL")
        }
        redis_url = f"redis://127.0.0.1:{self.redis_port}/0"
        env.update(
            PYTHON=sys.executable,
            PATH=f"{Path(sys.executable).parent}:{env.get('PATH', '/usr/bin:/bin')}",
            DJANGO_SETTINGS_MODULE="config.settings.production",
            SECRET_KEY=secrets.token_urlsafe(50),
            SCAN_ENCRYPTION_KEY=base64.urlsafe_b64encode(os.urandom(32)).decode(),
            ALLOWED_HOSTS=HOST,
            CSRF_TRUSTED_ORIGINS=f"https://{HOST}",
            DATABASE_URL=f"postgres://postgres@127.0.0.1:{self.pg_port}/madoguchi",
            CELERY_BROKER_URL=redis_url,
            REDIS_URL=redis_url,
            MEDIA_ROOT=str(self.tmp / "media"),
            JPKI_ISSUER_STATE_DIR=str(self.tmp / "issuer"),
            PROMETHEUS_MULTIPROC_DIR=str(self.tmp / "metrics"),
            API_THROTTLE_READ_RATE="100000/min",
            API_THROTTLE_WRITE_RATE="100000/min",
            LOG_LEVEL="WARNING",
            WEB_BIND=f"127.0.0.1:{self.web_port}",
            WEB_WORKERS="2",
            WEB_THREADS="4",
            WORKER_CONCURRENCY="2",
        )
        return env

    # ----------------------------------------------------------- PostgreSQL
    def _pg(self, *args: str, check: bool = True) -> None:
        subprocess.run(
            [*self.as_user, *args],
            check=check,
            capture_output=True,
            cwd=self.tmp,
        )

    def pg_init(self) -> None:
        self.pg_data.mkdir()
        if self.as_user:
            shutil.chown(self.pg_data, "nobody")
        self._pg(
            str(self.pg_bin / "initdb"),
            "-D",
            str(self.pg_data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
            "-E",
            "UTF8",
        )
        self.pg_start()
        subprocess.run(
            [str(self.pg_bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.pg_port)]
            + ["-U", "postgres", "madoguchi"],
            check=True,
            capture_output=True,
        )

    def pg_start(self) -> None:
        opts = (
            f"-p {self.pg_port} -c listen_addresses=127.0.0.1 -k {self.pg_data} "
            "-c fsync=off -c max_connections=200"
        )
        self._pg(
            str(self.pg_bin / "pg_ctl"),
            "-D",
            str(self.pg_data),
            "-o",
            opts,
            "-l",
            str(self.pg_data / "log"),
            "-w",
            "start",
        )

    def pg_stop(self, mode: str = "immediate") -> None:
        pid_file = self.pg_data / "postmaster.pid"
        if not pid_file.exists():
            return
        self._pg(
            str(self.pg_bin / "pg_ctl"),
            "-D",
            str(self.pg_data),
            "-m",
            mode,
            "-w",
            "stop",
            check=False,
        )

    def pg_restart(self) -> None:
        """An immediate stop (as a crash) and a start: every connection breaks."""
        self.pg_stop("immediate")
        self.pg_start()

    # ---------------------------------------------------------------- Redis
    def redis_start(self) -> None:
        self.procs["redis"] = subprocess.Popen(
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no", "--dir", str(self.tmp)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(lambda: _port_open(self.redis_port), 20, "redis")

    def redis_restart(self, down_for: float = 3.0) -> None:
        """Redis without persistence: every message in it is lost."""
        self.stop("redis")
        time.sleep(down_for)
        self.redis_start()

    # ------------------------------------------------------ web and worker
    def _spawn(self, name: str, script: str) -> None:
        log = open(self.tmp / f"{name}.log", "ab")  # noqa: SIM115 - kept by Popen
        self.procs[name] = subprocess.Popen(
            ["sh", str(ROOT / "deploy/docker" / script)],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def manage(self, *args: str) -> None:
        subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
        )

    def web_start(self) -> None:
        self._spawn("web", "start-web.sh")
        wait_until(lambda: _port_open(self.web_port), 90, "gunicorn")

    def worker_start(self) -> None:
        with self.worker_lock:
            self._spawn("worker", "start-worker.sh")
        time.sleep(1.0)

    def worker_ensure(self) -> bool:
        """Start the worker again if it exited, as a container's restart policy
        would (Celery exits on purpose when it cannot start its pool)."""
        with self.worker_lock:
            proc = self.procs.get("worker")
            if proc is not None and proc.poll() is None:
                return False
            self.procs.pop("worker", None)
            self.worker_restarts += 1
            self._spawn("worker", "start-worker.sh")
            return True

    def worker_pids(self) -> tuple[int | None, list[int]]:
        """The worker's main process and its pool children."""
        proc = self.procs.get("worker")
        if proc is None or proc.poll() is not None:
            return None, []
        out = subprocess.run(
            ["pgrep", "-P", str(proc.pid)], capture_output=True, text=True
        ).stdout
        return proc.pid, [int(p) for p in out.split()]

    # ---------------------------------------------------------- disk full
    def tablespace_on_tmpfs(self, size: str = "4m") -> str | None:
        """A tiny tmpfs for a tablespace; the reason if it cannot be mounted."""
        mount = self.tmp / "tmpfs"
        mount.mkdir()
        done = subprocess.run(
            [
                "mount",
                "-t",
                "tmpfs",
                "-o",
                f"size={size},mode=0700",
                "tmpfs",
                str(mount),
            ],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            return (done.stderr or "mount refused").strip()
        self.tmpfs = mount
        if self.as_user:
            shutil.chown(mount, "nobody")
        return None

    # -------------------------------------------------------------- stop
    def stop(self, name: str, sig: int = signal.SIGTERM) -> None:
        proc = self.procs.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            if name in ("web", "worker"):
                os.killpg(proc.pid, sig)  # its own session: the script's children
            else:
                proc.send_signal(sig)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL) if name in (
                    "web",
                    "worker",
                ) else proc.kill()
            proc.wait(10)

    def close(self) -> None:
        for name in ("web", "worker", "redis"):
            self.stop(name)
        self.pg_stop("fast")
        if self.tmpfs is not None:
            subprocess.run(["umount", str(self.tmpfs)], check=False)
        if os.environ.get("FAULTS_KEEP_LOGS"):
            for log in self.tmp.glob("*.log"):
                shutil.copy(log, Path(os.environ["FAULTS_KEEP_LOGS"]) / log.name)
        shutil.rmtree(self.tmp, ignore_errors=True)
