"""Rebuild the console's daily case counts from the cases (ADR 0029): once after
the migration that adds them, after a restore or a bulk load — whatever wrote
cases around the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from counter.models import Municipality
from counter.services.case_counts import case_counts_rebuild


class Command(BaseCommand):
    help = (
        "Recompute the daily case counts (opened, completed per day, office and "
        "procedure) from the cases, for every day or the days given."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--from", dest="day_from", type=dt.date.fromisoformat)
        parser.add_argument("--to", dest="day_to", type=dt.date.fromisoformat)
        parser.add_argument(
            "--municipality", metavar="CODE", help="Only this municipality's cases."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        municipality_id = None
        if options["municipality"]:
            found = Municipality.objects.filter(code=options["municipality"]).first()
            if found is None:
                raise CommandError(f"No municipality {options['municipality']}.")
            municipality_id = found.pk
        rows = case_counts_rebuild(
            day_from=options["day_from"],
            day_to=options["day_to"],
            municipality_id=municipality_id,
        )
        self.stdout.write(f"{rows} daily count rows written.")
