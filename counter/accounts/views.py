"""Account pages. Writes go through counter.accounts.services."""

from __future__ import annotations

import base64
from typing import Any

import django_otp
import segno
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from counter.accounts import services
from counter.accounts.forms import SecondFactorCodeForm
from counter.audit import audit_record
from counter.errors import ApplicationError

_ENROLLING = "accounts:enrolling_device"


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


class PasswordChange(auth_views.PasswordChangeView):
    """Every role changes its own password here (and must after a supervisor reset)."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.password_changed(user=self.request.user)
        messages.success(self.request, _("Your password was changed."))
        return response


@login_required
def second_factor(request: HttpRequest) -> HttpResponse:
    """Type the authenticator's code (or a recovery code) after the password."""
    user: Any = request.user
    if services.confirmed_device(user) is None:
        return redirect("accounts:second_factor_enrol")
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = django_otp.match_token(user, form.cleaned_data["code"].strip())
        if device is not None:
            django_otp.login(request, device)
            audit_record(
                action="second_factor_verified",
                actor=user,
                data={"device": type(device).__name__},
            )
            return redirect(_next(request))
        audit_record(action="second_factor_failed", actor=user)
        form.add_error(
            "code",
            _("The code does not match. Type the code your authenticator shows now."),
        )
    return render(
        request, "accounts/second_factor.html", {"form": form, "next": _next(request)}
    )


def _qr_data_uri(device: TOTPDevice) -> str:
    svg = segno.make(device.config_url, error="m").svg_inline(scale=4)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


@login_required
def second_factor_enrol(request: HttpRequest) -> HttpResponse:
    """Scan a new authenticator, confirm it with its first code, note the recovery
    codes. Replacing an authenticator needs the current one first."""
    user: Any = request.user
    if services.confirmed_device(user) is not None and not user.is_verified():
        return redirect("accounts:second_factor")
    device = TOTPDevice.objects.filter(
        pk=request.session.get(_ENROLLING), user=user, confirmed=False
    ).first()
    if device is None or request.method == "GET":
        device = services.totp_enrolment_start(user=user)
        request.session[_ENROLLING] = device.pk
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.totp_enrolment_confirm(
                user=user, device=device, token=form.cleaned_data["code"].strip()
            )
        except ApplicationError as refusal:
            form.add_error("code", str(refusal.message))
        else:
            request.session.pop(_ENROLLING, None)
            django_otp.login(request, device)
            return render(
                request,
                "accounts/recovery_codes.html",
                {"codes": codes, "next": _next(request)},
            )
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/second_factor_enrol.html",
        {
            "form": form,
            "qr": _qr_data_uri(device),
            "secret": secret,
            "next": _next(request),
        },
    )


def _staff_in_my_city(request: HttpRequest) -> Any:
    user: Any = request.user
    if not user.has_perm(services.STAFF_ACCESS_PERMISSION):
        raise DjangoPermissionDenied
    profile = getattr(user, "staff_profile", None)
    if profile is None:
        raise DjangoPermissionDenied
    return (
        get_user_model()
        .objects.filter(staff_profile__municipality_id=profile.municipality_id)
        .order_by("username")
    )


@login_required
def staff_access(request: HttpRequest) -> HttpResponse:
    """A supervisor's list of the city's logins, with reset and log-out actions."""
    return render(
        request, "accounts/staff_access.html", {"staff": _staff_in_my_city(request)}
    )


@require_POST
@login_required
def staff_logout_everywhere(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(_staff_in_my_city(request), pk=pk)
    services.sessions_revoke(user=target, by=request.user)
    messages.success(
        request,
        _("%(user)s was logged out everywhere.") % {"user": target.get_username()},
    )
    return redirect("accounts:staff_access")


@require_POST
@login_required
def staff_password_reset(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(_staff_in_my_city(request), pk=pk)
    temporary = services.password_reset_by_supervisor(user=target, by=request.user)
    return render(
        request,
        "accounts/password_reset_done.html",
        {"target": target, "temporary": temporary},
    )
