"""Per-account security state that Django's user model has no place for."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountSecurity(models.Model):
    """When the account's sessions were last revoked, and whether it must choose a
    new password (after a supervisor reset it)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="account_security",
        verbose_name=_("user"),
    )
    sessions_revoked_at = models.DateTimeField(
        _("sessions revoked at"),
        null=True,
        blank=True,
        help_text=_("Sessions that logged in before this moment are ended."),
    )
    password_must_change = models.BooleanField(
        _("must change password"),
        default=False,
        help_text=_("Set when a supervisor reset the password."),
    )

    class Meta:
        verbose_name = _("account security")
        verbose_name_plural = _("account security")

    def __str__(self) -> str:
        return str(self.user)
