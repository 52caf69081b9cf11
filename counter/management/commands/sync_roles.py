from typing import Any

from django.core.management.base import BaseCommand

from counter.roles import sync_roles


class Command(BaseCommand):
    help = "Create or update the clerk, supervisor and auditor groups."

    def handle(self, *args: Any, **options: Any) -> None:
        sync_roles()
        self.stdout.write("Roles synchronised.")
