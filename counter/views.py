"""Foundation screens: the landing page and a health check.

The clerk screens of the procedures live in counter/screens (issue 6).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from counter.scoping import scope_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    profile = getattr(request.user, "staff_profile", None)
    return render(
        request,
        "counter/home.html",
        {"staff_profile": profile, "scope": scope_for(request.user)},
    )


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for the load balancer: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
