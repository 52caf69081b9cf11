"""Supervisor console for card operations and desk agent credentials.

Operations are read-only here (they change only through the desk agent and the
services); a credential can be revoked with an action, issued only by the
management command, which prints the token once.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from counter.admin_base import ReadOnlyScopedAdmin, ScopedAdmin
from jpki_ops.models import (
    CardOperation,
    CardOperationStatusChange,
    DeskAgentCredential,
)
from jpki_ops.services import desk_agent_credential_revoke


class CardOperationHistoryInline(admin.TabularInline):
    """The operation's append-only history, shown, never edited."""

    model = CardOperationStatusChange
    extra = 0
    can_delete = False
    fields = readonly_fields = (
        "at",
        "from_state",
        "to_state",
        "transition",
        "actor",
        "actor_label",
    )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CardOperation)
class CardOperationAdmin(ReadOnlyScopedAdmin):
    inlines = [CardOperationHistoryInline]
    list_display = [
        "id",
        "kind",
        "state",
        "desk",
        "case",
        "attempts",
        "error_code",
        "requested_at",
        "finished_at",
    ]
    list_filter = ["state", "kind"]
    list_select_related = ["desk__office", "case"]
    search_fields = ["=idempotency_key", "=case__reference", "desk__code", "error_code"]


@admin.register(DeskAgentCredential)
class DeskAgentCredentialAdmin(ScopedAdmin):
    list_display = ["token_prefix", "desk", "created_at", "last_seen_at", "revoked_at"]
    list_select_related = ["desk__office"]
    raw_id_fields = ["desk", "created_by"]
    search_fields = ["token_prefix", "desk__code", "desk__office__code"]
    readonly_fields = [f.name for f in DeskAgentCredential._meta.fields]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Revoke the selected desk agent credentials"))
    def revoke(
        self, request: HttpRequest, queryset: QuerySet[DeskAgentCredential]
    ) -> None:
        for credential in queryset.filter(revoked_at__isnull=True):
            desk_agent_credential_revoke(credential=credential, revoked_by=request.user)
