"""Clerk screens; included by config.urls under ``identity-documents/``."""

from django.urls import path

from identity_docs import views

app_name = "identity_docs"

urlpatterns = [
    path("checklist/", views.checklist, name="checklist"),
    path("checklist/record/", views.checklist_record, name="checklist-record"),
]
