"""Supervisor console screens: what waits for a supervisor, what went wrong, counts.

Every list is scoped with ``visible_to(request.user)``; approving goes through
the case service, and the CSV export is itself an audited event.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from counter import selectors
from counter.audit import audit_record
from counter.constants import Procedure
from counter.screens.common import call_service
from counter.screens.forms import ReasonForm
from counter.selectors.paging import BadCursor, keyset
from counter.services import cases

FAILED_OPERATIONS_DAYS = 7
#: Rows of a console list on one page; the next page starts after the last row.
CONSOLE_PAGE = 50


def console_view(permission: str = "counter.view_all_offices") -> Callable[..., Any]:
    """Logged in and holding ``permission`` (supervisors and auditors)."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.has_perm(permission):
                raise DjangoPermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date is after the end date."))
        if start and end and (end - start).days > 366:
            raise forms.ValidationError(_("Choose a period of at most one year."))
        return data


def _period(request: HttpRequest) -> tuple[PeriodForm, dt.date, dt.date]:
    today = timezone.localdate()
    form = PeriodForm(request.GET or {"start": today, "end": today})
    if form.is_valid():
        return form, form.cleaned_data["start"], form.cleaned_data["end"]
    return form, today, today


def daily_counts(
    request: HttpRequest, start: dt.date, end: dt.date
) -> list[dict[str, Any]]:
    """The selector's rows with the procedure's name as the clerk reads it."""
    labels = dict(Procedure.choices)
    rows = selectors.case_counts_daily(user=request.user, day_from=start, day_to=end)
    return [
        {**row, "procedure_label": labels.get(row["procedure"], row["procedure"])}
        for row in rows
    ]


def _page(
    request: HttpRequest, name: str, queryset: Any, keys: tuple[str, ...]
) -> dict[str, Any]:
    """One keyset page of a console list (counter/selectors/paging.py): its
    rows, how many there are in all, and the link to the next page, which keeps
    the other lists where they are."""
    try:
        rows, position = keyset(
            queryset, keys, cursor=request.GET.get(name), limit=CONSOLE_PAGE
        )
    except BadCursor:
        rows, position = keyset(queryset, keys, cursor=None, limit=CONSOLE_PAGE)
    next_url = None
    if position is not None:
        query = request.GET.copy()
        query[name] = position
        next_url = f"?{query.urlencode()}#{name}"
    total = len(rows) if position is None and not request.GET.get(name) else None
    return {
        "rows": rows,
        "total": queryset.count() if total is None else total,
        "next": next_url,
    }


@console_view()
def index(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    since = timezone.now() - dt.timedelta(days=FAILED_OPERATIONS_DAYS)
    form, start, end = _period(request)
    return render(
        request,
        "counter/console/index.html",
        {
            "nav": "console",
            "today": today,
            "approvals": _page(
                request,
                "approvals",
                selectors.cases_awaiting_approval(user=request.user),
                ("created_at", "pk"),
            ),
            "overdue": _page(
                request,
                "overdue",
                selectors.cases_overdue_second_visit(user=request.user, today=today),
                ("second_visit_deadline", "pk"),
            ),
            "failed": selectors.card_operations_failed(user=request.user, since=since)[
                :50
            ],
            "failed_days": FAILED_OPERATIONS_DAYS,
            "letters": selectors.letters_by_state(user=request.user),
            "counts": daily_counts(request, start, end),
            "period_form": form,
            "approve_form": ReasonForm(),
        },
    )


@require_POST
@console_view("counter.approve_exceptions")
def approve(request: HttpRequest, reference: str) -> HttpResponse:
    """Approve an exception (§7) with its reason, through the case service."""
    case = (
        selectors.cases_awaiting_approval(user=request.user)
        .filter(reference=reference)
        .first()
    )
    if case is None:
        raise Http404
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the reason for the exception."))
        return _back(request)
    _result, error = call_service(
        request,
        cases.case_approve_exception,
        case=case,
        actor=request.user,
        note=form.cleaned_data["reason"],
    )
    if error is None:
        messages.success(
            request, _("Exception approved for %(ref)s.") % {"ref": case.reference}
        )
    return _back(request)


def _back(request: HttpRequest) -> HttpResponse:
    """Back to the page the form was on (the case page or the console)."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        return redirect(target)
    return redirect("counter:console:index")


#: A cell starting with one of these is a formula to Excel and LibreOffice
#: (``=HYPERLINK(...)``, ``+cmd``, ``@SUM``; tab and CR start one too).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """A text cell a spreadsheet shows as text: one that would start a formula
    gets a leading apostrophe (OWASP's advice for CSV injection). Numbers and
    dates are written as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@console_view("counter.export_data")
def export_counts(request: HttpRequest) -> HttpResponse:
    """Daily counts by procedure and office as CSV; the export is audited."""
    form, start, end = _period(request)
    if not form.is_valid():
        return HttpResponse(
            "\n".join(str(e) for e in form.non_field_errors()) or "bad period",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    rows = daily_counts(request, start, end)
    audit_record(
        action="daily_counts_exported",
        actor=request.user,
        data={"start": start, "end": end, "rows": len(rows)},
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="counts-{start:%Y%m%d}-{end:%Y%m%d}.csv"'
    )
    response.write("\ufeff")  # so Excel opens the Japanese text as UTF-8
    writer = csv.writer(response)
    writer.writerow(
        [_("Date"), _("Office"), _("Procedure"), _("Opened"), _("Completed")]
    )
    for row in rows:
        writer.writerow(
            [
                csv_cell(cell)
                for cell in (
                    row["day"].isoformat(),
                    str(row["office__name"]),
                    str(row["procedure_label"]),
                    row["opened"],
                    row["completed"],
                )
            ]
        )
    return response
