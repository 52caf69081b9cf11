"""URLs. Each app contributes its screens and its /api/v1 endpoints."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config import health, metrics
from counter import views as counter_views

api_v1: list[URLPattern | URLResolver] = [
    path("", include("counter.api.urls")),
    path("", include("identity_docs.api.urls")),
    path("desk/", include("jpki_ops.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]

#: The API answers its JSON error body also for a 500 raised outside a view.
handler500 = "counter.api.errors.server_error"

urlpatterns = [
    path("", counter_views.home, name="home"),
    # Also answered by config.health.ProbeMiddleware, before the host check.
    path("healthz", health.healthz, name="healthz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("counter/", include("counter.screens.urls")),
    path("identity-documents/", include("identity_docs.urls")),
    path("jpki/", include("jpki_ops.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
]
