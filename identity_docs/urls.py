"""Clerk screens; included by config.urls under ``identity-documents/``.

Counter work only (``counter.change_case``): the auditor and the register
integration do not reach the checklist (docs/security/roles.md); a refusal is
audited."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import path

from counter.audit import audit_record
from identity_docs import views

app_name = "identity_docs"


def _counter_work(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.has_perm("counter.change_case"):
            audit_record(
                action="screen_access_refused",
                actor=request.user,
                data={"path": request.path[:200], "method": request.method},
            )
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


urlpatterns = [
    path("checklist/", _counter_work(views.checklist), name="checklist"),
    path(
        "checklist/record/",
        _counter_work(views.checklist_record),
        name="checklist-record",
    ),
]
