"""One case: its page with the next step and whole history, and the step actions.

Each action is a POST that calls one service and redirects back to the case page
(post/redirect/get), so a reload never repeats it; the service refuses a repeat
or a stale step with its own message (another clerk won, the state moved on).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from counter import selectors
from counter.audit import access_record
from counter.constants import CertificateKind, PinKind
from counter.errors import NotFound
from counter.input import reference_plausible
from counter.models import AccessPath, Case
from counter.models.cases import CaseState
from counter.services import cases, visits
from counter.workflows import workflow_for
from identity_docs.checklist import checklist_context, checklist_read
from jpki_ops.models import CardOperationState

from .case_notices import case_notices
from .common import call_service, clerk_view, current_desk
from .forms import ReasonForm
from .labels import action_label
from .validity_notes import validity_warnings


def _case_or_404(request: HttpRequest, reference: str) -> Case:
    """The case (with its history, operations and letters), if the user sees it.

    A reference that no case could have (a NUL, a control character, longer than
    the column) is not looked up: the database would refuse it with an error."""
    if not reference_plausible(reference):
        raise Http404
    try:
        return selectors.case_detail(user=request.user, reference=reference)
    except NotFound:
        raise Http404 from None


def next_step(case: Case) -> str:
    """Which panel the case page puts first.

    The procedure's own state machine says which transitions its conditions
    allow now; the screen only orders them. The service still decides.
    """
    by_state = {
        CaseState.AWAITING_APPROVAL: "approval",
        CaseState.AWAITING_SECOND_VISIT: "second_visit",
        CaseState.CARD_OPERATION: "card",
        CaseState.READY_TO_COMPLETE: "complete",
        CaseState.COMPLETED: "receipt",
        CaseState.RECEIVED: "documents",
    }
    if case.state in by_state:
        return by_state[case.state]
    if case.state != CaseState.DOCUMENTS_CHECKED:
        return "closed"
    machine = workflow_for(case)
    transitions = machine.get_available_state_transitions()  # type: ignore[attr-defined]
    allowed = {t.name for t in transitions}
    for name, step in (
        ("send_inquiry", "inquiry"),
        ("request_card_operation", "card"),
        ("complete", "complete"),
    ):
        if name in allowed:
            return step
    return "documents"


def _operations(case: Case) -> list[Any]:
    """The case's card operations, newest first, with the PIN's name."""
    return [_label_operation(op) for op in reversed(case.card_operations.all())]


def _label_operation(op: Any) -> Any:
    pin_kind = (op.parameters or {}).get("pin_kind")
    op.pin_kind_label = PinKind(pin_kind).label if pin_kind in PinKind.values else ""
    return op


def kind_labels(case: Case) -> list[str]:
    """Which PINs or certificates the case is about, as the clerk reads them."""
    pins = [str(PinKind(k).label) for k in case.pin_kinds if k in PinKind.values]
    certificates = [
        str(CertificateKind(k).label)
        for k in case.certificate_kinds
        if k in CertificateKind.values
    ]
    return pins + certificates


def _checklist(case: Case, params: Any, *, evaluated: bool = True) -> dict[str, Any]:
    """identity_docs' checklist for this case and visit, read from ``params``.

    It re-renders through the case page (``action_url``) and its record button
    posts to the case's documents step (``record_url``), so ticking and recording
    stay on the case and go through ``case_record_documents`` — which evaluates
    the documents itself, so the record step reads the form without evaluating.
    """
    present = checklist_context if evaluated else checklist_read
    context = present(
        profile=case.municipality.profile,
        procedure=case.procedure,
        applicant_role=case.applicant_role,
        visit=case.visit,
        params=params,
        case=case,
    )
    context["action_url"] = reverse("counter:case", args=[case.reference])
    context["record_url"] = reverse("counter:documents", args=[case.reference])
    return context


def _checklist_html(request: HttpRequest, case: Case, params: Any) -> str:
    return render_to_string(
        "identity_docs/checklist.html", _checklist(case, params), request=request
    )


def _wants_checklist_fragment(request: HttpRequest) -> bool:
    """An htmx swap of the checklist only; a history restore wants the page."""
    htmx = request.htmx  # type: ignore[attr-defined]
    return (
        bool(htmx)
        and htmx.target == "id-checklist"
        and not htmx.history_restore_request
    )


def _history(request: HttpRequest, case: Case) -> list[dict[str, Any]]:
    """The case's history with the audit actions named for the clerk."""
    rows = selectors.case_history(user=request.user, case=case)
    for row in rows:
        if row["kind"] == "audit":
            row["label"] = action_label(row["item"].action)
    return rows


@clerk_view
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    """The case page: the next step first, then the whole history.

    The embedded document checklist re-evaluates itself through this same URL
    (htmx swaps only the checklist), so a reload shows the same ticks.
    """
    case = _case_or_404(request, reference)
    step = next_step(case)
    if _wants_checklist_fragment(request):
        response = HttpResponse(_checklist_html(request, case, request.GET))
        patch_vary_headers(
            response, ["HX-Request", "HX-Target", "HX-History-Restore-Request"]
        )
        return response
    operations = _operations(case)
    current = next(
        (op for op in operations if op.pk == case.current_operation_id), None
    )
    # The operation the card step shows: the running one, else the last one.
    shown = current or (operations[0] if step == "card" and operations else None)
    access_record(request, AccessPath.CASE_PAGE, case=case, desk=current_desk(request))
    response = render(
        request,
        "counter/case.html",
        {
            "case": case,
            "step": step,
            "kind_labels": kind_labels(case),
            "history": _history(request, case),
            "operations": operations,
            "current_operation": current,
            "last_operation": operations[0] if operations else None,
            "past_operations": [op for op in operations if op is not shown],
            "wrong_card": step == "card"
            and shown is not None
            and shown.state == CardOperationState.SUCCEEDED
            and case.has_flag("last-card-error:card-not-holders"),
            "letters": list(case.inquiry_letters.all()),
            "desk": current_desk(request),
            "overview": selectors.resident_overview(
                user=request.user, resident=case.resident
            ),
            "cancel_form": ReasonForm(),
            "checklist_html": _checklist_html(request, case, request.GET)
            if step == "documents"
            else "",
            "validity_warnings": validity_warnings(case),
            "case_notices": case_notices(case),
        },
    )
    # The same URL answers a fragment to htmx and the page to a browser: a cache
    # (the browser's Back) must never hand the fragment to a plain request.
    patch_vary_headers(
        response, ["HX-Request", "HX-Target", "HX-History-Restore-Request"]
    )
    return response


def _act(
    request: HttpRequest,
    reference: str,
    service: Callable[..., Any],
    **kwargs: Any,
) -> HttpResponse:
    """Run one step's service for this case at this desk, then show the case."""
    case = _case_or_404(request, reference)
    desk = current_desk(request)
    if desk is None:
        messages.error(request, _("Choose your desk first (on the queue screen)."))
        return redirect("counter:queue")
    call_service(request, service, case=case, actor=request.user, desk=desk, **kwargs)
    return redirect("counter:case", reference=reference)


@require_POST
@clerk_view
def case_documents(request: HttpRequest, reference: str) -> HttpResponse:
    """Record the documents ticked on the checklist; the service evaluates them."""
    case = _case_or_404(request, reference)
    checklist = _checklist(case, request.POST, evaluated=False)
    if checklist["errors"]:
        for error in checklist["errors"]:
            messages.error(request, error)
        return redirect("counter:case", reference=reference)
    return _act(
        request,
        reference,
        cases.case_record_documents,
        documents=checklist.get("documents", []),
        facts={f["name"]: True for f in checklist["facts"] if f["checked"]},
    )


@require_POST
@clerk_view
def case_card_operation(request: HttpRequest, reference: str) -> HttpResponse:
    """Ask the desk agent for the case's next card operation (the service picks it).

    The last-try box appears only after the agent stopped before a last try (§2).
    """
    return _act(
        request,
        reference,
        cases.case_request_card_operation,
        idempotency_key=request.POST.get("idempotency_key", ""),
        confirm_last_try=bool(request.POST.get("confirm_last_try")),
    )


@require_POST
@clerk_view
def case_send_inquiry(request: HttpRequest, reference: str) -> HttpResponse:
    return _act(request, reference, visits.case_send_inquiry)


@require_POST
@clerk_view
def case_complete(request: HttpRequest, reference: str) -> HttpResponse:
    response = _act(request, reference, cases.case_complete)
    case = _case_or_404(request, reference)
    if case.state == CaseState.COMPLETED:
        return redirect("counter:receipt", reference=reference)
    return response


@require_POST
@clerk_view
def case_cancel(request: HttpRequest, reference: str) -> HttpResponse:
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the case is cancelled."))
        return redirect("counter:case", reference=reference)
    return _act(
        request,
        reference,
        cases.case_cancel,
        reason=form.cleaned_data["reason"],
    )


@clerk_view
def card_operation_status(
    request: HttpRequest, reference: str, operation_id: int
) -> HttpResponse:
    """The live status fragment the case page polls (htmx) while the agent works.

    When the operation has finished, the fragment asks the page to reload so the
    next step shows (one round trip; no polling once finished).
    """
    case = _case_or_404(request, reference)
    op = selectors.card_operation(
        user=request.user, case=case, operation_id=operation_id
    )
    if op is None:
        raise Http404
    _label_operation(op)
    stalled = (
        op.state == CardOperationState.REQUESTED
        and (timezone.now() - op.requested_at).total_seconds() > 20
    )
    response = render(
        request,
        "counter/_card_operation.html",
        {"operation": op, "case": case, "stalled": stalled},
    )
    if op.finished and request.htmx:  # type: ignore[attr-defined]
        response["HX-Refresh"] = "true"
    return response


@clerk_view
def receipt(request: HttpRequest, reference: str) -> HttpResponse:
    """The printable receipt (控え) handed to the resident or agent."""
    case = _case_or_404(request, reference)
    if case.state != CaseState.COMPLETED:
        messages.error(request, _("A receipt is printed once the case is completed."))
        return redirect("counter:case", reference=reference)
    access_record(request, AccessPath.RECEIPT, case=case, desk=current_desk(request))
    return render(
        request,
        "counter/receipt.html",
        {
            "case": case,
            "operations": [
                _label_operation(op)
                for op in _operations(case)
                if op.state == CardOperationState.SUCCEEDED
            ],
            "printed_at": timezone.now(),
            "kind_labels": kind_labels(case),
        },
    )


@clerk_view
def letter_pdf(request: HttpRequest, reference: str, letter_id: int) -> HttpResponse:
    """The case's rendered inquiry letter; opening it is logged as a read."""
    case = _case_or_404(request, reference)
    letter = next(
        (
            x
            for x in case.inquiry_letters.all()
            if x.pk == letter_id and x.pdf is not None
        ),
        None,
    )
    if letter is None:
        raise Http404
    access_record(
        request,
        AccessPath.LETTER_PDF,
        case=case,
        obj=letter,
        desk=current_desk(request),
    )
    response = HttpResponse(bytes(letter.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{letter.reference}.pdf"'
    return response
