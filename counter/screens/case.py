"""One case: its page with the next step and whole history, and the step actions.

Each action is a POST that calls one service and redirects back to the case page
(post/redirect/get), so a reload never repeats it; the service refuses a repeat
or a stale step with its own message (another clerk won, the state moved on).
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from counter.constants import ApplicantRole, CertificateKind, PinKind
from counter.models import Case
from counter.models.cases import CaseState

from . import queries
from .common import call_service, clerk_view, current_desk
from .forms import ReasonForm


def _cases() -> ModuleType:
    from counter.services import cases

    return cases


def _case_or_404(request: HttpRequest, reference: str) -> Case:
    case = queries.case_for(user=request.user, reference=reference)
    if case is None:
        raise Http404
    return case


def next_step(case: Case) -> str:
    """Which panel the case page puts first; the service decides what is allowed."""
    if case.state == CaseState.DOCUMENTS_CHECKED:
        if case.applicant_role == ApplicantRole.VOLUNTARY_AGENT and case.visit == 1:
            return "inquiry"
        return "card"
    return {
        CaseState.RECEIVED: "documents",
        CaseState.AWAITING_APPROVAL: "approval",
        CaseState.AWAITING_SECOND_VISIT: "second_visit",
        CaseState.CARD_OPERATION: "card",
        CaseState.READY_TO_COMPLETE: "complete",
        CaseState.COMPLETED: "receipt",
    }.get(case.state, "closed")


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


@clerk_view
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case_or_404(request, reference)
    operations = [_label_operation(op) for op in queries.card_operations(case=case)]
    current = next(
        (op for op in operations if op.pk == case.current_operation_id), None
    )
    return render(
        request,
        "counter/case.html",
        {
            "case": case,
            "step": next_step(case),
            "kind_labels": kind_labels(case),
            "history": queries.case_history(user=request.user, case=case),
            "operations": operations,
            "current_operation": current,
            "letters": queries.letters_for(case=case),
            "desk": current_desk(request),
            "cancel_form": ReasonForm(),
            "checklist": queries.checklist(request=request, case=case),
        },
    )


def _act(
    request: HttpRequest, reference: str, service_name: str, **kwargs: Any
) -> HttpResponse:
    """Run one step's service for this case at this desk, then show the case."""
    case = _case_or_404(request, reference)
    desk = current_desk(request)
    if desk is None:
        messages.error(request, _("Choose your desk first (on the queue screen)."))
        return redirect("counter:queue")
    call_service(
        request,
        getattr(_cases(), service_name),
        case=case,
        clerk=request.user,
        desk=desk,
        **kwargs,
    )
    return redirect("counter:case", reference=reference)


@require_POST
@clerk_view
def case_documents(request: HttpRequest, reference: str) -> HttpResponse:
    """Record the documents ticked on the checklist; the service evaluates them."""
    documents, facts = queries.checklist_submission(request)
    return _act(
        request,
        reference,
        "case_record_documents",
        documents=documents,
        facts=facts,
    )


@require_POST
@clerk_view
def case_card_operation(request: HttpRequest, reference: str) -> HttpResponse:
    """Ask the desk agent for the case's next card operation (the service picks it)."""
    return _act(
        request,
        reference,
        "case_request_card_operation",
        idempotency_key=request.POST.get("idempotency_key", ""),
    )


@require_POST
@clerk_view
def case_send_inquiry(request: HttpRequest, reference: str) -> HttpResponse:
    return _act(request, reference, "case_send_inquiry")


@require_POST
@clerk_view
def case_complete(request: HttpRequest, reference: str) -> HttpResponse:
    response = _act(request, reference, "case_complete")
    case = queries.case_for(user=request.user, reference=reference)
    if case is not None and case.state == CaseState.COMPLETED:
        return redirect("counter:receipt", reference=reference)
    return response


@require_POST
@clerk_view
def case_cancel(request: HttpRequest, reference: str) -> HttpResponse:
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the case is cancelled."))
        return redirect("counter:case", reference=reference)
    return _act(request, reference, "case_cancel", reason=form.cleaned_data["reason"])


@clerk_view
def card_operation_status(
    request: HttpRequest, reference: str, operation_id: int
) -> HttpResponse:
    """The live status fragment the case page polls (htmx) while the agent works.

    When the operation has finished, the fragment asks the page to reload so the
    next step shows (one round trip; no polling once finished).
    """
    case = _case_or_404(request, reference)
    op = queries.card_operation(user=request.user, case=case, operation_id=operation_id)
    if op is None:
        raise Http404
    _label_operation(op)
    stalled = (
        op.state == "requested"
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
    return render(
        request,
        "counter/receipt.html",
        {
            "case": case,
            "operations": [
                _label_operation(op)
                for op in queries.card_operations(case=case)
                if op.state == "succeeded"
            ],
            "printed_at": timezone.now(),
            "kind_labels": kind_labels(case),
        },
    )
