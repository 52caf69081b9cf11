"""The clerk's document checklist: tick what the resident shows, see what is missing.

Server-rendered and usable without JavaScript (the form re-evaluates on submit);
with htmx the checklist re-renders itself on every tick. Standalone at
``/identity-documents/checklist/?procedure=pin_reset&role=holder&visit=1``; the case
page embeds it with ``{% include "identity_docs/checklist.html" %}``; both take their
context from the presenter :mod:`identity_docs.checklist`. With ``?case=<id>`` the
clerk can record the result as the case's evidence (``evidence_record``).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from counter.audit import audit_record
from counter.errors import ApplicationError
from counter.input import positive_id
from counter.models import Case
from identity_docs.checklist import checklist_context, checklist_read
from identity_docs.constants import DOCUMENT_PROCEDURES, ApplicantRole, Procedure
from identity_docs.services import evidence_record, profile_for_user


def _params_query(params: QueryDict) -> str:
    return urlencode([(k, v) for k in params for v in params.getlist(k)])


def _refused(request: HttpRequest, problems: list[str]) -> HttpResponse:
    return render(
        request, "identity_docs/checklist_page.html", {"problems": problems}, status=400
    )


@login_required
@require_http_methods(["GET"])
def checklist(request: HttpRequest) -> HttpResponse:
    """Standalone checklist page, or only the partial for an htmx request."""
    params = request.GET
    case = None
    if params.get("case"):
        case_id = positive_id(params.get("case"))
        if case_id is None:
            return _refused(request, [_("The case number must be a number.")])
        case = get_object_or_404(Case.objects.visible_to(request.user), pk=case_id)
        procedure, role = case.procedure, case.applicant_role
        visit_text = params.get("visit") or str(getattr(case, "visit", 1))
    else:
        procedure = params.get("procedure") or Procedure.PIN_RESET.value
        role = params.get("role") or ApplicantRole.HOLDER.value
        visit_text = params.get("visit") or "1"
    problems = []
    if procedure not in DOCUMENT_PROCEDURES:
        problems.append(_("Unknown procedure."))
    if role not in ApplicantRole.values:
        problems.append(_("Unknown applicant role."))
    if visit_text not in ("1", "2"):
        problems.append(_("The visit must be 1 or 2."))
    try:
        profile = profile_for_user(
            user=request.user, municipality_code=params.get("municipality")
        )
    except ApplicationError as exc:
        problems.append(str(exc.message))
        profile = None
    if problems or profile is None:
        return _refused(request, problems)
    context = checklist_context(
        profile=profile,
        procedure=procedure,
        applicant_role=role,
        visit=int(visit_text),
        params=params,
        case=case,
    )
    if context["rule"] is None:
        status = 400
        context["problems"] = [
            _("This applicant has no visit %(visit)s for this procedure.")
            % {"visit": visit_text}
        ]
    else:
        status = 200
    # An htmx swap gets the fragment; a browser (Back, a history restore) the
    # page, and a cache keeps the two apart.
    fragment = request.headers.get("HX-Request") and not request.headers.get(
        "HX-History-Restore-Request"
    )
    template = (
        "identity_docs/checklist.html"
        if fragment
        else "identity_docs/checklist_page.html"
    )
    response = render(
        request, template, {"checklist": context, **context}, status=status
    )
    patch_vary_headers(response, ["HX-Request", "HX-History-Restore-Request"])
    return response


@login_required
@require_POST
def checklist_record(request: HttpRequest) -> HttpResponse:
    """Record the ticked documents as the case's evidence for this visit."""
    case_id = positive_id(request.POST.get("case"))
    if case_id is None:
        return _refused(request, [_("The case number must be a number.")])
    case = get_object_or_404(
        Case.objects.visible_to(request.user).select_related("municipality__profile"),
        pk=case_id,
    )
    if not request.user.has_perm("identity_docs.add_evidencepresented"):
        audit_record(action="evidence_record_refused", actor=request.user, case=case)
        messages.error(request, _("You may not record documents."))
        return redirect(f"{reverse('identity_docs:checklist')}?case={case.pk}")
    visit_text = request.POST.get("visit") or "1"
    if visit_text not in ("1", "2"):
        audit_record(
            action="evidence_record_refused",
            actor=request.user,
            case=case,
            data={"code": "visit-invalid"},
        )
        return _refused(request, [_("The visit must be 1 or 2.")])
    visit = int(visit_text)
    context = checklist_read(
        profile=case.municipality.profile,
        procedure=case.procedure,
        applicant_role=case.applicant_role,
        visit=visit,
        params=request.POST,
        case=case,
    )
    if context.get("forged_documents"):
        audit_record(
            action="evidence_record_refused",
            actor=request.user,
            case=case,
            data={
                "code": "document-not-in-catalogue",
                "codes": [k.split("@", 1)[0] for k in context["forged_documents"]],
            },
        )
        messages.error(request, context["forged_message"])
    if context["rule"] is None or context["errors"]:
        messages.error(request, _("Correct the checklist before recording it."))
    else:
        evidence_record(
            case=case,
            visit=visit,
            documents=context["documents"],
            clerk=request.user,
            desk=getattr(case, "desk", None),
            facts={f["name"]: True for f in context["facts"] if f["checked"]},
        )
        messages.success(request, _("The documents shown were recorded."))
    query = request.POST.copy()
    query.pop("csrfmiddlewaretoken", None)
    return redirect(f"{reverse('identity_docs:checklist')}?{_params_query(query)}")
