"""Supervisor console for the catalogue, the city's document policy and rules.

Evidence and scans are read-only here: they are written by services only, and a
scan's content is opened through the audited ``scan_open`` view, never the admin.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from counter.admin_base import ReadOnlyScopedAdmin, ScopedAdmin
from counter.audit import audit_record
from counter.roles import is_installation_admin
from counter.scoping import scope_for
from identity_docs.constants import ApplicantRole, Fact
from identity_docs.messages import describe_rule
from identity_docs.models import (
    DocumentChoice,
    DocumentPolicy,
    EvidencePresented,
    IdentityDocumentKind,
    RequirementRule,
    ScannedCopy,
)
from identity_docs.rules import RequirementError, parse_requirement
from identity_docs.services import requirement_rules_install_defaults


@admin.register(IdentityDocumentKind)
class IdentityDocumentKindAdmin(ScopedAdmin):
    """The national catalogue (shipped, changed only by an installation
    administrator) and each city's own local documents."""

    list_display = ("code", "name_ja", "document_class", "photo", "municipality")
    list_filter = ("document_class", "photo", "public_issuer")
    list_select_related = ("municipality",)
    search_fields = ("code", "name_ja", "name_en")
    ordering = ("sort_order", "code")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = IdentityDocumentKind.objects.select_related("municipality")
        scope = scope_for(request.user)
        if scope.everything:
            return qs
        return qs.filter(
            Q(municipality__isnull=True) | Q(municipality_id=scope.municipality_id or 0)
        )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.municipality_id is None:
            return is_installation_admin(request.user)
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return () if is_installation_admin(request.user) else ("municipality",)

    def save_model(
        self, request: HttpRequest, obj: Any, form: Any, change: bool
    ) -> None:
        """A city's supervisor adds a local document of their own city only."""
        if not is_installation_admin(request.user) and not change:
            obj.municipality_id = scope_for(request.user).municipality_id
        super().save_model(request, obj, form, change)
        if not change and obj.municipality_id is not None:
            DocumentChoice.objects.get_or_create(
                municipality_id=obj.municipality_id,
                kind=obj,
                defaults={
                    "accepted": obj.accepted,
                    "document_class": obj.document_class,
                    "active": obj.active,
                },
            )


@admin.register(DocumentChoice)
class DocumentChoiceAdmin(ScopedAdmin):
    """The city's own choices: accepted or not, class, in use (§5.1 VARIES)."""

    list_display = ("kind", "accepted", "document_class", "active", "updated_at")
    list_editable = ("accepted", "document_class", "active")
    list_filter = ("accepted", "document_class", "active")
    list_select_related = ("kind", "municipality")
    search_fields = ("kind__code", "kind__name_ja")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("municipality", "kind") if obj is not None else ()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_installation_admin(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


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
    """A supervisor reads the rules in words and changes them through the city's
    document policy (its settings, then "rebuild"); the requirement language
    itself is edited only by the installation administrator (ADR 0027)."""

    list_display = ("profile", "procedure", "applicant_role", "visit", "updated_at")
    list_filter = ("procedure", "applicant_role", "visit")
    list_select_related = ("profile__municipality",)
    raw_id_fields = ("profile",)
    search_fields = ("profile__municipality__name", "note")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_installation_admin(request.user) and super().has_add_permission(
            request
        )

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = ["profile", "procedure", "applicant_role", "visit", "rules_in_words"]
        if is_installation_admin(request.user):
            fields.append("rules")
        return [*fields, "note"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if is_installation_admin(request.user):
            return ("rules_in_words",)
        return ("profile", "procedure", "applicant_role", "visit", "rules_in_words")

    @admin.display(description=_("what the procedure needs"))
    def rules_in_words(self, obj: Any) -> str:
        if obj is None or not obj.pk:
            return "-"
        try:
            requirement = parse_requirement(obj.requirement_json())
        except RequirementError:
            return str(_("These rules do not follow the requirement language."))
        role = obj.applicant_role or ApplicantRole.HOLDER
        facts = dict(Fact.choices)
        lines = []
        for rule in requirement.rules:
            text = str(describe_rule(rule, role))
            if rule.waived_if:
                text += str(_(" (not needed when: %(fact)s)")) % {
                    "fact": facts.get(rule.waived_if, _("a stated fact"))
                }
            if rule.only_if:
                text += str(_(" (only when: %(fact)s)")) % {
                    "fact": facts.get(rule.only_if, _("a stated fact"))
                }
            lines.append((text,))
        return format_html("<ol>{}</ol>", format_html_join("", "<li>{}</li>", lines))

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


@admin.register(EvidencePresented)
class EvidencePresentedAdmin(ReadOnlyScopedAdmin):
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
    search_fields = ("=case__reference", "kind__code")


@admin.register(ScannedCopy)
class ScannedCopyAdmin(ReadOnlyScopedAdmin):
    list_display = (
        "evidence",
        "content_type",
        "uploaded_at",
        "retain_until",
        "purged_at",
    )
    list_select_related = ("evidence__case", "evidence__kind")
    search_fields = ("=evidence__case__reference",)
