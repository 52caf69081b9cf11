"""Command line of the desk agent, shared by ``manage.py desk_agent`` and
``python -m jpki_ops.agent``.

The credential never comes from the command line, where ``ps`` shows it: the
token is read from the file ``--token-file`` / ``MADOGUCHI_AGENT_TOKEN_FILE``
names, or from ``MADOGUCHI_AGENT_TOKEN``; the agent's private key from
``--key-file`` / ``MADOGUCHI_AGENT_KEY_FILE``. ``--generate-key PATH`` makes the
key pair once and prints the public key for ``manage.py desk_agent_credential``.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
from pathlib import Path
from types import FrameType
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .main import DeskAgent
from .proof import agent_key_generate, agent_key_load


class _RefusedOnCommandLine(argparse.Action):
    """``--token`` would put the credential where ``ps`` shows it: refused."""

    def __call__(self, parser: argparse.ArgumentParser, *args: Any) -> None:
        parser.error(
            "the token is not taken on the command line; use --token-file or "
            "MADOGUCHI_AGENT_TOKEN_FILE / MADOGUCHI_AGENT_TOKEN"
        )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--token", action=_RefusedOnCommandLine, help=argparse.SUPPRESS)
    parser.add_argument(
        "--server",
        help="desk API base URL, e.g. https://madoguchi.example/api/v1/desk/",
    )
    parser.add_argument(
        "--token-file",
        default=os.environ.get("MADOGUCHI_AGENT_TOKEN_FILE", ""),
        help="file holding the desk credential (default: "
        "$MADOGUCHI_AGENT_TOKEN_FILE, else the token in $MADOGUCHI_AGENT_TOKEN)",
    )
    parser.add_argument(
        "--key-file",
        default=os.environ.get("MADOGUCHI_AGENT_KEY_FILE", ""),
        help="the agent's private key (default: $MADOGUCHI_AGENT_KEY_FILE)",
    )
    parser.add_argument(
        "--generate-key",
        metavar="PATH",
        default="",
        help="write a new private key to PATH (0600), print its public key, exit",
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
    parser.add_argument(
        "--reader-watch",
        type=float,
        default=2.0,
        help="seconds between looks at the idle reader (0: do not report it)",
    )
    parser.add_argument("--pin-timeout", type=float, default=180.0)


def credential_read(options: dict[str, object]) -> str:
    """The token from its file, else from the environment; never an argument."""
    token_file = str(options.get("token_file") or "")
    if token_file:
        try:
            return Path(token_file).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise SystemExit(
                f"desk_agent: cannot read the token file {token_file}: {exc.strerror}"
            ) from None
    return os.environ.get("MADOGUCHI_AGENT_TOKEN", "").strip()


def key_read(options: dict[str, object]) -> Ed25519PrivateKey | None:
    key_file = str(options.get("key_file") or "")
    if not key_file:
        return None
    try:
        return agent_key_load(Path(key_file))
    except (OSError, ValueError) as exc:
        raise SystemExit(
            f"desk_agent: cannot read the key file {key_file}: {exc}"
        ) from None


def run(options: dict[str, object]) -> int:
    if options.get("generate_key"):
        try:
            public = agent_key_generate(Path(str(options["generate_key"])))
        except FileExistsError:
            raise SystemExit(
                f"desk_agent: {options['generate_key']} exists; not overwritten"
            ) from None
        print(public)  # noqa: T201 - the operator copies it to the server
        return 0
    if not options.get("server"):
        raise SystemExit("desk_agent: --server is required")
    token = credential_read(options)
    if not token:
        raise SystemExit(
            "desk_agent: no credential (--token-file, MADOGUCHI_AGENT_TOKEN_FILE "
            "or MADOGUCHI_AGENT_TOKEN)"
        )
    agent = DeskAgent(
        server_url=str(options["server"]),
        token=token,
        key=key_read(options),
        reader=options.get("reader") or None,  # type: ignore[arg-type]
        reader_pattern=options.get("reader_pattern") or None,  # type: ignore[arg-type]
        pinpad_port=int(options.get("pinpad_port") or 0),  # type: ignore[call-overload]
        poll_wait=int(options.get("poll_wait") or 20),  # type: ignore[call-overload]
        pin_timeout=float(options.get("pin_timeout") or 180.0),  # type: ignore[arg-type]
        reader_watch=float(options.get("reader_watch") or 0) or None,  # type: ignore[arg-type]
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
