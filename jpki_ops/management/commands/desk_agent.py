"""``manage.py desk_agent --server URL --token-file FILE --key-file KEY
--reader NAME``."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand

from jpki_ops.agent import cli


class Command(BaseCommand):
    help = (
        "Run the desk agent next to the card reader: long-poll the server for card "
        "operations, run them, serve the PIN pad on 127.0.0.1."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        cli.add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        cli.run(options)
