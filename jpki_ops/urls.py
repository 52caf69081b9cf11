"""jpki_ops URLs, included by config/urls.py (``path("jpki/", include(...))``)."""

from django.urls import path

from jpki_ops.issuer.views import crl_view

app_name = "jpki_ops"

urlpatterns = [
    path("crl/<str:kind>.crl", crl_view, name="crl"),
]
