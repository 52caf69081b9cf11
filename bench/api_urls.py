"""The API bench's URLs: the project's, and two floor views that exist only here.

* ``/bench/bare/`` – a bare Django JSON view: what the framework itself costs;
* ``/bench/login/`` – a login-required JSON view of the project: the API's own
  authentication, role permission and throttles, and no work. The endpoints are
  measured against it (``ratio_vs_floor``).
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


def bare(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


class LoginFloor(APIView):
    """The project's API defaults (authentication, role permission, throttles)."""

    def get(self, request: Request) -> Response:
        return Response({"ok": True, "user": request.user.pk})


urlpatterns = [
    path("bench/bare/", bare),
    path("bench/login/", LoginFloor.as_view()),
    path("", include("config.urls")),
]
