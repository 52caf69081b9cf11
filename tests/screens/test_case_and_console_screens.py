"""The case page's steps and the supervisor console, through the test client.

Card operations are run by jpki_ops' own service functions standing in for the
desk agent's HTTP calls (the browser tests in tests/e2e run the real agent).
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.urls import reverse

from counter.models import AuditEvent, Case
from tests import factories as f

pytestmark = pytest.mark.django_db

AGENT = "screens-test-agent"


@pytest.fixture
def case(tanaka: Any, card_with_certificates: Any, desk: Any, clerk: Any) -> Case:
    """Tanaka's signing-password reset, just opened at the desk."""
    return f.CaseFactory(
        resident=tanaka,
        card=card_with_certificates,
        office=desk.office,
        clerk=clerk,
        desk=desk,
        procedure="pin_reset",
        pin_kinds=["signing"],
    )


@pytest.fixture
def waiting(city: Any, desk: Any, clerk: Any) -> Case:
    """A signing certificate for a 9-year-old, opened with a reason (§7)."""
    child = f.ResidentFactory(municipality=city, birth_date=f.years_ago(9))
    card = f.CardFactory(resident=child)
    f.CertificateFactory(card=card, authentication=True)
    return f.CaseFactory(
        resident=child,
        card=card,
        office=desk.office,
        clerk=clerk,
        desk=desk,
        procedure="cert_issue",
        applicant_role="legal_representative",
        certificate_kinds=["signing"],
        applicant_name="保護者",
        applicant_relation="親権者",
        exception_reason="就職のため署名用電子証明書が必要",
    )


def _record_documents(client: Any, case: Case) -> Any:
    return client.post(
        reverse("counter:documents", args=[case.reference]),
        {
            "case": case.pk,
            "visit": 1,
            "doc": ["my_number_card@holder", "passport@holder"],
        },
    )


def test_documents_from_the_checklist_move_the_case_on(
    clerk_client: Any, case: Case
) -> None:
    response = _record_documents(clerk_client, case)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "documents_checked"
    page = clerk_client.get(reverse("counter:case", args=[case.reference]))
    assert page.context["step"] == "card"


def test_documents_that_do_not_satisfy_the_rules_say_what_is_missing(
    clerk_client: Any, case: Case
) -> None:
    response = clerk_client.post(
        reverse("counter:documents", args=[case.reference]),
        {"case": case.pk, "visit": 1, "doc": ["my_number_card@holder"]},
        follow=True,
    )
    case.refresh_from_db()
    assert case.state == "received"
    messages = [str(m) for m in response.context["messages"]]
    assert any("書類" in m or "document" in m for m in messages), messages
    assert AuditEvent.objects.filter(
        case=case, action="case_record_documents_refused"
    ).exists()


def test_the_checklist_re_renders_alone_for_htmx(clerk_client: Any, case: Case) -> None:
    response = clerk_client.get(
        reverse("counter:case", args=[case.reference]),
        {"doc": "my_number_card@holder"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="id-checklist",
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="id-checklist"')
    assert reverse("counter:documents", args=[case.reference]) in body


def test_card_status_fragment_polls_until_done_then_reloads_the_page(
    clerk_client: Any, case: Case, desk: Any
) -> None:
    from jpki_ops.services import card_operation_claim, card_operation_complete

    _record_documents(clerk_client, case)
    clerk_client.post(
        reverse("counter:card", args=[case.reference]), {"idempotency_key": "k1"}
    )
    case.refresh_from_db()
    assert case.state == "card_operation"
    url = reverse(
        "counter:card-operation-status",
        args=[case.reference, case.current_operation_id],
    )
    running = clerk_client.get(url, HTTP_HX_REQUEST="true")
    assert "hx-get" in running.content.decode()
    assert "HX-Refresh" not in running

    op = card_operation_claim(desk=desk, agent_session=AGENT)
    card_operation_complete(
        operation_id=op.pk,
        desk=desk,
        agent_session=AGENT,
        result={"pin_kind": "signing"},
    )
    done = clerk_client.get(url, HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"
    assert "hx-get" not in done.content.decode()
    case.refresh_from_db()
    assert case.state == "ready_to_complete"

    receipt = clerk_client.post(
        reverse("counter:complete", args=[case.reference]), follow=True
    )
    assert receipt.context["case"].state == "completed"
    assert 'id="receipt"' in receipt.content.decode()


def test_an_unknown_letter_reference_is_refused_with_the_reason(
    clerk_client: Any,
) -> None:
    response = clerk_client.post(
        reverse("counter:pickup"), {"reference": "0000-0000-0000"}
    )
    assert response.status_code == 400
    assert [str(m) for m in response.context["messages"]]
    assert AuditEvent.objects.filter(action="case_second_visit_refused").exists()


def test_a_cancelled_case_needs_a_reason(clerk_client: Any, case: Case) -> None:
    url = reverse("counter:cancel", args=[case.reference])
    clerk_client.post(url, {"reason": ""})
    case.refresh_from_db()
    assert case.state == "received"
    clerk_client.post(url, {"reason": "本人が申請を取り下げた"})
    case.refresh_from_db()
    assert case.state == "cancelled"


def test_supervisor_approves_an_exception_with_a_reason(
    supervisor_client: Any, waiting: Case
) -> None:
    assert waiting.state == "awaiting_approval"
    console = supervisor_client.get(reverse("counter:console:index"))
    assert waiting.reference in console.content.decode()
    supervisor_client.post(
        reverse("counter:console:approve", args=[waiting.reference]),
        {"reason": "医師の意見書を確認"},
    )
    waiting.refresh_from_db()
    assert waiting.state == "received"
    assert waiting.exception_approval_note == "医師の意見書を確認"


def test_a_clerk_cannot_open_the_console_or_export(
    clerk_client: Any,
) -> None:
    assert clerk_client.get(reverse("counter:console:index")).status_code == 403
    assert clerk_client.get(reverse("counter:console:export-counts")).status_code == 403


def test_daily_counts_export_is_audited_and_counts_by_office_and_procedure(
    supervisor_client: Any, case: Case
) -> None:
    day = case.created_at.date().isoformat()
    response = supervisor_client.get(
        reverse("counter:console:export-counts"), {"start": day, "end": day}
    )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][1:] == [case.office.name, "暗証番号の初期化", "1", "0"]
    event = AuditEvent.objects.get(action="daily_counts_exported")
    assert event.data["rows"] == 1


def test_approving_from_the_case_page_returns_to_it(
    supervisor_client: Any, waiting: Case
) -> None:
    page = reverse("counter:case", args=[waiting.reference])
    assert "approve" in supervisor_client.get(page).content.decode()
    response = supervisor_client.post(
        reverse("counter:console:approve", args=[waiting.reference]),
        {"reason": "在学証明を確認", "next": page},
    )
    assert response["Location"] == page
    waiting.refresh_from_db()
    assert waiting.state == "received"


def test_a_clerk_acting_on_a_case_another_clerk_closed_is_told_why(
    clerk_client: Any, case: Case, city: Any, desk: Any, login: Any
) -> None:
    colleague = login(f.clerk(city, desk.office), desk)
    colleague.post(
        reverse("counter:cancel", args=[case.reference]), {"reason": "重複受付"}
    )
    response = _record_documents(clerk_client, case)
    page = clerk_client.get(response["Location"])
    messages = [str(m) for m in page.context["messages"]]
    assert messages, "the second clerk must see why nothing happened"
    case.refresh_from_db()
    assert case.state == "cancelled"
    assert AuditEvent.objects.filter(
        case=case, action="case_record_documents_refused"
    ).exists()
