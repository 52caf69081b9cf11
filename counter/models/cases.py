"""A case: one procedure for one resident, with an append-only status history.

The per-procedure state machines (counter/workflows) move ``state``; nothing else
writes it. Every change appends a :class:`CaseStatusChange` row and an audit event.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from counter.constants import ApplicantRole, Procedure
from counter.scoping import ScopedManager

from .residents import Resident
from .tenancy import Desk, Municipality, Office


class Case(models.Model):
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("municipality"),
    )
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="cases", verbose_name=_("office")
    )
    resident = models.ForeignKey(
        Resident,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("resident"),
    )
    reference = models.CharField(_("reference"), max_length=32, unique=True)
    procedure = models.CharField(
        _("procedure"), max_length=30, choices=Procedure.choices
    )
    applicant_role = models.CharField(
        _("applicant"), max_length=30, choices=ApplicantRole.choices
    )
    state = models.CharField(_("state"), max_length=40, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    desk = models.ForeignKey(
        Desk,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("desk"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedManager()
    scope_municipality = "municipality"
    scope_office = "office"

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["municipality", "office", "state"])]

    def __str__(self) -> str:
        return self.reference


class CaseStatusChange(models.Model):
    """One transition of a case: from, to, who, which desk, when, why. Never edited."""

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="history", verbose_name=_("case")
    )
    from_state = models.CharField(_("from"), max_length=40, blank=True)
    to_state = models.CharField(_("to"), max_length=40)
    transition = models.CharField(_("transition"), max_length=60, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    desk = models.ForeignKey(
        Desk,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("desk"),
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    reason = models.TextField(_("reason"), blank=True)

    objects = ScopedManager()
    scope_municipality = "case__municipality"
    scope_office = "case__office"

    class Meta:
        verbose_name = _("case status change")
        verbose_name_plural = _("case status changes")
        ordering = ["case", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.case}: {self.from_state} → {self.to_state}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("Status history is append-only.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]
