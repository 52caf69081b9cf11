"""Included by config.urls under ``/api/v1/``."""

from django.urls import path

from identity_docs.api import views

urlpatterns = [
    path(
        "identity-documents/",
        views.IdentityDocumentListApi.as_view(),
        name="api-identity-documents",
    ),
    path(
        "requirements/evaluate/",
        views.RequirementEvaluateApi.as_view(),
        name="api-requirements-evaluate",
    ),
]
