"""Per-procedure data of the municipal profile: how long a procedure takes at the
counter (docs/rules/16-counter-operations.md §16.1).

The seed city says a certificate procedure takes about 20 minutes; the clerk tells
the resident (and the agent) before starting. Each city keeps its own figures; a
procedure without a row shows no figure rather than an invented one.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from counter.constants import Procedure

from .tenancy import MunicipalProfile

#: The seed city's figures (seed table, row "Duration": 手続きには20分程度かかります,
#: on the certificate page). Its PIN page states none.
SEED_EXPECTED_MINUTES: dict[str, int] = {
    Procedure.CERT_ISSUE.value: 20,
    Procedure.CERT_RENEW.value: 20,
}


class ProcedureDuration(models.Model):
    """About how many minutes one procedure takes at this city's counter."""

    profile = models.ForeignKey(
        MunicipalProfile,
        on_delete=models.CASCADE,
        related_name="procedure_durations",
        verbose_name=_("municipal profile"),
    )
    procedure = models.CharField(
        _("procedure"), max_length=30, choices=Procedure.choices
    )
    minutes = models.PositiveSmallIntegerField(
        _("about (minutes)"),
        validators=[MinValueValidator(1), MaxValueValidator(240)],
        help_text=_(
            "Shown to the clerk at reception so the resident knows how long to "
            "wait (§16.1). Seed city: about 20 minutes for a certificate."
        ),
    )

    class Meta:
        verbose_name = _("expected duration")
        verbose_name_plural = _("expected durations")
        ordering = ["profile", "procedure"]
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "procedure"], name="procedure_duration_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_procedure_display()} {self.minutes}"
