from typing import Any

from django.core.management.base import BaseCommand

from counter.demo import DEMO_LOGINS, DEMO_PASSWORD, load_demo_data


class Command(BaseCommand):
    help = "Load the demo city, offices, desks, logins and residents (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = load_demo_data()
        self.stdout.write(f"Demo data ready for {municipality.name}.")
        for login in DEMO_LOGINS:
            self.stdout.write(
                f"  {login.username:<14} / {DEMO_PASSWORD}  {login.description}"
            )
