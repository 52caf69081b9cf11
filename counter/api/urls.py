from django.urls import path

from . import case_actions, cases, registry, views

urlpatterns = [
    path("me/", views.MeApi.as_view(), name="api-me"),
    path(
        "counter-status/", views.CounterStatusApi.as_view(), name="api-counter-status"
    ),
    path("residents/", registry.ResidentSearchApi.as_view(), name="api-residents"),
    path("cases/", cases.CaseListOpenApi.as_view(), name="api-cases"),
    path(
        "cases/awaiting-approval/",
        registry.ApprovalsWaitingApi.as_view(),
        name="api-cases-awaiting-approval",
    ),
    path(
        "cases/overdue-second-visits/",
        registry.OverdueSecondVisitsApi.as_view(),
        name="api-cases-overdue",
    ),
    path("cases/<str:reference>/", cases.CaseDetailApi.as_view(), name="api-case"),
    path(
        "cases/<str:reference>/documents/",
        cases.CaseRecordDocumentsApi.as_view(),
        name="api-case-documents",
    ),
    path(
        "cases/<str:reference>/card-operations/",
        cases.CaseRequestCardOperationApi.as_view(),
        name="api-case-card-operation",
    ),
    path(
        "cases/<str:reference>/inquiry/",
        case_actions.CaseSendInquiryApi.as_view(),
        name="api-case-inquiry",
    ),
    path(
        "cases/<str:reference>/complete/",
        case_actions.CaseCompleteApi.as_view(),
        name="api-case-complete",
    ),
    path(
        "cases/<str:reference>/cancel/",
        case_actions.CaseCancelApi.as_view(),
        name="api-case-cancel",
    ),
    path(
        "cases/<str:reference>/refuse/",
        case_actions.CaseRefuseApi.as_view(),
        name="api-case-refuse",
    ),
    path(
        "cases/<str:reference>/approve-exception/",
        case_actions.CaseApproveExceptionApi.as_view(),
        name="api-case-approve-exception",
    ),
    path(
        "cases/<str:reference>/reject-exception/",
        case_actions.CaseRejectExceptionApi.as_view(),
        name="api-case-reject-exception",
    ),
    path("second-visits/", cases.SecondVisitApi.as_view(), name="api-second-visits"),
    path(
        "suspensions/", registry.SuspensionRecordApi.as_view(), name="api-suspensions"
    ),
    path(
        "register-events/",
        registry.RegisterEventApi.as_view(),
        name="api-register-events",
    ),
    path(
        "statistics/daily/", registry.DailyCountsApi.as_view(), name="api-daily-counts"
    ),
]
