"""Cases opened and completed per day, office and procedure: the console's
counts over past days without rescanning every case (ADR 0029).

A row is kept by the case services in the transaction that opens or completes a
case (counter/services/case_counts.py) and rebuilt from the cases by
``manage.py case_counts_rebuild``; its numbers are those the live aggregation
over :class:`~counter.models.Case` gives (tests/console/test_case_counts.py).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from counter.scoping import ScopedManager

from .tenancy import Municipality, Office


class CaseDayCount(models.Model):
    """One city day's cases of one procedure at one office: ``day`` is the
    day the case was opened in the city's time zone; ``completed`` counts those
    of them completed since, whenever that happened."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, verbose_name=_("municipality")
    )
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, verbose_name=_("office")
    )
    day = models.DateField(_("day"))
    procedure = models.CharField(_("procedure"), max_length=30)
    opened = models.PositiveIntegerField(_("opened"), default=0)
    completed = models.PositiveIntegerField(_("completed"), default=0)

    objects = ScopedManager()
    scope_municipality = "municipality"
    scope_office = "office"

    class Meta:
        verbose_name = _("daily case count")
        verbose_name_plural = _("daily case counts")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "office", "day", "procedure"],
                name="case_day_count_unique",
            )
        ]
        indexes = [models.Index(fields=["municipality", "day"])]

    def __str__(self) -> str:
        return f"{self.day} {self.office_id} {self.procedure}"
