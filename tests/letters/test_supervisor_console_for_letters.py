"""Supervisors see and act on the letter lists in the console; each act audited.

docs/reference/style.md §3.15 (visible retry of failed letters);
docs/rules/06-agents.md §6.2.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from counter.letters import services
from counter.letters.models import InquiryLetter, LetterState, PrintRun
from counter.models import AccessPath, AccessRecord, AuditEvent
from tests import factories as f

pytestmark = pytest.mark.django_db

DEADLINE = dt.date(2026, 12, 26)
CHANGELIST = "admin:counter_inquiryletter_changelist"


@pytest.fixture
def console(client, supervisor):
    client.force_login(supervisor)
    return client


def rendered_letter(make_case):
    letter = services.letter_request(case=make_case(), deadline=DEADLINE)
    return services.letter_render(letter_id=letter.pk)


def act(console, action, letters):
    return console.post(
        reverse(CHANGELIST),
        {"action": action, "_selected_action": [x.pk for x in letters]},
        follow=True,
    )


def test_failed_letters_are_listed_and_can_be_retried(console, make_case, supervisor):
    letter = services.letter_request(case=make_case(), deadline=DEADLINE)
    services.letter_render_failed(letter_id=letter.pk, error="worker time limit")
    page = console.get(reverse(CHANGELIST), {"state__exact": "failed"})
    assert letter.reference in page.content.decode()

    act(console, "retry", [letter])
    letter.refresh_from_db()
    assert letter.state == LetterState.QUEUED and letter.attempts == 0
    event = AuditEvent.objects.filter(action="letter_queued").order_by("seq").last()
    assert event.actor_id == supervisor.pk


def test_print_run_mailed_returned_and_answered_from_the_console(console, make_case):
    first, second, third = (rendered_letter(make_case) for _ in range(3))
    act(console, "create_print_run", [first])
    run = PrintRun.objects.get()
    assert run.letter_count == 3
    act(console, "mark_mailed", [first, second, third])
    act(console, "mark_returned", [second])
    act(console, "mark_answered", [third])
    states = dict(InquiryLetter.objects.values_list("pk", "state"))
    assert states == {
        first.pk: "mailed",
        second.pk: "returned_undeliverable",
        third.pk: "answered",
    }


def test_a_refused_action_shows_the_reason_and_changes_nothing(console, make_case):
    letter = services.letter_request(case=make_case(), deadline=DEADLINE)
    page = act(console, "mark_mailed", [letter])
    assert letter.reference in page.content.decode()
    letter.refresh_from_db()
    assert letter.state == LetterState.QUEUED
    assert AuditEvent.objects.filter(action="letter_mark_mailed_refused").exists()


def test_opening_a_letter_pdf_in_the_console_is_logged_as_a_read(
    console, make_case, supervisor
):
    """Like the case page's letter PDF: one access-log row naming the reader, the
    resident and the case; no audit-chain append for a read (ADR 0011)."""
    letter = rendered_letter(make_case)
    audited = AuditEvent.objects.count()
    response = console.get(reverse("admin:counter_inquiryletter_pdf", args=[letter.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    read = AccessRecord.objects.get()
    assert read.path == AccessPath.LETTER_PDF
    assert read.actor == supervisor
    assert read.case_id == letter.case_id
    assert read.resident_id == letter.case.resident_id
    assert read.municipality_id == letter.municipality_id
    assert read.object_id == str(letter.pk)
    assert AuditEvent.objects.count() == audited


def test_another_municipalitys_letter_pdf_is_not_found_and_logs_no_read(
    client, make_case
):
    letter = rendered_letter(make_case)
    other = f.MunicipalityFactory()
    client.force_login(f.supervisor(other))
    response = client.get(reverse("admin:counter_inquiryletter_pdf", args=[letter.pk]))
    assert response.status_code == 404
    assert not AccessRecord.objects.exists()


def test_print_run_files_download_with_audit(console, make_case):
    rendered_letter(make_case)
    run = services.print_run_create(
        municipality=InquiryLetter.objects.get().municipality
    )
    csv = console.get(reverse("admin:counter_printrun_file", args=[run.pk, "csv"]))
    assert "reference" in csv.content.decode("utf-8-sig")
    pdf = console.get(reverse("admin:counter_printrun_file", args=[run.pk, "pdf"]))
    assert pdf.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="print_run_downloaded").count() == 2


def test_lists_open_with_every_filter(console, make_case):
    letter = rendered_letter(make_case)
    for params in (
        {"stuck": "yes"},
        {"state__exact": "rendered"},
        {"q": letter.reference},
    ):
        page = console.get(reverse(CHANGELIST), params)
        assert page.status_code == 200
    assert console.get(reverse("admin:counter_printrun_changelist")).status_code == 200
    detail = console.get(
        reverse("admin:counter_inquiryletter_change", args=[letter.pk])
    )
    assert detail.status_code == 200
    assert letter.reference in detail.content.decode()


def test_a_clerk_cannot_act_on_letters(client, make_case, city, office):
    from django.contrib.auth.models import Group, User

    from counter.models import StaffProfile

    clerk = User.objects.create_user("madoguchi", password="x", is_staff=True)
    clerk.groups.add(Group.objects.get(name="clerk"))
    StaffProfile.objects.create(user=clerk, municipality=city, office=office)
    client.force_login(clerk)
    letter = rendered_letter(make_case)
    page = client.get(reverse(CHANGELIST))
    # Clerks get no admin at all (docs/security/roles.md): sent to the login page.
    assert page.status_code == 302 and "/admin/login/" in page["Location"]
    act(client, "mark_mailed", [letter])
    letter.refresh_from_db()
    assert letter.state == LetterState.RENDERED


def test_a_print_run_download_logs_a_read_of_each_addressee(
    console, make_case, supervisor
):
    """The run's PDF and manifest name every addressee: the access log answers
    "who saw whose record" for each of them, once per download."""
    first, second = rendered_letter(make_case), rendered_letter(make_case)
    run = services.print_run_create(municipality=first.municipality)
    console.get(reverse("admin:counter_printrun_file", args=[run.pk, "pdf"]))
    reads = AccessRecord.objects.filter(path=AccessPath.LETTER_PDF, actor=supervisor)
    assert sorted(r.resident_id for r in reads) == sorted(
        [first.case.resident_id, second.case.resident_id]
    )
    csv = console.get(reverse("admin:counter_printrun_file", args=[run.pk, "csv"]))
    assert csv.status_code == 200, csv.content[:300]
    assert reads.all().count() == 4  # a fresh count, not the evaluated list
