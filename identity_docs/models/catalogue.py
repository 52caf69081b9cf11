"""The catalogue of document kinds (docs/rules/05-identity-documents.md §5.1 and the
seed's list).

The national kinds are shipped data (:mod:`identity_docs.catalogue_data`, loaded
by a data migration, ``municipality`` empty). Each municipality's choices are its
own :class:`DocumentChoice` rows (accepted or not, class, in use), and a city may
add local documents (kinds with its ``municipality``); no city's change touches
another's. The finer overrides of :data:`OVERRIDABLE_FIELDS` stay on the policy.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from counter.scoping import ScopedManager
from identity_docs.constants import DocumentClass
from identity_docs.evaluator import DocumentKind

#: Catalogue fields a city may override for itself
#: (docs/rules/05-identity-documents.md §5.1 VARIES).
OVERRIDABLE_FIELDS = {
    "document_class": str,
    "photo": bool,
    "public_issuer": bool,
    "accepted": bool,
    "active": bool,
    "max_age_months": int,
    "expiry_required": bool,
}


class IdentityDocumentKind(models.Model):
    """A kind of document the counter may be shown (本人確認書類 and the others)."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_ja = models.CharField(_("Japanese name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=160)
    document_class = models.CharField(
        _("class"), max_length=30, choices=DocumentClass.choices
    )
    photo = models.BooleanField(_("carries a photo"), default=False)
    public_issuer = models.BooleanField(_("issued by a public body"), default=True)
    issued_on_or_after = models.DateField(
        _("counts only if issued on or after"),
        null=True,
        blank=True,
        help_text=_("運転経歴証明書: 2012-04-01 (seed list)."),
    )
    has_expiry = models.BooleanField(_("shows an expiry date"), default=False)
    expiry_required = models.BooleanField(
        _("expiry date must be entered"),
        default=False,
        help_text=_(
            "If set, the document counts only when its expiry date is entered."
        ),
    )
    max_age_months = models.PositiveSmallIntegerField(
        _("counts for (months after issue)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    accepted = models.BooleanField(
        _("accepted"),
        default=True,
        help_text=_(
            "Unticked: the clerk can record it but it never counts (e.g. 'busy with "
            "work or school' as the reason the holder cannot come)."
        ),
    )
    active = models.BooleanField(_("in use"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    municipality = models.ForeignKey(
        "counter.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="local_document_kinds",
        verbose_name=_("local document of"),
        help_text=_("Empty: the national catalogue, shipped with the system."),
    )

    class Meta:
        verbose_name = _("identity document kind")
        verbose_name_plural = _("identity document kinds")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return f"{self.name_ja} ({self.code})"

    def as_kind(self, override: dict[str, Any] | None = None) -> DocumentKind:
        """The evaluator's view of this entry, with a city's overrides applied."""
        values: dict[str, Any] = {
            "code": self.code,
            "name_ja": self.name_ja,
            "name_en": self.name_en,
            "document_class": self.document_class,
            "photo": self.photo,
            "public_issuer": self.public_issuer,
            "issued_on_or_after": self.issued_on_or_after,
            "has_expiry": self.has_expiry,
            "expiry_required": self.expiry_required,
            "max_age_months": self.max_age_months,
            "accepted": self.accepted,
            "active": self.active,
        }
        values.update(override or {})
        return DocumentKind(**values)


class DocumentChoice(models.Model):
    """One municipality's choice about one kind (docs/rules/05-identity-documents.md
    §5.1 VARIES): its own row, so a change in one city never changes another."""

    municipality = models.ForeignKey(
        "counter.Municipality",
        on_delete=models.CASCADE,
        related_name="document_choices",
        verbose_name=_("municipality"),
    )
    kind = models.ForeignKey(
        IdentityDocumentKind,
        on_delete=models.CASCADE,
        related_name="choices",
        verbose_name=_("document kind"),
    )
    accepted = models.BooleanField(_("accepted"), default=True)
    document_class = models.CharField(
        _("class"), max_length=30, choices=DocumentClass.choices
    )
    active = models.BooleanField(_("in use"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedManager()
    scope_municipality = "municipality"

    class Meta:
        verbose_name = _("document choice of the municipality")
        verbose_name_plural = _("document choices of the municipality")
        ordering = ["municipality", "kind__sort_order", "kind__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "kind"], name="document_choice_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.municipality}: {self.kind}"

    def as_override(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "document_class": self.document_class,
            "active": self.active,
        }


def validate_document_overrides(value: Any) -> None:
    if not isinstance(value, dict):
        raise ValidationError(_("Enter an object: {code: {field: value}}."))
    for code, fields in value.items():
        if not isinstance(fields, dict):
            raise ValidationError(
                _("%(code)s: enter an object of fields."), params={"code": code}
            )
        for name, field_value in fields.items():
            kind = OVERRIDABLE_FIELDS.get(name)
            if kind is None or not isinstance(field_value, kind):
                raise ValidationError(
                    _("%(code)s: %(field)s cannot be overridden with this value."),
                    params={"code": code, "field": name},
                )
            if name == "document_class" and field_value not in DocumentClass.values:
                raise ValidationError(
                    _("%(code)s: unknown document class."), params={"code": code}
                )
