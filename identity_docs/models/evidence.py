"""What was shown at a visit, who checked it, and the encrypted scan kept until
the profile's retention date."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from counter.scoping import ScopedManager
from identity_docs.constants import MAX_VISIT, Owner

from .catalogue import IdentityDocumentKind


class EvidencePresented(models.Model):
    """One document shown at one visit of a case, as the clerk checked it."""

    case = models.ForeignKey(
        "counter.Case",
        on_delete=models.PROTECT,
        related_name="evidence",
        verbose_name=_("case"),
    )
    visit = models.PositiveSmallIntegerField(
        _("visit"), validators=[MinValueValidator(1), MaxValueValidator(MAX_VISIT)]
    )
    kind = models.ForeignKey(
        IdentityDocumentKind,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("document"),
    )
    owner = models.CharField(_("whose"), max_length=20, choices=Owner.choices)
    original = models.BooleanField(_("original"), default=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    sealed = models.BooleanField(_("envelope sealed"), null=True, blank=True)
    accepted = models.BooleanField(_("counted"), default=False)
    reason = models.CharField(
        _("reason"),
        max_length=40,
        blank=True,
        help_text=_("Why it did not count (stable code), empty when counted."),
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("checked by"),
    )
    desk = models.ForeignKey(
        "counter.Desk",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("desk"),
    )
    checked_at = models.DateTimeField(_("checked at"))

    objects = ScopedManager()
    scope_municipality = "case__municipality"
    scope_office = "case__office"

    class Meta:
        verbose_name = _("document presented")
        verbose_name_plural = _("documents presented")
        ordering = ["case", "visit", "checked_at", "pk"]
        indexes = [models.Index(fields=["case", "visit"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(visit__gte=1) & models.Q(visit__lte=MAX_VISIT),
                name="identity_docs_evidence_visit_1_or_2",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} #{self.visit} {self.kind_id}"


class ScannedCopy(models.Model):
    """The counter's copy of a document shown (seed: 窓口で複写), encrypted at rest.

    The file holds only Fernet ciphertext; ``identity_docs.scans`` encrypts and
    decrypts. After ``retain_until`` the purge task deletes the file and keeps this
    row (without content) as the record that a copy existed.
    """

    evidence = models.ForeignKey(
        EvidencePresented,
        on_delete=models.PROTECT,
        related_name="scans",
        verbose_name=_("document presented"),
    )
    file = models.FileField(_("encrypted file"), upload_to="scans/", blank=True)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes, before encryption)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))
    retain_until = models.DateField(_("keep until"), db_index=True)
    purged_at = models.DateTimeField(_("purged at"), null=True, blank=True)

    objects = ScopedManager()
    scope_municipality = "evidence__case__municipality"
    scope_office = "evidence__case__office"

    class Meta:
        verbose_name = _("scanned copy")
        verbose_name_plural = _("scanned copies")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"scan {self.pk} of {self.evidence_id}"
