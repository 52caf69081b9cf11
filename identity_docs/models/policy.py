"""One document policy per municipal profile: the city's choices at the VARIES
points of docs/rules/05-identity-documents.md §5–§6 (the seed city's choices by
default)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from counter.scoping import ScopedManager
from identity_docs import defaults
from identity_docs.constants import DOCUMENT_PROCEDURES

from .catalogue import validate_document_overrides


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
    """A city's choices at the VARIES points of
    docs/rules/05-identity-documents.md §5–§6 (seed city default)."""

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
        help_text=_("§5.2 (VARIES)."),
    )
    pin_reset_representative_id = models.CharField(
        _("PIN reset: the legal representative's own ID"),
        max_length=30,
        choices=RepresentativeId.choices,
        default=RepresentativeId.TWO_A_OR_A_PLUS_B,
        help_text=_("§5.2 (VARIES)."),
    )
    proof_of_authority_required = models.BooleanField(
        _("legal representatives prove their authority"),
        default=True,
        help_text=_("§6.1 (VARIES: one city asks no proof for under-15s)."),
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
            "§6.1: often 3 months; the seed city says nothing (empty). "
            "Lifting a suspension always asks for at most 3 months (§5.2)."
        ),
    )
    agent_suspension_lift = models.CharField(
        _("voluntary agent lifting a suspension"),
        max_length=20,
        choices=AgentSuspensionLift.choices,
        default=AgentSuspensionLift.INQUIRY,
        help_text=_("§5.2 / §10 (VARIES)."),
    )
    inquiry_requires_holder_id = models.BooleanField(
        _("inquiry method: the holder's ID too at the second visit"),
        default=False,
        help_text=_("§5.2 (VARIES: Maebashi)."),
    )
    answer_sheet_must_be_sealed = models.BooleanField(
        _("answer sheet only in its sealed envelope"),
        default=True,
        help_text=_("§6.2: an opened envelope is refused."),
    )
    power_of_attorney_procedures = models.JSONField(
        _("power of attorney at the second visit for"),
        default=_default_attorney_procedures,
        validators=[validate_procedure_list],
        help_text=_("§6.2 (VARIES). Seed city: certificate issuance."),
    )
    proof_of_inability_procedures = models.JSONField(
        _("proof that the holder cannot come for"),
        default=_default_inability_procedures,
        validators=[validate_procedure_list],
        help_text=_(
            "§6.2 (VARIES). Seed city: PIN change and reset. Applies only "
            "while the municipal profile requires such proof."
        ),
    )
    two_b_requires_public = models.BooleanField(
        _("two class B documents: at least one issued by a public body"),
        default=False,
        help_text=_("§5.1 two-tier B lists (VARIES)."),
    )
    extra_id_when_resident_pin_unknown = models.BooleanField(
        _("one more A or B when the resident-register PIN is unknown"),
        default=True,
        help_text=_("§5.2 (issuance, revocation)."),
    )
    one_visit_renewal = models.BooleanField(
        _("one-visit renewal with the J-LIS sheet"),
        default=True,
        help_text=_(
            "§6.2: while the certificate is valid, a voluntary agent with "
            "the sealed sheet J-LIS sends with the expiry notice renews in one visit."
        ),
    )
    document_overrides = models.JSONField(
        _("catalogue overrides for this city"),
        default=dict,
        blank=True,
        validators=[validate_document_overrides],
        help_text=_(
            '§5.1 (VARIES), e.g. {"seaman_handbook": {"document_class": '
            '"A"}} where licences count as class A.'
        ),
    )
    scan_retention_days = models.PositiveIntegerField(
        _("keep scanned copies for (days)"),
        default=365,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_("No source states a period (UNVERIFIED); set the city's own."),
    )
    scanned_copies_required = models.BooleanField(
        _("identity documents are copied as scans"),
        default=False,
        help_text=_(
            "§5.4: when on, each class A or B document that counts needs its "
            "scanned copy before the document check passes (the seed city copies "
            "the documents shown; on paper unless this is on)."
        ),
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
