"""The supervisor console (Django admin), scoped to the user's municipality.

:class:`ScopedAdmin` lives in :mod:`counter.admin_base` and stays importable from
here; importing :mod:`counter.letters.admin` registers the letters' console.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from counter.admin_base import ScopedAdmin
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
    Resident,
    SpecialOpening,
    StaffProfile,
)
from counter.scoping import scope_for

admin.site.site_header = _("madoguchi supervisor console")
admin.site.site_title = _("madoguchi")
admin.site.index_title = _("Counter administration")


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0
    raw_id_fields = ("office",)


class SpecialOpeningInline(admin.TabularInline):
    model = SpecialOpening
    extra = 0
    raw_id_fields = ("office",)


class ClosedDayInline(admin.TabularInline):
    model = ClosedDay
    extra = 0
    raw_id_fields = ("office",)


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name", "name_kana")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Municipality]:
        scope = scope_for(request.user)
        qs = super().get_queryset(request)
        return qs if scope.everything else qs.filter(pk=scope.municipality_id)


@admin.register(MunicipalProfile)
class MunicipalProfileAdmin(admin.ModelAdmin):
    list_display = (
        "municipality",
        "inquiry_deadline_days",
        "require_proof_holder_cannot_come",
    )
    list_select_related = ("municipality",)
    search_fields = ("municipality__name",)
    inlines = (OpeningHoursInline, SpecialOpeningInline, ClosedDayInline)

    def get_queryset(self, request: HttpRequest) -> QuerySet[MunicipalProfile]:
        scope = scope_for(request.user)
        qs = super().get_queryset(request)
        return (
            qs if scope.everything else qs.filter(municipality_id=scope.municipality_id)
        )


@admin.register(Office)
class OfficeAdmin(ScopedAdmin):
    list_display = ("code", "name", "kind", "handles_jpki", "phone", "municipality")
    list_filter = ("kind", "handles_jpki")
    list_select_related = ("municipality",)
    search_fields = ("code", "name")
    raw_id_fields = ("municipality",)


@admin.register(Desk)
class DeskAdmin(ScopedAdmin):
    list_display = ("code", "name", "office", "reader_name", "active")
    list_filter = ("active", "office")
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
    fields = (
        "kind",
        "issued_on",
        "expires_on",
        "status",
        "status_reason",
        "pin_locked",
    )
    show_change_link = True


@admin.register(Resident)
class ResidentAdmin(ScopedAdmin):
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
    search_fields = ("name", "name_kana", "name_substitute", "register_id", "address")
    raw_id_fields = ("municipality",)
    date_hierarchy = "birth_date"


@admin.register(Card)
class CardAdmin(ScopedAdmin):
    list_display = ("resident", "kind", "issued_on", "expires_on", "status")
    list_filter = ("kind", "status")
    list_select_related = ("resident",)
    search_fields = ("resident__name", "resident__name_kana")
    raw_id_fields = ("resident", "municipality")
    inlines = (CertificateInline,)


@admin.register(Certificate)
class CertificateAdmin(ScopedAdmin):
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
    raw_id_fields = ("card", "municipality")
    date_hierarchy = "expires_on"


class CaseStatusChangeInline(admin.TabularInline):
    model = CaseStatusChange
    extra = 0
    can_delete = False
    fields = ("at", "from_state", "to_state", "transition", "actor", "desk", "reason")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(ScopedAdmin):
    list_display = (
        "reference",
        "procedure",
        "applicant_role",
        "state",
        "office",
        "created_at",
    )
    list_filter = ("procedure", "applicant_role", "state", "office")
    list_select_related = ("office", "resident")
    search_fields = ("reference", "resident__name", "resident__name_kana")
    raw_id_fields = ("municipality", "office", "resident", "desk", "created_by")
    readonly_fields = ("state",)
    date_hierarchy = "created_at"
    inlines = (CaseStatusChangeInline,)


@admin.register(AuditEvent)
class AuditEventAdmin(ScopedAdmin):
    """Read-only: the trail is append-only and hash-chained."""

    list_display = (
        "seq",
        "created_at",
        "action",
        "actor_label",
        "office",
        "desk",
        "case",
    )
    list_filter = ("action", "office")
    list_select_related = ("office", "desk", "case")
    search_fields = ("action", "actor_label", "object_id", "case__reference")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
