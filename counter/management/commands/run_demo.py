"""``manage.py run_demo``: the one-command demo (called by deploy/demo.sh).

Migrates the SQLite demo database, loads the demo city, and starts, as child
processes it stops by pid on Ctrl-C: the web server and - when this machine has
pcscd with the vpcd driver - the virtual card reader, a virtual My Number Card and
the desk agent for desk 1 of the main office (counter.demo_cards).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from counter import demo_cards
from counter.demo import DEMO_LOGINS, DEMO_PASSWORD, load_demo_data


def _stop_on_signal(signum: int, frame: object) -> None:
    """SIGTERM ends the demo through the same ``finally`` as Ctrl-C."""
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "Run the demo: server, demo data and (if available) desk agent + card."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--no-card", action="store_true", help="do not start the card parts"
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="prepare everything, start, answer one request, then stop",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.ENVIRONMENT_LABEL != "demo":
            self.stderr.write("run_demo only runs with config.settings.demo.")
            sys.exit(2)
        (settings.BASE_DIR / "var").mkdir(exist_ok=True)
        call_command("migrate", verbosity=0, interactive=False)
        call_command("compilemessages", ignore_patterns=[".venv*"], verbosity=0)
        load_demo_data()
        port = options["port"]
        url = f"http://127.0.0.1:{port}/"
        children: list[subprocess.Popen[bytes]] = []
        card_lines: list[str] = []
        if not options["no_card"]:
            card_lines = demo_cards.start(
                server_url=url, children=children, log=self.stdout.write
            )
        server = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "runserver",
                f"127.0.0.1:{port}",
                "--noreload",
            ],
            cwd=settings.BASE_DIR,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.demo"},
        )
        children.append(server)
        self._print_banner(url, card_lines)
        # SIGTERM (systemd, kill, a CI runner) stops the children like Ctrl-C does;
        # without this the default action would leave runserver on its port.
        signal.signal(signal.SIGTERM, _stop_on_signal)
        try:
            if options["check"]:
                self._check(url)
                return
            server.wait()
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            for child in reversed(children):
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
            demo_cards.stop()

    def _print_banner(self, url: str, card_lines: list[str]) -> None:
        w = self.stdout.write
        w("")
        w("=" * 64)
        w(f" madoguchi demo:  {url}")
        w(f" supervisor console: {url}counter/console/")
        w(f" administration (catalogues, offices, audit): {url}admin/")
        w(f" logins (password for all: {DEMO_PASSWORD}):")
        for login in DEMO_LOGINS:
            w(f"   {login.username:<14} {login.description}")
        for line in card_lines:
            w(f" {line}")
        w(" hours: 本庁 is open around the clock in the demo; 北部支所 keeps the")
        w("        seed city's hours (weekdays 8:30-17:15)")
        w(" walkthrough: docs/walkthrough.md    stop: Ctrl-C")
        w("=" * 64)

    def _check(self, url: str) -> None:
        import urllib.request

        for _ in range(100):
            try:
                with urllib.request.urlopen(url + "accounts/login/", timeout=2) as r:
                    self.stdout.write(f"demo check: login page answered {r.status}")
                    return
            except OSError:
                time.sleep(0.3)
        raise SystemExit("demo check: the server did not answer")
