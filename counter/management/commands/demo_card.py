"""``manage.py demo_card insert D0012`` / ``remove`` / ``list``: the demo card slot;
``demo_card kiosk-reset D0009 signing``: SIMULATION of a kiosk PIN reset (§11.1)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from counter import demo_cards
from counter.errors import ApplicationError


class Command(BaseCommand):
    help = "Insert a demo resident's virtual card into the reader, or remove it."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "action", choices=["insert", "remove", "list", "kiosk-reset"]
        )
        parser.add_argument("register_id", nargs="?")
        parser.add_argument(
            "pin_kind", nargs="?", choices=["signing", "authentication"]
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            for path in sorted((demo_cards.demo_dir() / "cards").glob("*.json")):
                self.stdout.write(path.stem)
            return
        if options["action"] == "remove":
            demo_cards.card_remove()
            self.stdout.write("card removed")
            return
        if not options["register_id"]:
            raise CommandError("name the resident: demo_card insert D0012")
        if options["action"] == "kiosk-reset":
            self._kiosk_reset(options["register_id"], options["pin_kind"])
            return
        try:
            demo_cards.card_insert(options["register_id"])
        except FileNotFoundError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"card of {options['register_id']} inserted")

    def _kiosk_reset(self, register_id: str, pin_kind: str | None) -> None:
        if not pin_kind:
            raise CommandError("name the PIN: demo_card kiosk-reset D0009 signing")
        try:
            demo_cards.kiosk_reset(register_id, pin_kind)
        except FileNotFoundError as exc:
            raise CommandError(str(exc)) from exc
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(f"{pin_kind} PIN of {register_id} reset at a kiosk")
