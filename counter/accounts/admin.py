"""The other apps' admin pages, inside the console's boundaries (ADR 0023).

Autodiscovered after django-celery-beat, django-celery-results, axes, django-otp
and DRF's authtoken have registered their own admins, which are replaced here:

- **Installation-wide rows** (periodic tasks and their schedules, task results)
  belong to no municipality: an installation administrator sees them, read-only;
  everyone else does not see them at all. The schedule is code
  (``config.celery_app.BEAT_SCHEDULE``), changed by a release.
- **A staff account's security rows** (authenticators, recovery codes, login
  lockouts, API tokens) are shown to a supervisor for the logins of their own
  municipality only (``counter.view_staffprofile``), read-only and without any
  secret; the only writes are actions that call
  :mod:`counter.accounts.console_services`, each audited.
"""

from __future__ import annotations

from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_celery_beat import admin as beat_admin
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)
from django_celery_results import admin as results_admin
from django_celery_results.models import GroupResult, TaskResult
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.admin import TokenChangeList
from rest_framework.authtoken.models import Token, TokenProxy

from counter.accounts import console_services
from counter.accounts.services import STAFF_ACCESS_PERMISSION
from counter.admin_base import ReadOnlyScopedAdmin
from counter.audit import audit_record
from counter.errors import ApplicationError
from counter.roles import is_installation_admin
from counter.scoping import scope_for


class InstallationOnly:
    """Mixin before a model admin: shown to an installation administrator only,
    and read-only for them too (no add, change, delete or bulk action)."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_installation_admin(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_installation_admin(request.user)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return {}


def _city_users(request: HttpRequest) -> QuerySet[Any] | None:
    """The logins the user may see the security rows of (None: every login)."""
    scope = scope_for(request.user)
    if scope.everything:
        return None
    return get_user_model()._default_manager.filter(
        staff_profile__municipality_id=scope.municipality_id or 0
    )


class StaffSecurityAdmin(ReadOnlyScopedAdmin):
    """Rows of the supervisor's own municipality's logins; never a secret."""

    #: The lookup from the row to its login ("user"), or None: by ``username``.
    user_path: str | None = "user"

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._may_see(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_see(request)

    @staticmethod
    def _may_see(request: HttpRequest) -> bool:
        user: Any = request.user
        return is_installation_admin(user) or bool(
            user.has_perm(STAFF_ACCESS_PERMISSION)
            and getattr(user, "staff_profile", None) is not None
        )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = admin.ModelAdmin.get_queryset(self, request)
        users = _city_users(request)
        if users is None:
            return qs
        if self.user_path is None:
            return qs.filter(username__in=users.values("username"))
        return qs.filter(**{f"{self.user_path}__in": users})

    def get_actions(self, request: HttpRequest) -> Any:
        actions = super().get_actions(request)
        if not self._may_see(request):
            return {}
        return actions

    def run_on_each(
        self, request: HttpRequest, users: list[Any], call: Any, done: Any
    ) -> None:
        ok = 0
        for user in users:
            try:
                call(user)
                ok += 1
            except ApplicationError as refusal:
                self.message_user(
                    request, f"{user}: {refusal.message}", level=messages.ERROR
                )
        if ok:
            self.message_user(request, done % {"count": ok}, level=messages.SUCCESS)


_DEVICE_FIELDS = ("user", "name", "confirmed", "created_at", "last_used_at")


class TOTPDeviceAdmin(StaffSecurityAdmin):
    """Authenticators: who has one, since when, last used. The secret is never
    shown, so nobody can copy another person's second factor."""

    list_display = _DEVICE_FIELDS
    list_filter = ("confirmed",)
    list_select_related = ("user",)
    search_fields = ("user__username",)
    fields = readonly_fields = _DEVICE_FIELDS
    actions = ["reset_second_factor"]

    @admin.action(description=_("Reset the second factor (the login enrols again)"))
    def reset_second_factor(
        self, request: HttpRequest, queryset: QuerySet[TOTPDevice]
    ) -> None:
        users = list({device.user for device in queryset.select_related("user")})
        self.run_on_each(
            request,
            users,
            lambda user: console_services.second_factor_reset(
                user=user, by=request.user
            ),
            _("The second factor of %(count)d logins was reset."),
        )

    def get_urls(self) -> list[Any]:
        """django-otp's configuration and QR-code pages, answered without the
        secret: a clear message instead of the key (or of a server error)."""
        return [
            path(
                "<int:pk>/config/",
                self.admin_site.admin_view(self.config_view),
                name="otp_totp_totpdevice_config",
            ),
            path(
                "<int:pk>/qrcode/",
                self.admin_site.admin_view(self.config_view),
                name="otp_totp_totpdevice_qrcode",
            ),
            *super().get_urls(),
        ]

    def config_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not self.has_view_permission(request):
            audit_record(
                action="admin_access_refused",
                actor=request.user,
                data={"model": "otp_totp.totpdevice", "reason": "not-permitted"},
            )
            messages.error(request, gettext("You may not see authenticators."))
            return HttpResponseRedirect(reverse("admin:index"))
        device = self.get_object(request, str(pk))
        if device is None:
            messages.warning(
                request,
                gettext(
                    "There is no such authenticator among your municipality's "
                    "logins. It may have been replaced when its owner enrolled "
                    "again."
                ),
            )
            return HttpResponseRedirect(reverse("admin:otp_totp_totpdevice_changelist"))
        messages.error(
            request,
            gettext(
                "An authenticator's secret is shown only to its owner, once, when "
                "it is enrolled. If it is lost, reset the second factor; the staff "
                "member then enrols a new authenticator at the next login."
            ),
        )
        return HttpResponseRedirect(
            reverse("admin:otp_totp_totpdevice_change", args=[device.pk])
        )


class StaticDeviceAdmin(StaffSecurityAdmin):
    """Recovery codes: whether a login has them; the codes are never shown."""

    list_display = _DEVICE_FIELDS
    list_select_related = ("user",)
    search_fields = ("user__username",)
    fields = readonly_fields = _DEVICE_FIELDS


class _ByLogin:
    """A token shown as its login: ``str()`` is the user name, never the key."""

    def __init__(self, token: Any) -> None:
        self._token = token

    def __getattr__(self, name: str) -> Any:
        return getattr(self._token, name)

    def __str__(self) -> str:
        return str(self._token.user)


class TokenAdmin(StaffSecurityAdmin):
    """API tokens by login (the URL carries the login's id, never the key)."""

    list_display = ("user", "created")
    list_select_related = ("user",)
    search_fields = ("user__username",)
    fields = readonly_fields = ("user", "created")
    actions = ["revoke_tokens"]

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> Any:
        return TokenChangeList

    def response_action(self, request: HttpRequest, queryset: QuerySet[Any]) -> Any:
        """The list's checkboxes carry login ids (never keys): the selection is
        mapped back to the tokens of those logins, within the scoped list."""
        post = request.POST.copy()
        ids = [i for i in post.getlist(ACTION_CHECKBOX_NAME) if i.isdigit()]
        post.setlist(
            ACTION_CHECKBOX_NAME,
            list(queryset.filter(user_id__in=ids).values_list("key", flat=True)),
        )
        request.POST = post  # type: ignore[assignment]
        return super().response_action(request, queryset)

    # A token's str() is its key: every place the admin would print the row
    # names its login instead.
    def action_checkbox(self, obj: Any) -> Any:
        return super().action_checkbox(_ByLogin(obj))

    def render_change_form(
        self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any
    ) -> Any:
        obj = kwargs.get("obj")
        if obj is not None:
            context = {**context, "subtitle": str(obj.user), "original": _ByLogin(obj)}
        return super().render_change_form(request, context, *args, **kwargs)

    def history_view(
        self,
        request: HttpRequest,
        object_id: str,
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """No history page (its title would print the key): the change page."""
        if not self.has_view_permission(request):
            raise DjangoPermissionDenied
        if self.get_object(request, object_id) is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return HttpResponseRedirect(
            reverse("admin:authtoken_tokenproxy_change", args=[object_id])
        )

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> Any:
        try:
            user_id = int(object_id)
        except (TypeError, ValueError):
            return None
        token = self.get_queryset(request).filter(user_id=user_id).first()
        if token is None and self._exists_elsewhere(object_id):
            audit_record(
                action="admin_access_refused",
                actor=request.user,
                data={
                    "model": "authtoken.tokenproxy",
                    "object_id": str(user_id),
                    "reason": "outside-municipality",
                },
            )
        return token

    def _exists_elsewhere(self, object_id: str) -> bool:
        try:
            return Token.objects.filter(user_id=int(object_id)).exists()
        except (TypeError, ValueError):
            return False

    @admin.action(description=_("Revoke the selected API tokens"))
    def revoke_tokens(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        users = [token.user for token in queryset.select_related("user")]
        self.run_on_each(
            request,
            users,
            lambda user: console_services.api_token_revoke(user=user, by=request.user),
            _("%(count)d API tokens were revoked."),
        )


_ATTEMPT_FIELDS = ("username", "ip_address", "user_agent", "path_info", "attempt_time")


class AccessAttemptAdmin(StaffSecurityAdmin):
    """Failed logins counting towards a lockout (the submitted form is never
    shown); a supervisor unlocks a login of their city early."""

    user_path = None
    list_display = (*_ATTEMPT_FIELDS[:2], "failures_since_start", "attempt_time")
    search_fields = ("username",)
    date_hierarchy = "attempt_time"
    fields = readonly_fields = (*_ATTEMPT_FIELDS, "failures_since_start")
    actions = ["unlock"]

    @admin.action(description=_("Unlock the selected logins"))
    def unlock(self, request: HttpRequest, queryset: QuerySet[AccessAttempt]) -> None:
        names = sorted({a.username for a in queryset if a.username})
        self.run_on_each(
            request,
            names,
            lambda name: console_services.login_lockout_clear(
                username=name, by=request.user
            ),
            _("%(count)d logins were unlocked."),
        )


class AccessFailureLogAdmin(StaffSecurityAdmin):
    user_path = None
    list_display = (*_ATTEMPT_FIELDS[:2], "locked_out", "attempt_time")
    list_filter = ("locked_out",)
    search_fields = ("username",)
    date_hierarchy = "attempt_time"
    fields = readonly_fields = (*_ATTEMPT_FIELDS, "locked_out")


class AccessLogAdmin(StaffSecurityAdmin):
    user_path = None
    list_display = ("username", "ip_address", "attempt_time", "logout_time")
    search_fields = ("username",)
    date_hierarchy = "attempt_time"
    fields = readonly_fields = (*_ATTEMPT_FIELDS, "logout_time")


def _installation_only(base: type[admin.ModelAdmin]) -> type[admin.ModelAdmin]:
    return type(base.__name__, (InstallationOnly, base), {"__module__": __name__})


_REPLACEMENTS: tuple[tuple[Any, type[admin.ModelAdmin]], ...] = (
    (PeriodicTask, _installation_only(beat_admin.PeriodicTaskAdmin)),
    (ClockedSchedule, _installation_only(beat_admin.ClockedScheduleAdmin)),
    (CrontabSchedule, _installation_only(beat_admin.CrontabScheduleAdmin)),
    (SolarSchedule, _installation_only(beat_admin.SolarScheduleAdmin)),
    (IntervalSchedule, _installation_only(beat_admin.IntervalScheduleAdmin)),
    (TaskResult, _installation_only(results_admin.TaskResultAdmin)),
    (GroupResult, _installation_only(results_admin.GroupResultAdmin)),
    (TOTPDevice, TOTPDeviceAdmin),
    (StaticDevice, StaticDeviceAdmin),
    (TokenProxy, TokenAdmin),
    (AccessAttempt, AccessAttemptAdmin),
    (AccessFailureLog, AccessFailureLogAdmin),
    (AccessLog, AccessLogAdmin),
)

for _model, _admin in _REPLACEMENTS:
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, _admin)
