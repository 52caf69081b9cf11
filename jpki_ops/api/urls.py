"""Desk API; the lead includes it as ``path("desk/", include("jpki_ops.api.urls"))``
under ``/api/v1/``."""

from django.urls import path

from . import agent_proof, reader, views

urlpatterns = [
    path(
        "agent/challenge/",
        agent_proof.ChallengeApi.as_view(),
        name="desk-agent-challenge",
    ),
    path("agent/proof/", agent_proof.ProofApi.as_view(), name="desk-agent-proof"),
    path("agent/session/", views.AgentSessionApi.as_view(), name="desk-agent-session"),
    path("agent/next/", views.NextOperationApi.as_view(), name="desk-agent-next"),
    path("agent/reader/", reader.ReaderReportApi.as_view(), name="desk-agent-reader"),
    path(
        "agent/operations/<int:pk>/progress/",
        views.ProgressApi.as_view(),
        name="desk-agent-progress",
    ),
    path(
        "agent/operations/<int:pk>/result/",
        views.ResultApi.as_view(),
        name="desk-agent-result",
    ),
    path(
        "agent/operations/<int:pk>/failure/",
        views.FailureApi.as_view(),
        name="desk-agent-failure",
    ),
    path(
        "agent/operations/<int:pk>/identify/",
        views.IdentifyApi.as_view(),
        name="desk-agent-identify",
    ),
    path(
        "agent/operations/<int:pk>/authorise/",
        views.AuthoriseApi.as_view(),
        name="desk-agent-authorise",
    ),
    path(
        "agent/operations/<int:pk>/certificate/",
        views.CertificateApi.as_view(),
        name="desk-agent-certificate",
    ),
    path(
        "operations/",
        views.OperationRequestApi.as_view(),
        name="card-operation-request",
    ),
    path(
        "operations/<int:pk>/",
        views.OperationStatusApi.as_view(),
        name="card-operation-status",
    ),
    path(
        "operations/<int:pk>/cancel/",
        views.OperationCancelApi.as_view(),
        name="card-operation-cancel",
    ),
]
