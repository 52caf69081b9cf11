"""Catalogue, per-city document policy and rules, and the evidence of each visit.

- :class:`IdentityDocumentKind`: the catalogue (rules.md §5.1 and the seed's list),
  loaded by a data migration from :mod:`identity_docs.catalogue_data`, edited by
  supervisors in the admin.
- :class:`DocumentPolicy`: one per municipal profile; the city's choices at the
  VARIES points of rules.md §5–§6 (seed city's choices by default).
- :class:`RequirementRule`: the requirement per procedure × applicant role × visit,
  built from the policy by ``requirement_rules_install_defaults`` and editable.
- :class:`EvidencePresented` / :class:`ScannedCopy`: what was shown at a visit, who
  checked it, and the encrypted scan kept until the profile's retention date.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from counter.scoping import ScopedManager
from identity_docs import defaults
from identity_docs.constants import (
    DOCUMENT_PROCEDURES,
    MAX_VISIT,
    ApplicantRole,
    DocumentClass,
    Owner,
    Procedure,
)
from identity_docs.evaluator import DocumentKind
from identity_docs.rules import RequirementError, rules_from_json

PROCEDURE_CHOICES = [(p, Procedure(p).label) for p in DOCUMENT_PROCEDURES]

#: Catalogue fields a city may override for itself (rules.md §5.1 VARIES).
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


def validate_procedure_list(value: Any) -> None:
    if not isinstance(value, list) or any(p not in DOCUMENT_PROCEDURES for p in value):
        raise ValidationError(
            _("Enter a list of procedures from: %(choices)s."),
            params={"choices": ", ".join(DOCUMENT_PROCEDURES)},
        )


def _default_attorney_procedures() -> list[str]:
    return list(defaults.SEED_POLICY.power_of_attorney_procedures)


def _default_inability_procedures() -> list[str]:
    return list(defaults.SEED_POLICY.proof_of_inability_procedures)


class DocumentPolicy(models.Model):
    """A city's choices at the VARIES points of rules.md §5–§6 (seed city default)."""

    class HolderId(models.TextChoices):
        ONE_A_OR_ONE_B = (
            defaults.HOLDER_ID_ONE_A_OR_ONE_B,
            _("One class A or one class B document besides the card (seed city)"),
        )
        ONE_PUBLIC_DOCUMENT = (
            defaults.HOLDER_ID_ONE_PUBLIC_DOCUMENT,
            _("Any one document issued by a public body besides the card (Dazaifu)"),
        )
        NONE = defaults.HOLDER_ID_NONE, _("The card only (Sayama)")

    class RepresentativeId(models.TextChoices):
        TWO_A_OR_A_PLUS_B = (
            defaults.REP_ID_TWO_A_OR_A_PLUS_B,
            _("Two class A, or one class A and one class B (seed city)"),
        )
        ONE_PHOTO_ID = (
            defaults.REP_ID_ONE_PHOTO_ID,
            _("One photo ID (Sayama, Sakuragawa, Dazaifu)"),
        )

    class AgentSuspensionLift(models.TextChoices):
        INQUIRY = defaults.AGENT_LIFT_INQUIRY, _("Inquiry method, two visits")
        AGENT_ID_ONLY = defaults.AGENT_LIFT_ID_ONLY, _("The agent's ID only, one visit")
        NOT_ACCEPTED = (
            defaults.AGENT_LIFT_NOT_ACCEPTED,
            _("Voluntary agents not accepted"),
        )

    profile = models.OneToOneField(
        "counter.MunicipalProfile",
        on_delete=models.CASCADE,
        related_name="document_policy",
        verbose_name=_("municipal profile"),
    )
    pin_reset_holder_id = models.CharField(
        _("PIN reset: the holder's documents besides the card"),
        max_length=30,
        choices=HolderId.choices,
        default=HolderId.ONE_A_OR_ONE_B,
        help_text=_("rules.md §5.2 (VARIES)."),
    )
    pin_reset_representative_id = models.CharField(
        _("PIN reset: the legal representative's own ID"),
        max_length=30,
        choices=RepresentativeId.choices,
        default=RepresentativeId.TWO_A_OR_A_PLUS_B,
        help_text=_("rules.md §5.2 (VARIES)."),
    )
    proof_of_authority_required = models.BooleanField(
        _("legal representatives prove their authority"),
        default=True,
        help_text=_("rules.md §6.1 (VARIES: one city asks no proof for under-15s)."),
    )
    proof_of_authority_waivable = models.BooleanField(
        _("no proof needed when the city's records confirm the authority"),
        default=True,
        help_text=_(
            "Seed city: 市内に本籍若しくは住民票があり、その資格を確認できる場合は不要."
        ),
    )
    proof_of_authority_max_age_months = models.PositiveSmallIntegerField(
        _("proof of authority issued within (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text=_(
            "rules.md §6.1: often 3 months; the seed city says nothing (empty). "
            "Lifting a suspension always asks for at most 3 months (§5.2)."
        ),
    )
    agent_suspension_lift = models.CharField(
        _("voluntary agent lifting a suspension"),
        max_length=20,
        choices=AgentSuspensionLift.choices,
        default=AgentSuspensionLift.INQUIRY,
        help_text=_("rules.md §5.2 / §10 (VARIES)."),
    )
    inquiry_requires_holder_id = models.BooleanField(
        _("inquiry method: the holder's ID too at the second visit"),
        default=False,
        help_text=_("rules.md §5.2 (VARIES: Maebashi)."),
    )
    answer_sheet_must_be_sealed = models.BooleanField(
        _("answer sheet only in its sealed envelope"),
        default=True,
        help_text=_("rules.md §6.2: an opened envelope is refused."),
    )
    power_of_attorney_procedures = models.JSONField(
        _("power of attorney at the second visit for"),
        default=_default_attorney_procedures,
        validators=[validate_procedure_list],
        help_text=_("rules.md §6.2 (VARIES). Seed city: certificate issuance."),
    )
    proof_of_inability_procedures = models.JSONField(
        _("proof that the holder cannot come for"),
        default=_default_inability_procedures,
        validators=[validate_procedure_list],
        help_text=_(
            "rules.md §6.2 (VARIES). Seed city: PIN change and reset. Applies only "
            "while the municipal profile requires such proof."
        ),
    )
    two_b_requires_public = models.BooleanField(
        _("two class B documents: at least one issued by a public body"),
        default=False,
        help_text=_("rules.md §5.1 two-tier B lists (VARIES)."),
    )
    extra_id_when_resident_pin_unknown = models.BooleanField(
        _("one more A or B when the resident-register PIN is unknown"),
        default=True,
        help_text=_("rules.md §5.2 (issuance, revocation)."),
    )
    one_visit_renewal = models.BooleanField(
        _("one-visit renewal with the J-LIS sheet"),
        default=True,
        help_text=_(
            "rules.md §6.2: while the certificate is valid, a voluntary agent with "
            "the sealed sheet J-LIS sends with the expiry notice renews in one visit."
        ),
    )
    document_overrides = models.JSONField(
        _("catalogue overrides for this city"),
        default=dict,
        blank=True,
        validators=[validate_document_overrides],
        help_text=_(
            'rules.md §5.1 (VARIES), e.g. {"seaman_handbook": {"document_class": '
            '"A"}} where licences count as class A.'
        ),
    )
    scan_retention_days = models.PositiveIntegerField(
        _("keep scanned copies for (days)"),
        default=365,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_("No source states a period (UNVERIFIED); set the city's own."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedManager()
    scope_municipality = "profile__municipality"

    class Meta:
        verbose_name = _("document policy")
        verbose_name_plural = _("document policies")

    def __str__(self) -> str:
        return str(self.profile)

    def values(self) -> defaults.PolicyValues:
        """The policy as the rule builder reads it."""
        inability = tuple(self.proof_of_inability_procedures)
        if not getattr(self.profile, "require_proof_holder_cannot_come", True):
            inability = ()
        return defaults.PolicyValues(
            pin_reset_holder_id=self.pin_reset_holder_id,
            pin_reset_representative_id=self.pin_reset_representative_id,
            proof_of_authority_required=self.proof_of_authority_required,
            proof_of_authority_waivable=self.proof_of_authority_waivable,
            proof_of_authority_max_age_months=self.proof_of_authority_max_age_months,
            agent_suspension_lift=self.agent_suspension_lift,
            inquiry_requires_holder_id=self.inquiry_requires_holder_id,
            answer_sheet_must_be_sealed=self.answer_sheet_must_be_sealed,
            power_of_attorney_procedures=tuple(self.power_of_attorney_procedures),
            proof_of_inability_procedures=inability,
            two_b_requires_public=self.two_b_requires_public,
            extra_id_when_resident_pin_unknown=self.extra_id_when_resident_pin_unknown,
            one_visit_renewal=self.one_visit_renewal,
        )


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
        return f"{self.procedure} / {self.applicant_role} / {self.visit}"

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
