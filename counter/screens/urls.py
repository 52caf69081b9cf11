"""Clerk screens under /counter/ (included once from config/urls.py)."""

from django.urls import URLPattern, URLResolver, include, path

from . import case, reader, reception

app_name = "counter"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", reception.queue, name="queue"),
    path("desk/", reception.choose_desk, name="choose-desk"),
    path("reception/", reception.reception, name="reception"),
    path("reception/<int:resident_id>/", reception.case_new, name="case-new"),
    path("pickup/", reception.pickup, name="pickup"),
    path("cases/<str:reference>/", case.case_detail, name="case"),
    path("cases/<str:reference>/documents/", case.case_documents, name="documents"),
    path("cases/<str:reference>/card/", case.case_card_operation, name="card"),
    path("cases/<str:reference>/reader/", reader.reader_card, name="reader-card"),
    path(
        "cases/<str:reference>/card/<int:operation_id>/",
        case.card_operation_status,
        name="card-operation-status",
    ),
    path("cases/<str:reference>/inquiry/", case.case_send_inquiry, name="inquiry"),
    path("cases/<str:reference>/complete/", case.case_complete, name="complete"),
    path("cases/<str:reference>/cancel/", case.case_cancel, name="cancel"),
    path("cases/<str:reference>/receipt/", case.receipt, name="receipt"),
    path(
        "cases/<str:reference>/letters/<int:letter_id>.pdf",
        case.letter_pdf,
        name="letter-pdf",
    ),
]

urlpatterns += [path("console/", include("counter.console.urls"))]
