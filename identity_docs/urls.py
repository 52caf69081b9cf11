"""Clerk screens; included by config.urls under ``identity-documents/``.

Counter work only (``counter.change_case``): the auditor and the register
integration do not reach the checklist (docs/security/roles.md)."""

from django.contrib.auth.decorators import login_required, permission_required
from django.urls import path

from identity_docs import views

app_name = "identity_docs"


def _counter_work(view):  # type: ignore[no-untyped-def]
    return login_required(
        permission_required("counter.change_case", raise_exception=True)(view)
    )


urlpatterns = [
    path("checklist/", _counter_work(views.checklist), name="checklist"),
    path(
        "checklist/record/",
        _counter_work(views.checklist_record),
        name="checklist-record",
    ),
]
