"""The supervisor console (Django admin), scoped to the user's municipality.

One write path: cases, cards, certificates, residents, their history and the
audit trail are read-only here; supervisors act through actions that call the
services. Offices, desks, opening hours, profiles and users are edited here, each
save audited with before/after (:class:`counter.admin_base.ScopedAdmin`). Clerks
get no console at all. Importing :mod:`counter.letters.admin` registers the
letters' console.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from counter.admin_base import ReadOnlyScopedAdmin, ScopedAdmin, ScopedInline
from counter.admin_search import AuditSearch, IndexedSearch
from counter.code_labels import action_label
from counter.errors import ApplicationError
from counter.letters import admin as _letters_admin  # noqa: F401 (registers it)
from counter.models import (
    AuditEvent,
    Card,
    Case,
    CaseStatusChange,
    Certificate,
    ClosedDay,
    Desk,
    Municipality,
    MunicipalProfile,
    Office,
    OpeningHours,
    ProcedureDuration,
    Resident,
    SpecialOpening,
    StaffProfile,
)
from counter.roles import is_installation_admin
from counter.scoping import scope_for
from counter.services.cases import case_approve_exception, case_reject_exception
from counter.workflows import workflow_for

admin.site.site_header = _("madoguchi supervisor console")
admin.site.site_title = _("madoguchi")
admin.site.index_title = _("Counter administration")


def _console_permission(request: HttpRequest) -> bool:
    """Supervisors, auditors and installation administrators; never a clerk."""
    user = request.user
    if not (user.is_active and user.is_staff):
        return False
    return is_installation_admin(user) or user.has_perm("counter.view_all_offices")


admin.site.has_permission = _console_permission  # type: ignore[method-assign]


class OpeningHoursInline(ScopedInline):
    model = OpeningHours
    raw_id_fields = ("office",)


class SpecialOpeningInline(ScopedInline):
    model = SpecialOpening
    raw_id_fields = ("office",)


class ProcedureDurationInline(ScopedInline):
    model = ProcedureDuration


class ClosedDayInline(ScopedInline):
    model = ClosedDay
    raw_id_fields = ("office",)


@admin.register(Municipality)
class MunicipalityAdmin(ScopedAdmin):
    """A supervisor sees their own city; only an installation administrator adds."""

    list_display = ("code", "name")
    search_fields = ("code", "name", "name_kana")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Municipality]:
        scope = scope_for(request.user)
        qs = Municipality.objects.all()
        return qs if scope.everything else qs.filter(pk=scope.municipality_id or 0)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_installation_admin(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(MunicipalProfile)
class MunicipalProfileAdmin(ScopedAdmin):
    list_display = (
        "municipality",
        "inquiry_deadline_days",
        "require_proof_holder_cannot_come",
    )
    list_select_related = ("municipality",)
    search_fields = ("municipality__name",)
    inlines = (
        OpeningHoursInline,
        SpecialOpeningInline,
        ClosedDayInline,
        ProcedureDurationInline,
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[MunicipalProfile]:
        scope = scope_for(request.user)
        qs = MunicipalProfile.objects.all()
        return (
            qs
            if scope.everything
            else qs.filter(municipality_id=scope.municipality_id or 0)
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return () if is_installation_admin(request.user) else ("municipality",)


@admin.register(Office)
class OfficeAdmin(ScopedAdmin):
    list_display = ("code", "name", "kind", "handles_jpki", "phone", "municipality")
    list_filter = ("kind", "handles_jpki")
    list_select_related = ("municipality",)
    search_fields = ("code", "name")
    raw_id_fields = ("municipality",)


class OfficeFilter(admin.SimpleListFilter):
    """The offices of the user's municipality only."""

    title = _("office")
    parameter_name = "office"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[Any, Any]]:
        return [
            (o.pk, str(o))
            for o in Office.objects.visible_to(request.user).order_by("code")
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(office_id=self.value()) if self.value() else queryset


@admin.register(Desk)
class DeskAdmin(ScopedAdmin):
    list_display = ("code", "name", "office", "reader_name", "active")
    list_filter = ("active", OfficeFilter)
    list_select_related = ("office",)
    search_fields = ("code", "name", "office__name")
    raw_id_fields = ("office",)


@admin.register(StaffProfile)
class StaffProfileAdmin(ScopedAdmin):
    list_display = ("user", "municipality", "office")
    list_select_related = ("user", "municipality", "office")
    search_fields = ("user__username", "user__last_name")
    raw_id_fields = ("user", "municipality", "office")


class CertificateInline(admin.TabularInline):
    model = Certificate
    extra = 0
    can_delete = False
    fields = readonly_fields = (
        "kind",
        "issued_on",
        "expires_on",
        "status",
        "status_reason",
        "pin_locked",
    )
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Resident)
class ResidentAdmin(IndexedSearch, ReadOnlyScopedAdmin):
    """Changed only by register events (§8), never by hand."""

    list_display = (
        "name",
        "name_kana",
        "birth_date",
        "gender",
        "registration_status",
        "is_adult_ward",
        "nationality",
    )
    list_filter = ("registration_status", "is_adult_ward", "gender")
    list_select_related = ("municipality",)
    search_fields = ("name", "name_kana", "name_substitute", "register_id")
    search_resident = "pk"


@admin.register(Card)
class CardAdmin(IndexedSearch, ReadOnlyScopedAdmin):
    list_display = ("resident", "kind", "issued_on", "expires_on", "status")
    list_filter = ("kind", "status")
    list_select_related = ("resident",)
    search_fields = ("resident__name", "resident__name_kana")
    inlines = (CertificateInline,)


@admin.register(Certificate)
class CertificateAdmin(IndexedSearch, ReadOnlyScopedAdmin):
    list_display = (
        "card",
        "kind",
        "issued_on",
        "expires_on",
        "status",
        "status_reason",
    )
    list_filter = ("kind", "status", "status_reason", "pin_locked")
    list_select_related = ("card__resident",)
    search_fields = ("card__resident__name", "serial_number")
    search_reference = "serial_number"
    search_resident = "card__resident"


class CaseStatusChangeInline(admin.TabularInline):
    model = CaseStatusChange
    extra = 0
    can_delete = False
    fields = ("at", "from_state", "to_state", "transition", "actor", "desk", "reason")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _decide(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet[Case],
    service: Any,
    note: str,
) -> None:
    """Run a §7 decision service on each selected case; report each refusal."""
    done = 0
    for case in queryset:
        try:
            service(case=workflow_for(case), actor=request.user, note=note)
            done += 1
        except ApplicationError as exc:
            modeladmin.message_user(
                request, f"{case.reference}: {exc.message}", level=messages.ERROR
            )
    if done:
        modeladmin.message_user(
            request, _("%(count)d cases decided.") % {"count": done}, messages.SUCCESS
        )


@admin.register(Case)
class CaseAdmin(IndexedSearch, ReadOnlyScopedAdmin):
    """Cases move only through the services; the console decides exceptions (§7)."""

    list_display = (
        "reference",
        "procedure",
        "applicant_role",
        "state",
        "office",
        "created_at",
    )
    list_filter = ("procedure", "applicant_role", "state", OfficeFilter)
    list_select_related = ("office", "resident")
    search_fields = ("reference", "resident__name", "resident__name_kana")
    search_reference = "reference"
    inlines = (CaseStatusChangeInline,)
    actions = ["approve_exception", "reject_exception"]

    def get_actions(self, request: HttpRequest) -> Any:
        actions = super().get_actions(request)
        if not request.user.has_perm("counter.approve_exceptions"):
            actions.pop("approve_exception", None)
            actions.pop("reject_exception", None)
        return actions

    @admin.action(description=_("Approve the exception (§7)"))
    def approve_exception(self, request: HttpRequest, queryset: QuerySet[Case]) -> None:
        _decide(
            self,
            request,
            queryset,
            case_approve_exception,
            str(_("Approved in the supervisor console.")),
        )

    @admin.action(description=_("Reject the exception (§7)"))
    def reject_exception(self, request: HttpRequest, queryset: QuerySet[Case]) -> None:
        _decide(
            self,
            request,
            queryset,
            case_reject_exception,
            str(_("Rejected in the supervisor console.")),
        )


@admin.register(AuditEvent)
class AuditEventAdmin(AuditSearch, ReadOnlyScopedAdmin):
    """Read-only: the trail is append-only and hash-chained."""

    list_display = (
        "seq",
        "created_at",
        "action_name",
        "actor_label",
        "office",
        "desk",
        "case",
    )
    list_filter = (OfficeFilter,)
    list_select_related = ("office", "desk__office", "case")
    search_fields = ("=action", "=case__reference", "=object_id", "actor_label")

    @admin.display(description=_("action"), ordering="action")
    def action_name(self, obj: AuditEvent) -> str:
        """The action by its name; the code stays searchable, never shown."""
        return action_label(obj.action)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        names = super().get_readonly_fields(request, obj)
        return ["action_name" if n == "action" else n for n in names]


class AuditedUserAdmin(ScopedAdmin, UserAdmin):
    """Users of the user's municipality; each save audited (passwords never shown)."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        scope = scope_for(request.user)
        qs = get_user_model()._default_manager.all()
        if scope.everything:
            return qs
        return qs.filter(staff_profile__municipality_id=scope.municipality_id or 0)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        return ScopedAdmin.get_form(self, request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if is_installation_admin(request.user):
            return ()
        return ("is_superuser", "groups", "user_permissions")


class AuditedGroupAdmin(ScopedAdmin, GroupAdmin):
    """The roles: only an installation administrator changes them."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return Group.objects.all()

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_installation_admin(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_installation_admin(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_installation_admin(request.user)


for _model, _admin in (
    (get_user_model(), AuditedUserAdmin),
    (Group, AuditedGroupAdmin),
):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, _admin)
