"""Command line of the desk agent, shared by ``manage.py desk_agent`` and
``python -m jpki_ops.agent``. The token may come from ``MADOGUCHI_AGENT_TOKEN``
so that it does not show in the process list."""

from __future__ import annotations

import argparse
import logging
import os
import signal
from types import FrameType

from .main import DeskAgent


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--server",
        required=True,
        help="desk API base URL, e.g. https://madoguchi.example/api/v1/desk/",
    )
    parser.add_argument(
        "--token",
        default=os.environ.get("MADOGUCHI_AGENT_TOKEN", ""),
        help="desk agent credential (default: $MADOGUCHI_AGENT_TOKEN)",
    )
    parser.add_argument("--reader", default=None, help="exact PC/SC reader name")
    parser.add_argument(
        "--reader-pattern", default=None, help="glob; the first matching reader is used"
    )
    parser.add_argument(
        "--pinpad-port",
        type=int,
        default=8765,
        help="PIN pad page on 127.0.0.1 (0: any free port)",
    )
    parser.add_argument("--poll-wait", type=int, default=20)
    parser.add_argument("--pin-timeout", type=float, default=180.0)


def run(options: dict[str, object]) -> int:
    token = str(options.get("token") or "")
    if not token:
        raise SystemExit("desk_agent: no token (--token or MADOGUCHI_AGENT_TOKEN)")
    agent = DeskAgent(
        server_url=str(options["server"]),
        token=token,
        reader=options.get("reader") or None,  # type: ignore[arg-type]
        reader_pattern=options.get("reader_pattern") or None,  # type: ignore[arg-type]
        pinpad_port=int(options.get("pinpad_port") or 0),  # type: ignore[call-overload]
        poll_wait=int(options.get("poll_wait") or 20),  # type: ignore[call-overload]
        pin_timeout=float(options.get("pin_timeout") or 180.0),  # type: ignore[arg-type]
    )

    def _stop(signum: int, _frame: FrameType | None) -> None:
        agent.stop_event.set()
        agent.pinpad.cancel_current()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    agent.run_forever()
    if agent.refused is not None:
        raise SystemExit(
            f"desk_agent: the server refused the credential ({agent.refused.code})"
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point without a Django project settings module (a desk PC)."""
    if not os.environ.get("DJANGO_SETTINGS_MODULE"):
        from pathlib import Path

        from django.conf import settings

        base_dir = Path(__file__).resolve().parents[2]
        settings.configure(
            USE_I18N=True,
            LANGUAGE_CODE="ja",
            LOCALE_PATHS=[base_dir / "locale"],
            INSTALLED_APPS=["counter", "jpki_ops"],
            TEMPLATES=[
                {
                    "BACKEND": "django.template.backends.django.DjangoTemplates",
                    "DIRS": [base_dir / "templates"],
                }
            ],
            LOGGING_CONFIG=None,
        )
    import django

    django.setup()
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    parser = argparse.ArgumentParser(prog="python -m jpki_ops.agent")
    add_arguments(parser)
    return run(vars(parser.parse_args(argv)))
