"""Residents (a snapshot of the resident register), their cards and certificates."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Func, Value
from django.db.models.functions import Replace, Upper
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from counter.constants import (
    CardKind,
    CardStatus,
    CertificateKind,
    CertificateStatus,
    CertificateStatusReason,
    Gender,
    RegistrationStatus,
    SmartphoneCertificateStatus,
    SmartphonePlatform,
)
from counter.scoping import ScopedManager

from .tenancy import Municipality

postal_code_validator = RegexValidator(
    r"^\d{3}-?\d{4}$", _("Enter a postal code like 243-8511.")
)


def _without_spaces(field: str) -> Replace:
    """The column with its ASCII and full-width (U+3000) spaces removed, in SQL, so
    アツギタロウ finds アツギ タロウ and 厚木 太郎 finds 厚木太郎 on either side."""
    return Replace(Replace(F(field), Value(" "), Value("")), Value("\u3000"), Value(""))


def _search_form(expression: Func) -> models.GeneratedField:
    """A column the database computes and stores from the row on every write:
    the reception search compares against it instead of computing the expression
    for every row it reads (docs/adr/0036-search-columns-stored.md)."""
    return models.GeneratedField(
        expression=expression,
        output_field=models.TextField(),
        db_persist=True,
    )


class Resident(models.Model):
    """A person as the resident register shows them; never the individual number."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="residents",
        verbose_name=_("municipality"),
    )
    register_id = models.CharField(
        _("register id"),
        max_length=20,
        help_text=_(
            "The register system's internal person id (宛名番号), not 個人番号."
        ),
    )
    name = models.CharField(_("name"), max_length=100)
    name_kana = models.CharField(_("name (kana)"), max_length=200)
    name_substitute = models.CharField(
        _("substitute-character name"),
        max_length=100,
        blank=True,
        help_text=_("代替文字: the name as general computers can show it."),
    )
    #: The name, substitute name and kana as the reception search matches them:
    #: without spaces, the names upper-cased by the database
    #: (counter/selectors/residents.py, ``matching_condition``).
    name_flat = _search_form(Upper(_without_spaces("name")))
    name_substitute_flat = _search_form(Upper(_without_spaces("name_substitute")))
    name_kana_flat = _search_form(_without_spaces("name_kana"))
    postal_code = models.CharField(
        _("postal code"), max_length=8, blank=True, validators=[postal_code_validator]
    )
    address = models.CharField(_("address"), max_length=300)
    address_substitute = models.CharField(
        _("substitute-character address"), max_length=300, blank=True
    )
    birth_date = models.DateField(_("birth date"))
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices)
    registration_status = models.CharField(
        _("registration"),
        max_length=20,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.REGISTERED,
    )
    is_adult_ward = models.BooleanField(_("adult ward (成年被後見人)"), default=False)
    nationality = models.CharField(
        _("nationality"),
        max_length=3,
        blank=True,
        help_text=_("ISO 3166 alpha-3 for foreign residents; empty for Japanese."),
    )
    residence_period_end = models.DateField(
        _("end of period of stay"),
        null=True,
        blank=True,
        help_text=_("Foreign residents with a fixed period of stay (在留期間満了日)."),
    )
    household_code = models.CharField(_("household"), max_length=20, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedManager()
    scope_municipality = "municipality"

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["name_kana", "birth_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "register_id"],
                name="resident_register_id_unique",
            )
        ]
        indexes = [
            models.Index(fields=["municipality", "name_kana"]),
            models.Index(fields=["municipality", "birth_date"]),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, str | Promise] = {}
        today = timezone.localdate()
        if isinstance(self.birth_date, dt.date) and self.birth_date > today:
            errors["birth_date"] = _("The birth date is in the future.")
        if self.residence_period_end and not self.nationality:
            errors["residence_period_end"] = _(
                "Only foreign residents have a period of stay."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def is_registered(self) -> bool:
        return self.registration_status == RegistrationStatus.REGISTERED

    @property
    def display_name(self) -> str:
        """The name as letters and screens print it: substitute characters if set."""
        return self.name_substitute or self.name

    def age_on(self, day: dt.date) -> int:
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years


class Card(models.Model):
    """A My Number Card as the card management system reports it."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="cards",
        verbose_name=_("municipality"),
    )
    resident = models.ForeignKey(
        Resident,
        on_delete=models.PROTECT,
        related_name="cards",
        verbose_name=_("resident"),
    )
    kind = models.CharField(
        _("kind"), max_length=30, choices=CardKind.choices, default=CardKind.STANDARD
    )
    issued_on = models.DateField(_("issued"))
    expires_on = models.DateField(_("expires"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=CardStatus.choices,
        default=CardStatus.ACTIVE,
    )
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    auth_key_fingerprint = models.CharField(
        _("card fingerprint"),
        max_length=64,
        blank=True,
        db_index=True,
        help_text=_(
            "SHA-256 of the user-authentication public key: recognises the card in "
            "a reader without storing its certificate serial (§16)."
        ),
    )
    expiry_written_on_face = models.BooleanField(
        _("certificate expiry written on the card face"), default=False
    )

    objects = ScopedManager()
    scope_municipality = "municipality"

    class Meta:
        verbose_name = _("card")
        verbose_name_plural = _("cards")
        ordering = ["-issued_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__gt=models.F("issued_on")),
                name="card_expires_after_issue",
            )
        ]

    def __str__(self) -> str:
        return f"{self.resident} {self.get_kind_display()} ({self.expires_on})"

    def is_usable_on(self, day: dt.date) -> bool:
        return self.status == CardStatus.ACTIVE and day <= self.expires_on


class Certificate(models.Model):
    """A signing or user-authentication certificate on a card."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("municipality"),
    )
    card = models.ForeignKey(
        Card,
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("card"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=CertificateKind.choices)
    serial_number = models.CharField(
        _("serial number"),
        max_length=64,
        blank=True,
        help_text=_(
            "Kept for signing certificates only; the user-authentication serial is "
            "regulated data and not stored (§16)."
        ),
    )
    issued_on = models.DateField(_("issued"))
    expires_on = models.DateField(_("expires"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=CertificateStatus.choices,
        default=CertificateStatus.ACTIVE,
    )
    status_reason = models.CharField(
        _("status reason"),
        max_length=30,
        choices=CertificateStatusReason.choices,
        default=CertificateStatusReason.NONE,
        blank=True,
    )
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    pin_locked = models.BooleanField(
        _("PIN locked (as reported)"),
        default=False,
        help_text=_("As the card last reported it; never the PIN itself."),
    )
    kiosk_pin_reset_at = models.DateTimeField(
        _("PIN reset at a kiosk"),
        null=True,
        blank=True,
        help_text=_("As J-LIS reported it (§11.2); the counter keeps no other record."),
    )

    objects = ScopedManager()
    scope_municipality = "municipality"

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__gt=models.F("issued_on")),
                name="certificate_expires_after_issue",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="authentication") | models.Q(serial_number=""),
                name="authentication_serial_not_stored",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.issued_on}–{self.expires_on}"


class SmartphoneCertificate(models.Model):
    """A smartphone certificate (スマホ用電子証明書) registered from a card, as
    J-LIS reports it (§12.1). The counter has no procedure for it: it records
    the phone's platform and dates, never a PIN or a phone detail, and follows
    the card certificate of the same kind (revoked, held, restored with it)."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="smartphone_certificates",
        verbose_name=_("municipality"),
    )
    card = models.ForeignKey(
        Card,
        on_delete=models.PROTECT,
        related_name="smartphone_certificates",
        verbose_name=_("card"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=CertificateKind.choices)
    platform = models.CharField(
        _("smartphone platform"), max_length=12, choices=SmartphonePlatform.choices
    )
    registered_at = models.DateTimeField(_("registered"))
    expires_on = models.DateField(_("expires"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=SmartphoneCertificateStatus.choices,
        default=SmartphoneCertificateStatus.ACTIVE,
    )
    status_reason = models.CharField(
        _("status reason"),
        max_length=30,
        choices=CertificateStatusReason.choices,
        default=CertificateStatusReason.NONE,
        blank=True,
    )
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)

    objects = ScopedManager()
    scope_municipality = "municipality"

    class Meta:
        verbose_name = _("smartphone certificate")
        verbose_name_plural = _("smartphone certificates")
        ordering = ["-registered_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["card", "kind", "registered_at"],
                name="smartphone_certificate_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} {self.get_kind_display()}"

    @property
    def registered_on(self) -> dt.date:
        return timezone.localtime(self.registered_at).date()
