"""No screen shows a person a code (issue 15).

Every clerk screen (from the URL patterns), the console and every admin
changelist and change page is rendered for a city with history: a case whose
card operation failed (wrong PIN) and then succeeded, a refused document check,
a case awaiting a supervisor and an inquiry letter. The visible text must hold
no identifier of the code's vocabularies, which are built from the code itself:
the choices, the transition tables (audit actions, guards' refusal codes), the
desk agent's failure codes and every audit action, error code and history code
the walk left in the database.
"""

from __future__ import annotations

import datetime as dt
import inspect
import re
from html.parser import HTMLParser
from pprint import pformat
from typing import Any

import pytest
from django.contrib import admin
from django.db import models
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from counter import constants
from counter.letters import services as letters
from counter.letters.models import (
    InquiryLetter,
    LetterKindChoice,
    LetterState,
    LetterStatusChange,
)
from counter.models import AuditEvent, Case, CaseStatusChange
from counter.models.cases import CaseState
from counter.screens.labels import ACTION_LABELS
from counter.workflows import WORKFLOWS
from jpki_ops.models import (
    CardOperation,
    CardOperationState,
    CardOperationStatusChange,
    IssuedCertificateState,
)
from jpki_ops.services import (
    card_operation_claim,
    card_operation_complete,
    card_operation_fail,
)
from jpki_ops.services.failures import REFUSALS, failure_message
from tests import factories as f

pytestmark = pytest.mark.django_db

AGENT = "raw-code-walk-agent"
TOKEN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_\-]*[A-Za-z0-9])?")


#: inputs whose value is shown as text (a radio's or checkbox's value is not).
_TYPED = {"text", "search", "number", "date", "email", "tel", "url"}


class _Visible(HTMLParser):
    """What a person reads: text, textarea bodies and the values of visible
    inputs; not scripts, styles or hidden inputs."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        given = dict(attrs)
        # No exception for any textarea: a supervisor reads the requirement
        # rules in words (ADR 0027), the JSON only the installation administrator.
        if tag in ("script", "style", "template"):
            self._skip += 1
        if tag == "input" and given.get("type", "text") in _TYPED:
            self.parts.append(given.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template", "textarea") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_tokens(response: Any) -> set[str]:
    body = response.content.decode("utf-8-sig")
    if "html" in response.get("Content-Type", ""):
        parser = _Visible()
        parser.feed(body)
        body = " ".join(parser.parts)
    return set(TOKEN.findall(body))


def _choices_of(module: Any) -> list[type[models.Choices]]:
    return [
        value
        for value in vars(module).values()
        if inspect.isclass(value)
        and issubclass(value, models.Choices)
        and value.__module__ == module.__name__
    ]


def _transition_codes() -> set[str]:
    """Audit actions and refusal codes from every transition table."""
    found: set[str] = set()
    for machine in [*WORKFLOWS.values(), InquiryLetter, CardOperation]:
        noun = machine.audit_noun
        found |= {machine.transition_conflict_code, machine.transition_changed_code}
        for t in machine._meta.get_field("state").get_all_transitions(machine):
            found |= {f"{noun}_{t.name}", f"{noun}_{t.name}_refused"}
            found |= {c.code for c in t.conditions if hasattr(c, "code")}
    return found


def _agent_failure_codes() -> set[str]:
    codes = set(REFUSALS)
    for code in ("pin-wrong", "pin-blocked", "card-removed", "pin-entry-timeout"):
        failure_message(code, {})
        codes.add(code)
    return codes


def vocabulary() -> set[str]:
    """Every code a person must never read, from the code and from the record."""
    enums: list[type[models.Choices]] = [
        *_choices_of(constants),
        CaseState,
        CardOperationState,
        LetterState,
        LetterKindChoice,
        IssuedCertificateState,
    ]
    words = {str(v) for enum in enums for v in enum.values}
    words |= _transition_codes() | _agent_failure_codes() | set(ACTION_LABELS)
    words |= set(AuditEvent.objects.values_list("action", flat=True))
    words |= set(CardOperation.objects.values_list("error_code", flat=True))
    for history in (CaseStatusChange, LetterStatusChange, CardOperationStatusChange):
        names = {field.name for field in history._meta.get_fields()}
        for field in ("code", "transition", "from_state", "to_state"):
            if field in names:
                words |= set(history.objects.values_list(field, flat=True))
    return {w for w in words if w and len(w) > 1}


@pytest.fixture
def history(
    tanaka: Any,
    card_with_certificates: Any,
    desk: Any,
    clerk: Any,
    city: Any,
    clerk_client: Client,
) -> dict[str, Any]:
    """A case walked through the screens: a refused check, a wrong PIN, a
    success and the receipt; a case for a supervisor; an inquiry letter."""
    case: Any = f.CaseFactory(
        resident=tanaka,
        card=card_with_certificates,
        office=desk.office,
        clerk=clerk,
        desk=desk,
        procedure="pin_reset",
        pin_kinds=["signing"],
    )
    documents = reverse("counter:documents", args=[case.reference])
    visit = {"case": case.pk, "visit": 1}
    clerk_client.post(documents, {**visit, "doc": ["my_number_card@holder"]})
    clerk_client.post(
        documents, {**visit, "doc": ["my_number_card@holder", "passport@holder"]}
    )
    card = reverse("counter:card", args=[case.reference])
    clerk_client.post(card, {"idempotency_key": "walk-1"})
    failed = card_operation_claim(desk=desk, agent_session=AGENT)
    assert failed is not None
    card_operation_fail(
        operation_id=failed.pk,
        desk=desk,
        agent_session=AGENT,
        code="pin-wrong",
        message="",
        extra={"tries_left": 2},
    )
    clerk_client.post(card, {"idempotency_key": "walk-2"})
    done = card_operation_claim(desk=desk, agent_session=AGENT)
    assert done is not None
    card_operation_complete(
        operation_id=done.pk,
        desk=desk,
        agent_session=AGENT,
        result={"pin_kind": "signing"},
    )
    clerk_client.post(reverse("counter:complete", args=[case.reference]))
    case.refresh_from_db()
    assert case.state == CaseState.COMPLETED, case.state

    child = f.ResidentFactory(municipality=city, birth_date=f.years_ago(9))
    child_card = f.CardFactory(resident=child)
    f.CertificateFactory(card=child_card, authentication=True)
    waiting = f.CaseFactory(
        resident=child,
        card=child_card,
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
    agent_case = Case.objects.create(
        municipality=city,
        office=desk.office,
        resident=f.ResidentFactory(municipality=city, name="見本 花子"),
        reference="C-RAW-00001",
        procedure=constants.Procedure.PIN_CHANGE,
        applicant_role=constants.ApplicantRole.VOLUNTARY_AGENT,
        applicant_name="代理 太郎",
        state=CaseState.DOCUMENTS_CHECKED,
    )
    letter = letters.letter_request(
        case=agent_case, deadline=dt.date.today() + dt.timedelta(days=30)
    )
    letters.letter_render(letter_id=letter.pk)
    return {
        "cases": [case, waiting, agent_case],
        "resident": tanaka,
        "operations": [failed, done],
    }


def _patterns(resolver: URLResolver, prefix: str) -> list[URLPattern]:
    found: list[URLPattern] = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "console":
                continue
            found += _patterns(entry, prefix)
        elif entry.name:
            found.append(entry)
    return found


def clerk_screen_urls(world: dict[str, Any]) -> list[str]:
    """Every named screen of ``counter:`` filled with the walk's cases."""
    resolver = get_resolver().namespace_dict["counter"][1]
    urls: list[str] = []
    for pattern in _patterns(resolver, "counter"):
        params = set(pattern.pattern.converters)
        if "letter_id" in params:
            continue  # the letter itself is a PDF
        for case in world["cases"]:
            for op in world["operations"] if "operation_id" in params else [None]:
                kwargs: dict[str, Any] = {}
                if "reference" in params:
                    kwargs["reference"] = case.reference
                if "resident_id" in params:
                    kwargs["resident_id"] = world["resident"].pk
                if op is not None:
                    kwargs["operation_id"] = op.pk
                urls.append(reverse(f"counter:{pattern.name}", kwargs=kwargs))
    return sorted(set(urls))


def admin_urls() -> list[str]:
    """Every registered model's changelist and the change page of its newest row."""
    urls: list[str] = []
    for model in admin.site._registry:
        meta = model._meta
        urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        newest = model._default_manager.order_by("-pk").first()
        if newest is not None:
            urls.append(
                reverse(
                    f"admin:{meta.app_label}_{meta.model_name}_change",
                    args=[newest.pk],
                )
            )
    return urls


def raw_codes_on(client: Client, urls: list[str]) -> tuple[dict[str, set[str]], int]:
    words = vocabulary()
    found: dict[str, set[str]] = {}
    shown = 0
    for url in urls:
        response = client.get(url, {"q": "たなか"} if "reception/" in url else {})
        if response.status_code != 200:
            continue
        shown += 1
        if raw := visible_tokens(response) & words:
            found[url] = raw
    return found, shown


def test_no_clerk_screen_shows_a_code(
    history: dict[str, Any], clerk_client: Client
) -> None:
    urls = clerk_screen_urls(history)
    found, shown = raw_codes_on(clerk_client, urls)
    assert shown >= 10, f"only {shown} of {len(urls)} screens answered"
    assert found == {}, "\n" + pformat(found)


def test_the_console_shows_no_code(
    history: dict[str, Any], supervisor_client: Client
) -> None:
    day = history["cases"][0].created_at.date().isoformat()
    urls = [
        reverse("counter:console:index"),
        reverse("counter:console:export-counts") + f"?start={day}&end={day}",
    ]
    found, shown = raw_codes_on(supervisor_client, urls)
    assert shown == 2
    assert found == {}, "\n" + pformat(found)


def test_no_admin_page_a_supervisor_opens_shows_a_code(
    history: dict[str, Any], supervisor_client: Client
) -> None:
    urls = admin_urls()
    found, shown = raw_codes_on(supervisor_client, urls)
    assert shown >= 10, f"only {shown} of {len(urls)} admin pages answered"
    assert found == {}, "\n" + pformat(found)


def test_the_vocabulary_holds_the_codes_a_clerk_once_saw() -> None:
    """The check is only as good as its word list: the codes of the issue."""
    words = vocabulary()
    for seen in ("case_opened", "card-not-holders", "pin-wrong", "received"):
        assert seen in words
    assert visible_tokens(_page("<p>状態: received</p>")) & words == {"received"}
    assert not visible_tokens(_page('<input type="hidden" value="received">'))


def _page(html: str) -> Any:
    return HttpResponse(f"<html><body>{html}</body></html>")
