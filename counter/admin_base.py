"""Base classes of the supervisor console, shared by every app's admin module.

Kept apart from :mod:`counter.admin` (which registers the counter's models and
the letters' admin) so that app admin modules can build on them without importing
the module that imports them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest


class ScopedAdmin(admin.ModelAdmin):
    """Shows only rows the user may see (counter.scoping), nothing more."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        return qs.visible_to(request.user)  # type: ignore[attr-defined]


__all__ = ["ScopedAdmin"]
