"""URLs. Each app contributes its screens and its /api/v1 endpoints."""

from csp.decorators import csp_replace
from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config import health, metrics
from counter import views as counter_views
from counter.accounts.urls import root_urlpatterns as account_root

api_v1: list[URLPattern | URLResolver] = [
    path("", include("counter.api.urls")),
    path("", include("identity_docs.api.urls")),
    path("desk/", include("jpki_ops.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start script as a file (CSP, no inline
    # script); the UI itself comes from drf-spectacular-sidecar's static files.
    # Swagger UI sets inline styles: this page alone gets API_DOCS_STYLE_SRC.
    path(
        "docs/",
        csp_replace({"style-src": settings.API_DOCS_STYLE_SRC})(
            SpectacularSwaggerSplitView.as_view(url_name="schema")
        ),
        name="api-docs",
    ),
]

#: The API answers its JSON error body also for a 500 raised outside a view.
handler500 = "counter.api.errors.server_error"
handler404 = "counter.api.errors.page_not_found"

urlpatterns = [
    path("", counter_views.home, name="home"),
    # Also answered by config.health.ProbeMiddleware, before the host check.
    path("healthz", health.healthz, name="healthz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("counter/", include("counter.screens.urls")),
    path("identity-documents/", include("identity_docs.urls")),
    path("jpki/", include("jpki_ops.urls")),
    path("accounts/", include(account_root)),
    path("accounts/", include("counter.accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
]
