"""Supervisor console for inquiry letters and print runs.

Letters are never edited by hand: every change is an action that calls a service
(retry, mailed, returned undeliverable, answered, print run); every action is
audited, every opened PDF is logged as a read (the access log). Lists are scoped
to what the user may see.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from counter.admin_base import ScopedAdmin
from counter.admin_search import IndexedSearch
from counter.audit import access_record, access_record_many, audit_record
from counter.code_labels import code_label
from counter.errors import ApplicationError
from counter.models import AccessPath, Resident

from . import services
from .models import InquiryLetter, LetterStatusChange, PrintRun


class LetterStatusChangeInline(admin.TabularInline):
    model = LetterStatusChange
    extra = 0
    fields = ("at", "from_label", "to_label", "actor", "actor_label", "code")
    readonly_fields = fields

    @admin.display(description=_("from"))
    def from_label(self, obj: LetterStatusChange) -> str:
        return code_label(obj.from_state) if obj.from_state else "-"

    @admin.display(description=_("to"))
    def to_label(self, obj: LetterStatusChange) -> str:
        return code_label(obj.to_state)

    can_delete = False
    ordering = ("at", "pk")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class StuckFilter(admin.SimpleListFilter):
    title = _("stuck")
    parameter_name = "stuck"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("Stuck too long"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.filter(pk__in=services.letters_stuck().values("pk"))
        return queryset


def _run_on_each(
    request: HttpRequest,
    modeladmin: admin.ModelAdmin,
    queryset: QuerySet[InquiryLetter],
    call: Callable[[InquiryLetter], Any],
    done: Any,
) -> None:
    """Apply a service to each selected letter; report successes and refusals."""
    ok = 0
    for letter in queryset.select_related("case"):
        try:
            call(letter)
            ok += 1
        except ApplicationError as exc:
            modeladmin.message_user(
                request, f"{letter.reference}: {exc.message}", level=messages.ERROR
            )
    if ok:
        modeladmin.message_user(request, done % {"count": ok}, level=messages.SUCCESS)


@admin.register(InquiryLetter)
class InquiryLetterAdmin(IndexedSearch, ScopedAdmin):
    list_display = (
        "reference",
        "state",
        "kind",
        "recipient_name",
        "recipient_postal_code",
        "deadline",
        "attempts",
        "error_code",
        "case",
        "stuck_since",
        "state_changed_at",
    )
    list_filter = ("state", StuckFilter, "kind", "case_flagged", "office")
    list_select_related = ("case", "office", "municipality", "print_run")
    search_fields = ("reference", "case__reference", "case__resident__name")
    search_reference = "reference"
    search_case = "case"
    search_resident = "case__resident"
    ordering = ("-state_changed_at",)
    inlines = [LetterStatusChangeInline]
    readonly_fields = (
        "reference",
        "case",
        "visit",
        "kind",
        "procedure_name",
        "state",
        "state_changed_at",
        "recipient_name",
        "recipient_postal_code",
        "recipient_address",
        "agent_name",
        "first_visit_on",
        "deadline",
        "issued_on",
        "attempts",
        "error_code",
        "error_message",
        "print_run",
        "case_flagged",
        "stuck_since",
        "pdf_link",
        "created_by",
        "created_at",
    )
    fields = readonly_fields
    actions = [
        "retry",
        "mark_mailed",
        "mark_returned",
        "mark_answered",
        "create_print_run",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[InquiryLetter]:
        """No PDF blob on a list row: the letter's and its print run's stay in the
        database until one is opened."""
        return (
            super()
            .get_queryset(request)
            .defer("pdf", "print_run__pdf", "print_run__manifest_csv")
        )

    @admin.display(description=_("procedure"))
    def procedure_name(self, obj: InquiryLetter) -> str:
        return code_label(obj.procedure)

    @admin.display(description=_("PDF"))
    def pdf_link(self, obj: InquiryLetter) -> str:
        if not obj.pdf_sha256:
            return "-"
        url = reverse("admin:counter_inquiryletter_pdf", args=[obj.pk])
        return format_html('<a href="{}" target="_blank">{}</a>', url, _("Open PDF"))

    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view(self.pdf_view)
        return [
            path("<int:pk>/pdf/", view, name="counter_inquiryletter_pdf"),
            *super().get_urls(),
        ]

    def pdf_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The letter as rendered; opening it is a read of personal data, logged in
        the access log like every other read (no chain lock, ADR 0011)."""
        letter = get_object_or_404(
            self.get_queryset(request).select_related("case"), pk=pk, pdf__isnull=False
        )
        access_record(request, AccessPath.LETTER_PDF, case=letter.case, obj=letter)
        response = HttpResponse(
            bytes(letter.pdf or b""), content_type="application/pdf"
        )
        response["Content-Disposition"] = f'inline; filename="{letter.reference}.pdf"'
        return response

    @admin.action(description=_("Retry the selected letters"), permissions=["change"])
    def retry(self, request: HttpRequest, queryset: QuerySet[InquiryLetter]) -> None:
        _run_on_each(
            request, self, queryset,
            lambda letter: services.letter_retry(letter=letter, actor=request.user),
            _("%(count)d letters queued for rendering again."),
        )  # fmt: skip

    @admin.action(description=_("Mark as mailed"), permissions=["change"])
    def mark_mailed(
        self, request: HttpRequest, queryset: QuerySet[InquiryLetter]
    ) -> None:
        _run_on_each(
            request, self, queryset,
            lambda letter: services.letter_mark_mailed(
                letter=letter, actor=request.user
            ),
            _("%(count)d letters marked as mailed."),
        )  # fmt: skip

    @admin.action(
        description=_("Mark as returned undeliverable (宛所不明)"),
        permissions=["change"],
    )
    def mark_returned(
        self, request: HttpRequest, queryset: QuerySet[InquiryLetter]
    ) -> None:
        _run_on_each(
            request, self, queryset,
            lambda letter: services.letter_mark_returned(
                letter=letter, actor=request.user
            ),
            _("%(count)d letters marked as returned; their cases are flagged."),
        )  # fmt: skip

    @admin.action(description=_("Mark as answered"), permissions=["change"])
    def mark_answered(
        self, request: HttpRequest, queryset: QuerySet[InquiryLetter]
    ) -> None:
        _run_on_each(
            request, self, queryset,
            lambda letter: services.letter_mark_answered(
                letter=letter, actor=request.user
            ),
            _("%(count)d letters marked as answered."),
        )  # fmt: skip

    @admin.action(
        description=_("Create a print run of all rendered letters"),
        permissions=["change"],
    )
    def create_print_run(
        self, request: HttpRequest, queryset: QuerySet[InquiryLetter]
    ) -> None:
        """One run per municipality of the selection, with every rendered letter."""
        municipalities = {letter.municipality for letter in queryset}
        for municipality in municipalities:
            run = services.print_run_create(
                municipality=municipality, actor=request.user
            )
            if run is None:
                self.message_user(
                    request,
                    _("No rendered letter is waiting for a print run."),
                    level=messages.WARNING,
                )
            else:
                self.message_user(
                    request,
                    _("Print run %(run)s created with %(count)d letters.")
                    % {"run": run, "count": run.letter_count},
                    level=messages.SUCCESS,
                )


@admin.register(PrintRun)
class PrintRunAdmin(ScopedAdmin):
    list_display = (
        "run_date",
        "sequence",
        "municipality",
        "letter_count",
        "created_by",
        "created_at",
        "files",
    )
    list_filter = ("run_date",)
    list_select_related = ("municipality", "created_by")
    search_fields = ("letters__reference",)
    date_hierarchy = "run_date"
    readonly_fields = (
        "municipality",
        "run_date",
        "sequence",
        "letter_count",
        "pdf_sha256",
        "created_by",
        "created_at",
        "files",
    )
    fields = readonly_fields
    actions = ["mark_mailed"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[PrintRun]:
        return super().get_queryset(request).defer("pdf", "manifest_csv")

    @admin.display(description=_("files"))
    def files(self, obj: PrintRun) -> str:
        pdf = reverse("admin:counter_printrun_file", args=[obj.pk, "pdf"])
        csv = reverse("admin:counter_printrun_file", args=[obj.pk, "csv"])
        return format_html(
            '<a href="{}">PDF</a> · <a href="{}">{}</a>', pdf, csv, _("manifest (CSV)")
        )

    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view(self.file_view)
        return [
            path("<int:pk>/<str:kind>/", view, name="counter_printrun_file"),
            *super().get_urls(),
        ]

    def file_view(self, request: HttpRequest, pk: int, kind: str) -> HttpResponse:
        run = get_object_or_404(self.get_queryset(request), pk=pk)
        if kind not in ("pdf", "csv"):
            return HttpResponse(status=404)
        audit_record(
            action="print_run_downloaded",
            actor=request.user,
            municipality=run.municipality,
            obj=run,
            data={"file": kind},
        )
        # Both files carry each addressee's name and address: one access entry
        # per resident of the run, so "who saw whose record" covers the batch too.
        residents = Resident.objects.filter(
            cases__inquiry_letters__print_run=run
        ).distinct()
        access_record_many(request, AccessPath.LETTER_PDF, list(residents))
        name = f"print-run-{run.run_date:%Y%m%d}-{run.sequence}"
        if kind == "pdf":
            response = HttpResponse(bytes(run.pdf), content_type="application/pdf")
        else:
            # BOM so that spreadsheet software opens the Japanese text as UTF-8.
            body = "\ufeff" + run.manifest_csv
            response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
        return response

    @admin.action(
        description=_("Mark every printed letter of the run as mailed"),
        permissions=["change"],
    )
    def mark_mailed(self, request: HttpRequest, queryset: QuerySet[PrintRun]) -> None:
        total = 0
        for run in queryset:
            total += services.print_run_mark_mailed(print_run=run, actor=request.user)
        self.message_user(
            request,
            _("%(count)d letters marked as mailed.") % {"count": total},
            level=messages.SUCCESS,
        )
