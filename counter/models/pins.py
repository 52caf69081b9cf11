"""The PIN policy as data (§2): formats and lock thresholds, never a PIN."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from counter.constants import PinKind


class PinPolicy(models.Model):
    class Alphabet(models.TextChoices):
        DIGITS = "digits", _("Digits 0–9")
        UPPER_ALNUM = "upper_alnum", _("Capital letters A–Z and digits 0–9")

    kind = models.CharField(
        _("PIN"), max_length=30, choices=PinKind.choices, unique=True
    )
    min_length = models.PositiveSmallIntegerField(_("minimum length"))
    max_length = models.PositiveSmallIntegerField(_("maximum length"))
    alphabet = models.CharField(
        _("characters"), max_length=20, choices=Alphabet.choices
    )
    require_letter = models.BooleanField(_("at least one letter"), default=False)
    require_digit = models.BooleanField(_("at least one digit"), default=False)
    max_attempts = models.PositiveSmallIntegerField(_("locks after (failures)"))

    class Meta:
        verbose_name = _("PIN policy")
        verbose_name_plural = _("PIN policies")
        ordering = ["kind"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_length__gte=models.F("min_length")),
                name="pin_policy_length_range",
            )
        ]

    def __str__(self) -> str:
        return str(self.get_kind_display())
