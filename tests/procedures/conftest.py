"""Procedure tests: the shared city, office, desk, staff, resident and card
(tests/fixtures/counter.py) on a weekday morning when the counter is open, and the
desk agent simulated through jpki_ops' own service functions (claim → certify →
complete / fail)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from counter.models import AuditEvent, Case
from counter.workflows import workflow_for
from tests import factories as f

AGENT_SESSION = "test-agent-session"


@pytest.fixture(autouse=True)
def _simulated_issuer(settings: Any, issuer_state_dir: Path) -> None:
    settings.JPKI_ISSUER_STATE_DIR = str(issuer_state_dir)
    settings.JPKI_ISSUER_BACKEND = "simulator"


@pytest.fixture(autouse=True)
def _the_counter_is_open(request: pytest.FixtureRequest) -> None:
    """A procedure test with the city runs on a weekday morning when the counter
    is open (``open_counter``)."""
    if "city" in request.fixturenames:
        request.getfixturevalue("open_counter")


@pytest.fixture
def other_clerk(city: Any, office: Any) -> Any:
    """A second clerk of the main office."""
    return f.clerk(city, office)


@pytest.fixture
def counter_case(
    request: pytest.FixtureRequest, clerk: Any, desk: Any
) -> Callable[..., Case]:
    """``counter_case(procedure=..., **fields)``: a case the clerk opens at the desk
    through the services (``CaseFactory`` with a clerk, its traits and ``shown``),
    for the ``resident`` and ``card`` fixtures unless the test names others. An
    applicant other than the holder is named, with an address and a relation,
    unless the test says otherwise."""

    def make(**fields: Any) -> Case:
        if "resident" not in fields:
            fields["resident"] = request.getfixturevalue("resident")
            fields.setdefault("card", request.getfixturevalue("card"))
        fields.setdefault("clerk", clerk)
        fields.setdefault("desk", desk)
        role = fields.get("applicant_role", "holder")
        if role != "holder":
            fields.setdefault("applicant_name", "代理 花子")
            fields.setdefault("applicant_address", "神奈川県厚木市旭町1-1")
            fields.setdefault(
                "applicant_relation", "母" if role == "legal_representative" else "知人"
            )
        return f.CaseFactory(**fields)

    return make


def holder_card() -> dict[str, Any]:
    return {"code": "my_number_card", "owner": "holder"}


def applicant_doc(code: str = "driving_licence", **extra: Any) -> dict[str, Any]:
    return {"code": code, "owner": "applicant", **extra}


def holder_doc(
    code: str = "insurance_qualification_certificate", **extra: Any
) -> dict[str, Any]:
    return {"code": code, "owner": "holder", **extra}


def audit_actions(case: Case | None = None, **filters: Any) -> list[str]:
    qs = AuditEvent.objects.all()
    if case is not None:
        qs = qs.filter(case=case)
    return list(qs.filter(**filters).order_by("seq").values_list("action", flat=True))


class Agent:
    """The desk agent, driven through jpki_ops.services as the real one is."""

    def __init__(self, desk: Any) -> None:
        self.desk = desk

    def _claim(self, operation: Any) -> Any:
        from jpki_ops.services import card_operation_claim

        claimed = card_operation_claim(desk=self.desk, agent_session=AGENT_SESSION)
        assert claimed is not None and claimed.pk == operation.pk
        return claimed

    def succeed(
        self, operation: Any, *, card_fingerprint: str | None = None, **reported: Any
    ) -> Case:
        from jpki_ops.services import card_operation_certify, card_operation_complete

        op = self._claim(operation)
        result: dict[str, Any] = {}
        if card_fingerprint:
            result["card_fingerprint"] = card_fingerprint
        if op.kind == "cert_issue":
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            der = key.public_key().public_bytes(
                serialization.Encoding.DER,
                serialization.PublicFormat.SubjectPublicKeyInfo,
            )
            issued = card_operation_certify(
                operation_id=op.pk,
                desk=self.desk,
                agent_session=AGENT_SESSION,
                card_id=f"card-{op.case.card_id}",
                public_key_der=der,
            )
            assert hashlib.sha256(issued["certificate"]).hexdigest() == issued["sha256"]
            result.update(
                certificate_kind=op.parameters["certificate_kind"],
                certificate_serial=issued["serial"],
                certificate_not_after=issued["not_after"].isoformat(),
                certificate_fingerprint=issued["sha256"],
            )
        elif op.kind in ("pin_change", "pin_verify", "pin_reset"):
            result["pin_kind"] = op.parameters["pin_kind"]
        result.update(reported)
        op = card_operation_complete(
            operation_id=op.pk,
            desk=self.desk,
            agent_session=AGENT_SESSION,
            result=result,
        )
        return self._case(op)

    def fail(self, operation: Any, code: str, **extra: Any) -> Case:
        from jpki_ops.services import card_operation_fail

        op = self._claim(operation)
        op = card_operation_fail(
            operation_id=op.pk,
            desk=self.desk,
            agent_session=AGENT_SESSION,
            code=code,
            message=code,
            extra=extra,
        )
        return self._case(op)

    @staticmethod
    def _case(operation: Any) -> Case:
        """The case as jpki_ops' hook (case_card_operation_finished) left it."""
        return workflow_for(Case.objects.get(pk=operation.case_id))


@pytest.fixture
def agent(desk: Any) -> Agent:
    return Agent(desk)


def today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()


@pytest.fixture(autouse=True)
def every_state_change_is_recorded_and_audited(
    request: pytest.FixtureRequest,
) -> Iterator[None]:
    """After every procedure test: each case's status history is an unbroken chain
    ending in its current state, and every transition has its audit entry
    (docs/reference/style.md §3.4, §3.7) — whatever path the test took."""
    yield
    if "django_db" not in {m.name for m in request.node.iter_markers()}:
        return
    from counter.models import CaseStatusChange

    for case in Case.objects.all():
        history = list(CaseStatusChange.objects.filter(case=case).order_by("at", "pk"))
        assert history, f"{case.reference} has no status history"
        assert history[0].from_state == "" and history[0].transition == "open"
        for before, after in zip(history, history[1:], strict=False):
            assert before.to_state == after.from_state, f"{case.reference}: gap"
        assert history[-1].to_state == case.state, f"{case.reference}: state drifted"
        audited = list(
            AuditEvent.objects.filter(case=case, action__startswith="case_")
            .exclude(action__endswith="_refused")
            .exclude(action="case_viewed")
            .values_list("action", flat=True)
        )
        expected = [f"case_{h.transition}" for h in history[1:]]
        assert sorted(
            a for a in audited if a != "case_opened" and a != "case_flagged"
        ) == sorted(expected), case.reference
