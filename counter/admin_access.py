"""The access log in the console: who looked at whose data, and its read mixin.

:class:`AccessLoggedAdmin` logs each admin change or history view of a row as a
read (issue 10 §5); :class:`AccessRecordAdmin` lets a supervisor query the log of
their own municipality by resident, staff member, path and date, and change
nothing.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from counter.audit import access_record
from counter.models import AccessPath, AccessRecord, Case, Resident


class AccessLoggedAdmin:
    """Mixin before ``admin.ModelAdmin``: opening a row's page is a logged read."""

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().change_view(  # type: ignore[misc]
            request, object_id, form_url, extra_context
        )
        self._log_read(request, object_id, AccessPath.ADMIN_CHANGE, response)
        return response  # type: ignore[no-any-return]

    def history_view(
        self,
        request: HttpRequest,
        object_id: str,
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().history_view(  # type: ignore[misc]
            request, object_id, extra_context
        )
        self._log_read(request, object_id, AccessPath.ADMIN_HISTORY, response)
        return response  # type: ignore[no-any-return]

    def _log_read(
        self, request: HttpRequest, object_id: str, path: str, response: HttpResponse
    ) -> None:
        if request.method != "GET" or response.status_code != 200:
            return
        obj = self.get_object(request, object_id)  # type: ignore[attr-defined]
        if obj is None:
            return
        case = obj if isinstance(obj, Case) else None
        resident = obj if isinstance(obj, Resident) else getattr(obj, "resident", None)
        if not isinstance(resident, Resident):
            resident = None
        access_record(request, path, case=case, resident=resident, obj=obj)


@admin.register(AccessRecord)
class AccessRecordAdmin(admin.ModelAdmin):
    """Read-only, scoped to the supervisor's municipality (``visible_to``); by
    resident or staff member with ``?resident__id__exact=`` / ``?actor__id__exact=``."""

    list_display = ("at", "actor_label", "path", "resident", "case", "desk")
    list_filter = ("path", "at")
    search_fields = (
        "actor_label",
        "resident__name",
        "resident__name_kana",
        "case__reference",
    )
    raw_id_fields = ("resident", "actor", "case", "desk", "municipality")
    date_hierarchy = "at"
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> Any:
        return (
            AccessRecord.objects.visible_to(request.user)
            .select_related("resident", "case", "desk")
            .order_by("-at", "-id")
        )

    def lookup_allowed(self, lookup: str, value: str, request: Any = None) -> bool:
        if lookup in ("resident__id__exact", "actor__id__exact", "case__id__exact"):
            return True
        return bool(super().lookup_allowed(lookup, value, request))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
