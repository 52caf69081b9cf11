"""Municipalities, their profile of local rules, offices, desks and staff."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from counter.constants import OfficeKind, Procedure, SuspensionLiftRule
from counter.scoping import ScopedManager

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class Municipality(models.Model):
    """One city, town or village; one installation may serve several (共同利用)."""

    code = models.CharField(
        _("local government code"),
        max_length=6,
        unique=True,
        validators=[RegexValidator(r"^\d{6}$", _("Enter the 6-digit code."))],
        help_text=_("全国地方公共団体コード, six digits including the check digit."),
    )
    name = models.CharField(_("name"), max_length=100)
    name_kana = models.CharField(_("name (kana)"), max_length=100, blank=True)

    scope_municipality = "self"

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class MunicipalProfile(models.Model):
    """The rules that vary between cities, as data (docs/rules 'How to use this').

    Defaults are the seed city's (厚木市) choices; a supervisor edits them in the
    admin. Code reads these fields and never branches on which city it runs in.
    """

    municipality = models.OneToOneField(
        Municipality,
        on_delete=models.CASCADE,
        related_name="profile",
        verbose_name=_("municipality"),
    )
    inquiry_deadline_days = models.PositiveSmallIntegerField(
        _("inquiry letter deadline (days)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_(
            "Days after the first visit within which the agent must return with the "
            "answer sheet. No source states it (§6.2, UNVERIFIED)."
        ),
    )
    require_proof_holder_cannot_come = models.BooleanField(
        _("require proof that the holder cannot come"),
        default=True,
        help_text=_(
            "Seed city: required for PIN change and reset by a voluntary agent."
        ),
    )
    certificate_fee_yen = models.PositiveIntegerField(
        _("certificate fee (yen)"),
        default=0,
        help_text=_("Issuance, renewal and issuance after expiry are free (§4)."),
    )
    reissued_card_certificate_fee_yen = models.PositiveIntegerField(
        _("certificate fee on a re-issued card (yen)"),
        default=200,
        help_text=_("When the card was re-issued through the holder's fault (§4)."),
    )
    year_end_closure_start = models.CharField(
        _("year-end closure from (MM-DD)"),
        max_length=5,
        default="12-29",
        validators=[RegexValidator(r"^\d\d-\d\d$", _("Use MM-DD."))],
    )
    year_end_closure_end = models.CharField(
        _("year-end closure until (MM-DD)"),
        max_length=5,
        default="01-03",
        validators=[RegexValidator(r"^\d\d-\d\d$", _("Use MM-DD."))],
    )
    validity_birthdays = models.PositiveSmallIntegerField(
        _("certificate validity (birthdays)"),
        default=5,
        help_text=_("Certificates run to the Nth birthday after issuance (§3)."),
    )
    early_renewal_validity_birthdays = models.PositiveSmallIntegerField(
        _("validity when renewed in the renewal window (birthdays)"),
        default=6,
        help_text=_("So an early renewal does not shorten the period (§3)."),
    )
    renewal_window_months = models.PositiveSmallIntegerField(
        _("renewal window (months before expiry)"), default=3
    )
    signing_certificate_minimum_age = models.PositiveSmallIntegerField(
        _("minimum age for a signing certificate"),
        default=15,
        help_text=_("Under this age only with a supervisor's approved exception (§7)."),
    )
    suspension_lift_rule = models.CharField(
        _("certificates on hold when a suspension is lifted"),
        max_length=40,
        choices=SuspensionLiftRule.choices,
        default=SuspensionLiftRule.JLIS_REVOKE_BOTH,
        help_text=_(
            "The sources conflict (§10.2). J-LIS, the issuer: both are revoked and "
            "issued anew (the safe default). Several cities: only the signing one."
        ),
    )
    letter_stuck_after_hours = models.PositiveSmallIntegerField(
        _("letter is stuck after (hours)"),
        default=48,
        help_text=_(
            "A letter that stays queued or rendered longer is listed as stuck."
        ),
    )
    letter_requeue_after_minutes = models.PositiveSmallIntegerField(
        _("queued letter is published again after (minutes)"),
        default=10,
        help_text=_(
            "A letter still waiting for rendering this long after its message was "
            "sent gets a new message, so a lost message never keeps it from the "
            "next print run."
        ),
    )
    session_idle_minutes = models.PositiveSmallIntegerField(
        _("log out after inactivity (minutes)"),
        default=15,
        validators=[MinValueValidator(2), MaxValueValidator(480)],
        help_text=_(
            "A staff session without activity this long ends; counter PCs are "
            "shared. The clerk screens warn two minutes before."
        ),
    )
    second_factor_for_clerks = models.BooleanField(
        _("clerks also need a second factor"),
        default=False,
        help_text=_(
            "Supervisors, auditors and everyone in the admin always need one; "
            "when on, clerks too."
        ),
    )

    class Meta:
        verbose_name = _("municipal profile")
        verbose_name_plural = _("municipal profiles")

    def __str__(self) -> str:
        return str(self.municipality)

    def year_end_closure(self) -> tuple[tuple[int, int], tuple[int, int]]:
        start_m, start_d = (int(p) for p in self.year_end_closure_start.split("-"))
        end_m, end_d = (int(p) for p in self.year_end_closure_end.split("-"))
        return (start_m, start_d), (end_m, end_d)


class Office(models.Model):
    """本庁 or 支所: where the counter is."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="offices",
        verbose_name=_("municipality"),
    )
    code = models.SlugField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=OfficeKind.choices)
    handles_jpki = models.BooleanField(
        _("handles certificate procedures"),
        default=True,
        help_text=_("Some branch offices do not handle JPKI (§16)."),
    )
    postal_code = models.CharField(_("postal code"), max_length=8, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    counter_name = models.CharField(
        _("counter"), max_length=100, blank=True, help_text=_("e.g. 市民課窓口")
    )

    objects = ScopedManager()
    scope_municipality = "municipality"

    class Meta:
        verbose_name = _("office")
        verbose_name_plural = _("offices")
        ordering = ["municipality", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "code"], name="office_code_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Desk(models.Model):
    """A clerk's desk with its card reader and resident-facing PIN pad."""

    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="desks", verbose_name=_("office")
    )
    code = models.SlugField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=100)
    reader_name = models.CharField(
        _("card reader name"),
        max_length=200,
        blank=True,
        help_text=_("PC/SC reader name the desk agent uses; empty: the first reader."),
    )
    active = models.BooleanField(_("active"), default=True)

    objects = ScopedManager()
    scope_municipality = "office__municipality"
    scope_office = "office"

    class Meta:
        verbose_name = _("desk")
        verbose_name_plural = _("desks")
        ordering = ["office", "code"]
        constraints = [
            models.UniqueConstraint(fields=["office", "code"], name="desk_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.office.name} {self.name}"


class StaffProfile(models.Model):
    """Ties a login to one municipality and, for clerks, one office."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_profile",
        verbose_name=_("user"),
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="staff",
        verbose_name=_("municipality"),
    )
    office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("office"),
    )

    objects = ScopedManager()
    scope_municipality = "municipality"

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")
        permissions: ClassVar = [
            ("view_all_offices", _("Can see every office of the municipality")),
            ("approve_exceptions", _("Can approve exceptions")),
            ("export_data", _("Can export data")),
            ("view_scans", _("Can view scanned identity documents")),
            ("view_audit", _("Can read the audit trail")),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.municipality})"


class OpeningHours(models.Model):
    """A weekly opening slot; several rows may overlap (evening openings, §16)."""

    profile = models.ForeignKey(
        MunicipalProfile,
        on_delete=models.CASCADE,
        related_name="opening_hours",
        verbose_name=_("municipal profile"),
    )
    office = models.ForeignKey(
        Office,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        verbose_name=_("office"),
        help_text=_("Empty: every office of the municipality."),
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=WEEKDAYS)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))
    open_on_holidays = models.BooleanField(
        _("open on national holidays"), default=False
    )
    procedures = models.JSONField(
        _("procedures"),
        default=list,
        blank=True,
        help_text=_("Procedure codes this slot serves; empty: every procedure."),
    )

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["profile", "weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")),
                name="opening_hours_closes_after_opens",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def serves(self, procedure: str | None) -> bool:
        return procedure is None or not self.procedures or procedure in self.procedures


class SpecialOpening(models.Model):
    """A dated opening outside the weekly hours (a Sunday opening, March–April)."""

    profile = models.ForeignKey(
        MunicipalProfile,
        on_delete=models.CASCADE,
        related_name="special_openings",
        verbose_name=_("municipal profile"),
    )
    office = models.ForeignKey(
        Office,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        verbose_name=_("office"),
    )
    date = models.DateField(_("date"))
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))
    procedures = models.JSONField(_("procedures"), default=list, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("special opening")
        verbose_name_plural = _("special openings")
        ordering = ["date", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")),
                name="special_opening_closes_after_opens",
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def serves(self, procedure: str | None) -> bool:
        return procedure is None or not self.procedures or procedure in self.procedures


class ClosedDay(models.Model):
    """A city-specific closed day (J-LIS outage, office move) on top of holidays."""

    profile = models.ForeignKey(
        MunicipalProfile,
        on_delete=models.CASCADE,
        related_name="closed_days",
        verbose_name=_("municipal profile"),
    )
    office = models.ForeignKey(
        Office,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        verbose_name=_("office"),
    )
    date = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=200)

    class Meta:
        verbose_name = _("closed day")
        verbose_name_plural = _("closed days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.reason}"


SEED_WEEKDAY_HOURS = (dt.time(8, 30), dt.time(17, 15))
SEED_SATURDAY_HOURS = (dt.time(8, 30), dt.time(12, 0))
SEED_SATURDAY_PROCEDURES = [Procedure.PIN_CHANGE.value, Procedure.PIN_RESET.value]
