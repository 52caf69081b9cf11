"""Queue, reception (find the resident) and opening a case."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from counter import selectors
from counter.audit import access_record_many
from counter.models import AccessPath, Resident
from counter.selectors.reception_notes import reception_notes
from counter.services import cases, visits

from .common import (
    DESK_SESSION_KEY,
    call_service,
    clerk_view,
    current_desk,
    desks_for,
    remember_desk,
)
from .forms import CaseOpenForm, PickupForm, ResidentSearchForm


@clerk_view
def queue(request: HttpRequest) -> HttpResponse:
    """Today's cases at the clerk's office, plus second visits that are due."""
    today = timezone.localdate()
    return render(
        request,
        "counter/queue.html",
        {
            "today": today,
            "nav": "queue",
            "queue": selectors.cases_today_queue(user=request.user, day=today),
            "desk": current_desk(request),
            "desks": desks_for(request),
            "pickup_form": PickupForm(),
            "search_form": ResidentSearchForm(),
        },
    )


@require_POST
@clerk_view
def choose_desk(request: HttpRequest) -> HttpResponse:
    """Remember at which desk (reader + PIN pad) this browser works."""
    desk_id = request.POST.get("desk") or ""
    desk = next((d for d in desks_for(request) if str(d.pk) == desk_id), None)
    if desk is None:
        messages.error(request, _("Choose one of your office's desks."))
    else:
        request.session[DESK_SESSION_KEY] = desk.pk
        messages.success(request, _("You are working at %(desk)s.") % {"desk": desk})
    # Only a path on this host: an absolute or scheme-relative "next" is an open
    # redirect (issue 11).
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = ""
    response = redirect(target or "counter:queue")
    return response if desk is None else remember_desk(response, desk)


@clerk_view
def reception(request: HttpRequest) -> HttpResponse:
    """Find the resident by name, kana or birth date (one GET, results inline)."""
    form = ResidentSearchForm(request.GET or None)
    results: list[Any] | None = None
    if form.is_bound and form.is_valid():
        results = list(
            selectors.residents_search(
                user=request.user,
                query=form.cleaned_data["q"],
                birth_date=form.cleaned_data["birth_date"],
            )
        )
        access_record_many(
            request, AccessPath.RESIDENT_SEARCH, results, desk=current_desk(request)
        )
    return render(
        request,
        "counter/reception.html",
        {
            "form": form,
            "results": results,
            "more_matches": selectors.search_has_more_matches(results or []),
            "matches_cap": selectors.SEARCH_MATCHES_CAP,
            "desk": current_desk(request),
            "nav": "reception",
        },
    )


@clerk_view
def case_new(request: HttpRequest, resident_id: int) -> HttpResponse:
    """Choose the procedure and who applies; opening the case checks residency,
    office hours and age rules in the service, which says why it refuses."""
    resident = get_object_or_404(
        Resident.objects.visible_to(request.user), pk=resident_id
    )
    desk = current_desk(request)
    form = CaseOpenForm(
        request.POST or None, initial={"idempotency_key": uuid.uuid4().hex}
    )
    open_case_reference = ""
    cards = selectors.resident_cards(user=request.user, resident=resident)
    form.fields["card"].queryset = cards  # type: ignore[attr-defined]
    form.fields["card"].initial = cards.first()
    if request.method == "POST" and form.is_valid():
        if desk is None:
            messages.error(request, _("Choose your desk first (on the queue screen)."))
        else:
            data = form.cleaned_data
            case, error = call_service(
                request,
                cases.case_open,
                resident=resident,
                office=desk.office,
                procedure=data["procedure"],
                applicant_role=data["applicant_role"],
                actor=request.user,
                desk=desk,
                card=data["card"],
                pin_kinds=data["pin_kinds"],
                certificate_kinds=data["certificate_kinds"],
                revocation_kind=data["revocation_kind"],
                uses_jlis_answer_sheet=data["uses_jlis_answer_sheet"],
                exception_reason=data["exception_reason"].strip(),
                idempotency_key=data["idempotency_key"],
                **form.applicant(),
            )
            if error is None:
                return redirect("counter:case", reference=case.reference)
            open_case_reference = error.extra.get("reference", "")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "counter/case_new.html",
        {
            "resident": resident,
            "overview": selectors.resident_overview(
                user=request.user, resident=resident
            ),
            "form": form,
            "desk": desk,
            "open_case_reference": open_case_reference,
            "notes": reception_notes(
                resident=resident, profile=resident.municipality.profile
            ),
        },
        status=status,
    )


@clerk_view
def pickup(request: HttpRequest) -> HttpResponse:
    """Second visit: scan (or type) the reference code printed on the letter."""
    form = PickupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        desk = current_desk(request)
        if desk is None:
            messages.error(request, _("Choose your desk first (on the queue screen)."))
        else:
            case, error = call_service(
                request,
                visits.case_second_visit,
                reference=form.cleaned_data["reference"],
                actor=request.user,
                desk=desk,
            )
            if error is None:
                return redirect("counter:case", reference=case.reference)
    return render(
        request,
        "counter/pickup.html",
        {
            "form": form,
            "waiting": selectors.cases_awaiting_second_visit(user=request.user)[:50],
            "today": timezone.localdate(),
            "desk": current_desk(request),
            "nav": "pickup",
        },
        status=400 if request.method == "POST" else 200,
    )
