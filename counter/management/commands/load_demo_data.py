from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from counter.demo import DEMO_LOGINS, DEMO_PASSWORD, load_demo_data


class Command(BaseCommand):
    help = "Load the demo city, offices, desks, logins and residents (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_DATA_ALLOWED:
            # Its logins share a published password (issue 11).
            raise CommandError(
                "load_demo_data creates logins with a published password and is "
                "refused here (DEMO_DATA_ALLOWED is off, as in production)."
            )
        municipality = load_demo_data()
        self.stdout.write(f"Demo data ready for {municipality.name}.")
        for login in DEMO_LOGINS:
            self.stdout.write(
                f"  {login.username:<14} / {DEMO_PASSWORD}  {login.description}"
            )
