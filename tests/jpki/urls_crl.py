"""URLconf for the CRL view test: jpki_ops.urls mounted as config/urls.py should."""

from django.urls import include, path

urlpatterns = [path("jpki/", include("jpki_ops.urls"))]
