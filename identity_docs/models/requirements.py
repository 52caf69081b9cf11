"""The requirement per procedure × applicant role × visit, built from the policy
by ``requirement_rules_install_defaults`` and editable by supervisors."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from counter.scoping import ScopedManager
from identity_docs.constants import (
    DOCUMENT_PROCEDURES,
    MAX_VISIT,
    ApplicantRole,
    Procedure,
)
from identity_docs.rules import RequirementError, rules_from_json

from .catalogue import IdentityDocumentKind

PROCEDURE_CHOICES = [(p, Procedure(p).label) for p in DOCUMENT_PROCEDURES]


class RequirementRule(models.Model):
    """What one procedure × applicant role × visit needs in one city."""

    profile = models.ForeignKey(
        "counter.MunicipalProfile",
        on_delete=models.CASCADE,
        related_name="requirement_rules",
        verbose_name=_("municipal profile"),
    )
    procedure = models.CharField(
        _("procedure"), max_length=30, choices=PROCEDURE_CHOICES
    )
    applicant_role = models.CharField(
        _("applicant"), max_length=30, choices=ApplicantRole.choices
    )
    visit = models.PositiveSmallIntegerField(
        _("visit"), validators=[MinValueValidator(1), MaxValueValidator(MAX_VISIT)]
    )
    rules = models.JSONField(
        _("rules"),
        help_text=_("The requirement language of identity_docs/rules.py."),
    )
    note = models.TextField(_("note"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedManager()
    scope_municipality = "profile__municipality"

    class Meta:
        verbose_name = _("requirement rule")
        verbose_name_plural = _("requirement rules")
        ordering = ["profile", "procedure", "applicant_role", "visit"]
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "procedure", "applicant_role", "visit"],
                name="identity_docs_one_rule_per_visit",
            ),
            models.CheckConstraint(
                condition=models.Q(visit__gte=1) & models.Q(visit__lte=MAX_VISIT),
                name="identity_docs_rule_visit_1_or_2",
            ),
        ]

    def __str__(self) -> str:
        role = self.get_applicant_role_display()
        return f"{self.get_procedure_display()} / {role} / {self.visit}"

    def clean(self) -> None:
        try:
            parsed = rules_from_json(self.rules)
        except RequirementError as exc:
            raise ValidationError({"rules": exc.args[0]}) from exc
        named = {c for rule in parsed for slot in rule.slots() for c in slot.codes}
        known = set(
            IdentityDocumentKind.objects.filter(code__in=named).values_list(
                "code", flat=True
            )
        )
        if named - known:
            raise ValidationError(
                {
                    "rules": _("Unknown document codes: %s")
                    % ", ".join(sorted(named - known))
                }
            )

    def requirement_json(self) -> dict[str, Any]:
        return {"applicant_role": self.applicant_role, "rules": self.rules}
