"""Supervisor console for the catalogue, the city's document policy and rules.

Evidence and scans are read-only here: they are written by services only, and a
scan's content is opened through the audited ``scan_open`` view, never the admin.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from counter.admin_base import ScopedAdmin
from counter.audit import audit_record
from identity_docs.models import (
    DocumentPolicy,
    EvidencePresented,
    IdentityDocumentKind,
    RequirementRule,
    ScannedCopy,
)
from identity_docs.services import requirement_rules_install_defaults


@admin.register(IdentityDocumentKind)
class IdentityDocumentKindAdmin(admin.ModelAdmin):
    list_display = ("code", "name_ja", "document_class", "photo", "accepted", "active")
    list_filter = ("document_class", "photo", "accepted", "active", "public_issuer")
    search_fields = ("code", "name_ja", "name_en")
    ordering = ("sort_order", "code")

    def save_model(
        self, request: HttpRequest, obj: Any, form: Any, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            action="identity_document_kind_changed"
            if change
            else "identity_document_kind_added",
            actor=request.user,
            obj=obj,
            data={"fields": sorted(form.changed_data)},
        )


@admin.register(DocumentPolicy)
class DocumentPolicyAdmin(ScopedAdmin):
    list_display = ("profile", "pin_reset_holder_id", "pin_reset_representative_id")
    list_select_related = ("profile__municipality",)
    raw_id_fields = ("profile",)
    search_fields = ("profile__municipality__name",)
    actions = ["rebuild_rules"]

    def save_model(
        self, request: HttpRequest, obj: Any, form: Any, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            action="document_policy_changed",
            actor=request.user,
            municipality=obj.profile.municipality,
            obj=obj,
            data={"fields": sorted(form.changed_data)},
        )

    @admin.action(description=_("Rebuild the requirement rules from this policy"))
    def rebuild_rules(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for policy in queryset.select_related("profile__municipality"):
            count = requirement_rules_install_defaults(policy.profile, overwrite=True)
            audit_record(
                action="requirement_rules_rebuilt",
                actor=request.user,
                municipality=policy.profile.municipality,
                obj=policy,
                data={"rules": count},
            )
        messages.success(request, _("Requirement rules rebuilt."))


@admin.register(RequirementRule)
class RequirementRuleAdmin(ScopedAdmin):
    list_display = ("profile", "procedure", "applicant_role", "visit", "updated_at")
    list_filter = ("procedure", "applicant_role", "visit")
    list_select_related = ("profile__municipality",)
    raw_id_fields = ("profile",)
    search_fields = ("profile__municipality__name", "note")

    def save_model(
        self, request: HttpRequest, obj: Any, form: Any, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            action="requirement_rule_changed" if change else "requirement_rule_added",
            actor=request.user,
            municipality=obj.profile.municipality,
            obj=obj,
            data={"rules": obj.rules},
        )


class ReadOnlyAdmin(ScopedAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(EvidencePresented)
class EvidencePresentedAdmin(ReadOnlyAdmin):
    list_display = (
        "case",
        "visit",
        "kind",
        "owner",
        "accepted",
        "reason",
        "checked_at",
    )
    list_filter = ("visit", "accepted", "owner")
    list_select_related = ("case", "kind", "checked_by")
    raw_id_fields = ("case", "kind", "checked_by", "desk")
    search_fields = ("case__reference", "kind__code")
    date_hierarchy = "checked_at"


@admin.register(ScannedCopy)
class ScannedCopyAdmin(ReadOnlyAdmin):
    list_display = (
        "evidence",
        "content_type",
        "uploaded_at",
        "retain_until",
        "purged_at",
    )
    list_select_related = ("evidence__case", "evidence__kind")
    raw_id_fields = ("evidence", "uploaded_by")
    search_fields = ("evidence__case__reference",)
    date_hierarchy = "uploaded_at"
    exclude = ("file",)
