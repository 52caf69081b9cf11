"""The accounts app connects the login signals to the audit trail."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "counter.accounts"
    label = "accounts"
    verbose_name = _("Staff accounts")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import (
            user_logged_in,
            user_logged_out,
            user_login_failed,
        )

        from counter.accounts import signals

        user_logged_in.connect(signals.on_logged_in, dispatch_uid="accounts-in")
        user_logged_out.connect(signals.on_logged_out, dispatch_uid="accounts-out")
        user_login_failed.connect(signals.on_login_failed, dispatch_uid="accounts-fail")
        user_locked_out.connect(signals.on_locked_out, dispatch_uid="accounts-locked")
