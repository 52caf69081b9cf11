"""The rest of what a clerk met (issue 15): the checklist grouped by class with
its result and record button together, Back never showing a bare fragment, a
repeated record writing no "checked → checked" row, one message per mistake,
and the signing certificate never planned past the user-authentication one."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from counter.errors import ApplicationError
from counter.models import AuditEvent, Case, CaseStatusChange
from counter.screens.validity_notes import validity_warnings
from counter.workflows import workflow_for
from identity_docs.constants import DocumentClass
from tests import factories as f
from tests.screens.test_the_counter_as_a_clerk_lives_it import visible_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(tanaka: Any, card_with_certificates: Any, desk: Any, clerk: Any) -> Case:
    return f.CaseFactory(
        resident=tanaka,
        card=card_with_certificates,
        office=desk.office,
        clerk=clerk,
        desk=desk,
        procedure="pin_reset",
        pin_kinds=["signing"],
    )


def test_the_holders_checklist_lists_documents_by_class_a_then_b(
    clerk_client: Any, case: Case
) -> None:
    page = clerk_client.get(reverse("counter:case", args=[case.reference]))
    body = page.content.decode()
    order = [DocumentClass(v).label for v in DocumentClass.values]
    captions = [str(label) for label in order if f"<caption>{label}</caption>" in body]
    positions = [body.index(f"<caption>{c}</caption>") for c in captions]
    assert captions[:2] == [str(DocumentClass.A.label), str(DocumentClass.B.label)]
    assert positions == sorted(positions)
    a_table = body.split(f"<caption>{DocumentClass.A.label}</caption>")[1]
    a_table = a_table.split("</table>")[0]
    assert "マイナンバーカード" in a_table or "パスポート" in a_table
    assert "data-checklist-filter" in body and "counter/checklist.js" in body


def test_the_result_and_the_record_button_sit_together_after_the_rows(
    clerk_client: Any, case: Case
) -> None:
    body = clerk_client.get(
        reverse("counter:case", args=[case.reference]),
        {"doc": "my_number_card@holder"},
    ).content.decode()
    bar = body.split('data-testid="checklist-bar"')[1]
    assert 'data-testid="checklist-result"' in bar
    assert reverse("counter:documents", args=[case.reference]) in bar
    assert body.index('data-testid="checklist-bar"') > body.rindex("<caption>")


def test_a_ticked_row_asks_for_its_details_an_unticked_one_does_not(
    clerk_client: Any, case: Case
) -> None:
    url = reverse("counter:case", args=[case.reference])
    before = clerk_client.get(url).content.decode()
    after = clerk_client.get(url, {"doc": "passport@holder"}).content.decode()
    assert 'name="copy_passport@holder"' not in before
    assert 'name="copy_passport@holder"' in after


def test_back_gets_the_page_not_the_fragment_and_caches_keep_them_apart(
    clerk_client: Any, case: Case
) -> None:
    url = reverse("counter:case", args=[case.reference])
    fragment = clerk_client.get(
        url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="id-checklist"
    )
    restored = clerk_client.get(
        url,
        HTTP_HX_REQUEST="true",
        HTTP_HX_HISTORY_RESTORE_REQUEST="true",
    )
    plain = clerk_client.get(url)
    for response in (fragment, restored, plain):
        assert "HX-Request" in response["Vary"]
    assert not fragment.content.decode().lstrip().startswith("<!doctype")
    assert restored.content.decode().lstrip().startswith("<!doctype")
    assert plain.content.decode().lstrip().startswith("<!doctype")


def test_the_standalone_checklist_varies_on_htmx_too(clerk_client: Any) -> None:
    url = reverse("identity_docs:checklist")
    page = clerk_client.get(url)
    assert "HX-Request" in page["Vary"]
    assert page.content.decode().lstrip().startswith("<!doctype")


def test_recording_the_same_documents_again_writes_no_same_state_row(
    clerk_client: Any, case: Case
) -> None:
    data = {
        "case": case.pk,
        "visit": 1,
        "doc": ["my_number_card@holder", "passport@holder"],
    }
    url = reverse("counter:documents", args=[case.reference])
    clerk_client.post(url, data)
    clerk_client.post(url, data)
    case.refresh_from_db()
    assert case.state == "documents_checked"
    rows = CaseStatusChange.objects.filter(case=case, to_state="documents_checked")
    assert rows.count() == 1
    assert not CaseStatusChange.objects.filter(
        case=case, from_state="documents_checked", to_state="documents_checked"
    ).exists()
    # The second record is still evidence, audited as a document check.
    checks = AuditEvent.objects.filter(case=case, action="identity_documents_checked")
    assert checks.count() == 2


def test_a_bad_birth_date_gets_one_message(clerk_client: Any) -> None:
    text = visible_text(
        clerk_client.get(reverse("counter:reception"), {"birth_date": "1980-13-45"})
    )
    assert "1980-04-01" in text  # the birth date's own message
    assert "氏名、フリガナまたは生年月日" not in text
    response = clerk_client.get(reverse("counter:reception"), {"birth_date": "xx"})
    form = response.context["form"]
    assert list(form.errors) == ["birth_date"]


def test_a_garbage_reference_on_the_second_visit_is_called_malformed(
    clerk_client: Any,
) -> None:
    response = clerk_client.post(reverse("counter:pickup"), {"reference": "ABC-??"})
    text = visible_text(response)
    assert "照会番号ではありません" in text
    assert "照会書を待っている受付はありません" not in text


@pytest.fixture
def lapsed_auth_card(tanaka: Any) -> Any:
    card = f.CardFactory(resident=tanaka)
    f.CertificateFactory(card=card, authentication=True, expired=True)
    return card


def test_a_signing_certificate_is_not_planned_past_a_lapsed_authentication_one(
    tanaka: Any, lapsed_auth_card: Any, desk: Any
) -> None:
    case = f.CaseFactory(
        resident=tanaka,
        card=lapsed_auth_card,
        office=desk.office,
        desk=desk,
        procedure="cert_issue",
        certificate_kinds=["signing"],
    )
    with pytest.raises(ApplicationError) as refused:
        workflow_for(case).new_expiry("signing")
    assert refused.value.code == "signing-outlives-authentication"
    both = f.CaseFactory(
        resident=tanaka,
        card=lapsed_auth_card,
        office=desk.office,
        desk=desk,
        procedure="cert_issue",
        certificate_kinds=["authentication", "signing"],
    )
    machine = workflow_for(both)
    assert machine.new_expiry("signing") <= machine.new_expiry("authentication")


def test_the_case_page_warns_of_a_signing_plan_past_the_authentication_end(
    clerk_client: Any, tanaka: Any, lapsed_auth_card: Any, desk: Any
) -> None:
    ends = timezone.localdate() + dt.timedelta(days=5 * 365)
    planned = dt.datetime.combine(ends, dt.time(14, 59, 59), tzinfo=dt.UTC)
    case = f.CaseFactory(
        resident=tanaka,
        card=lapsed_auth_card,
        office=desk.office,
        desk=desk,
        procedure="cert_issue",
        certificate_kinds=["signing"],
        certificate_plan={"signing": planned.isoformat()},
    )
    assert len(validity_warnings(case)) == 2
    text = visible_text(
        clerk_client.get(reverse("counter:case", args=[case.reference]))
    )
    assert "利用者証明用電子証明書" in text and "超えて" in text
