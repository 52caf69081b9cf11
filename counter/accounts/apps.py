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
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group, Permission
        from django.contrib.auth.signals import (
            user_logged_in,
            user_logged_out,
            user_login_failed,
        )
        from django.db.models.signals import (
            m2m_changed,
            post_delete,
            post_migrate,
            post_save,
        )

        from counter.accounts import signals

        user_logged_in.connect(signals.on_logged_in, dispatch_uid="accounts-in")
        user_logged_out.connect(signals.on_logged_out, dispatch_uid="accounts-out")
        user_login_failed.connect(signals.on_login_failed, dispatch_uid="accounts-fail")
        user_locked_out.connect(signals.on_locked_out, dispatch_uid="accounts-locked")
        # Any change to who holds which permission starts a new generation of the
        # permission cache (counter/accounts/backends.py).
        user = get_user_model()
        for model in (user, Group, Permission):
            post_save.connect(
                signals.on_permission_holder_saved,
                sender=model,
                dispatch_uid=f"accounts-perms-saved-{model._meta.label_lower}",
            )
            post_delete.connect(
                signals.on_permissions_changed,
                sender=model,
                dispatch_uid=f"accounts-perms-deleted-{model._meta.label_lower}",
            )
        for through in (
            user.groups.through,
            user.user_permissions.through,
            Group.permissions.through,
        ):
            m2m_changed.connect(
                signals.on_permissions_changed,
                sender=through,
                dispatch_uid=f"accounts-perms-m2m-{through._meta.label_lower}",
            )
        post_migrate.connect(
            signals.on_permissions_changed, dispatch_uid="accounts-perms-migrated"
        )
