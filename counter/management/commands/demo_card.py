"""``manage.py demo_card insert D0012`` / ``remove`` / ``list``: the demo card slot."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from counter import demo_cards


class Command(BaseCommand):
    help = "Insert a demo resident's virtual card into the reader, or remove it."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["insert", "remove", "list"])
        parser.add_argument("register_id", nargs="?")

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
        try:
            demo_cards.card_insert(options["register_id"])
        except FileNotFoundError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"card of {options['register_id']} inserted")
