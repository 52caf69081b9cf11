"""Transitions every counter procedure shares, as mixins for the proxy models.

Conditions are :class:`Guard` objects: pure checks on the case's own fields that
carry the stable code and the Japanese message the service raises when they fail,
so a refusal reads the same on the screen, in the API and in the audit trail.
Transition methods only set fields of the case; card I/O, letters and issuer calls
are the services' business (docs/reference/style.md §3.5). Each transition cites
docs/rules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, transition

from counter.constants import ApplicantRole
from counter.models.cases import FINAL_STATES, CaseState

if TYPE_CHECKING:
    from counter.models.cases import Case

    _MachineBase = Case  # mixins see the Case fields they set
else:
    _MachineBase = object

S = CaseState
OPEN_STATES = [s.value for s in CaseState if s not in FINAL_STATES]
CHANGE_CASE = "counter.change_case"
APPROVE_EXCEPTIONS = "counter.approve_exceptions"


@dataclass(frozen=True)
class Guard:
    """A named transition condition with the refusal it stands for."""

    code: str
    message: str | Promise
    check: Callable[[Any], bool]

    def __call__(self, case: Any) -> bool:
        return bool(self.check(case))

    @property
    def __name__(self) -> str:  # django-fsm and graphs print condition names
        return self.code


def _documents_ok(case: Case) -> bool:
    return case.documents_satisfied_visit == case.visit


def _is_agent_first_visit(case: Case) -> bool:
    return case.applicant_role == ApplicantRole.VOLUNTARY_AGENT and case.visit == 1


DOCUMENTS_SATISFIED = Guard(
    "documents-not-satisfied",
    _("The identity documents for this visit have not been confirmed yet."),
    _documents_ok,
)
NOT_SAME_DAY_FOR_AGENT = Guard(
    "agent-needs-second-visit",
    _(
        "A voluntary agent can never complete this on the first visit: send the "
        "inquiry letter to the holder and wait for the second visit."
    ),
    lambda case: not _is_agent_first_visit(case) or case.one_visit_allowed(),
)
OPERATIONS_REMAIN = Guard(
    "no-card-operation-needed",
    _("Every card operation this procedure needs is already done."),
    lambda case: bool(case.pending_operations()),
)
NO_OPERATIONS_REMAIN = Guard(
    "card-operations-pending",
    _("The card operations of this procedure are not finished yet."),
    lambda case: not case.pending_operations(),
)


class BaseMachine(_MachineBase):
    """Cancel and refuse: every procedure can end this way."""

    # Any open state → cancelled: the applicant withdraws or the clerk made a
    # mistake; the reason is required by the service (docs/reference/style.md §3.7).
    @transition(
        field="state",
        custom={"rules": "§15"},
        source=OPEN_STATES,
        target=S.CANCELLED,
        permission=CHANGE_CASE,
    )
    def cancel(self, *, why: str) -> None:
        self.cancellation_reason = why

    # Open → refused: identity cannot be confirmed or a rule bars the procedure
    # ("issuance may be refused if documents are incomplete", seed table; §6.2 a
    # wrong PIN on the answer sheet; §7 an exception rejected).
    @transition(
        field="state",
        custom={"rules": "seed table; §6.2; §7"},
        source=OPEN_STATES,
        target=S.REFUSED,
        permission=CHANGE_CASE,
    )
    def refuse(self, *, code: str) -> None:
        self.outcome_code = code


class CounterMachine(BaseMachine):
    """Reception → documents → card at the desk → completion, in one visit."""

    def one_visit_allowed(self) -> bool:
        """Whether a voluntary agent may finish at visit 1 (only one-visit renewal)."""
        return False

    def required_operations(self) -> list[tuple[str, dict[str, Any]]]:
        """Card operations (kind, parameters) the procedure needs, in order."""
        return []

    @staticmethod
    def operation_key(kind: str, parameters: dict[str, Any]) -> str:
        detail = parameters.get("pin_kind") or parameters.get("certificate_kind") or ""
        return f"{kind}:{detail}" if detail else kind

    def pending_operations(self) -> list[tuple[str, dict[str, Any]]]:
        done = set(self.completed_operations or [])
        return [
            (kind, params)
            for kind, params in self.required_operations()
            if self.operation_key(kind, params) not in done
        ]

    # §5.2 (documents per procedure × role), §6.1 (proof of authority), §6.2
    # (visit 2: sealed answer sheet, power of attorney, proof holder cannot come).
    @transition(
        field="state",
        custom={"rules": "§5.2, §6.1, §6.2"},
        source=[S.RECEIVED, S.DOCUMENTS_CHECKED],
        target=S.DOCUMENTS_CHECKED,
        permission=CHANGE_CASE,
    )
    def record_documents(self) -> None:
        self.documents_satisfied_visit = self.visit

    # §16: the resident types PINs at the desk; the card is written there. §6.2:
    # never on a voluntary agent's first visit (except the one-visit renewal).
    @transition(
        field="state",
        custom={"rules": "§16, §6.2"},
        source=S.DOCUMENTS_CHECKED,
        target=S.CARD_OPERATION,
        conditions=[DOCUMENTS_SATISFIED, NOT_SAME_DAY_FOR_AGENT, OPERATIONS_REMAIN],
        permission=CHANGE_CASE,
    )
    def request_card_operation(self, *, operation_id: int) -> None:
        self.current_operation_id = operation_id

    # The desk agent reported success (docs/reference/architecture.md "Desk agent");
    # more
    # operations may remain (e.g. both certificates, §15).
    @transition(
        field="state",
        custom={"rules": "§16, §3, §15"},
        source=S.CARD_OPERATION,
        target=RETURN_VALUE(S.DOCUMENTS_CHECKED, S.READY_TO_COMPLETE),
    )
    def card_operation_succeeded(self, *, key: str) -> str:
        done = list(self.completed_operations or [])
        if key not in done:
            done.append(key)
        self.completed_operations = done
        self.current_operation_id = None
        return S.DOCUMENTS_CHECKED if self.pending_operations() else S.READY_TO_COMPLETE

    # Wrong PIN (tries left), PIN entry cancelled, card removed (§2): the case
    # stays consistent and the clerk may try again.
    @transition(
        field="state",
        custom={"rules": "§2"},
        source=S.CARD_OPERATION,
        target=S.DOCUMENTS_CHECKED,
    )
    def card_operation_failed(self, *, code: str) -> None:
        self.current_operation_id = None
        flags = [f for f in (self.flags or []) if not f.startswith("last-card-error:")]
        self.flags = [*flags, f"last-card-error:{code}"]

    # Hand-over with a receipt once the card work is done (§15 counter record);
    # procedures without card work (a lost card's revocation, §9) complete
    # straight from the document check.
    @transition(
        field="state",
        custom={"rules": "§15, §9"},
        source=S.READY_TO_COMPLETE,
        target=S.COMPLETED,
        permission=CHANGE_CASE,
    )
    @transition(
        field="state",
        custom={"rules": "§15, §9"},
        source=S.DOCUMENTS_CHECKED,
        target=S.COMPLETED,
        conditions=[DOCUMENTS_SATISFIED, NOT_SAME_DAY_FOR_AGENT, NO_OPERATIONS_REMAIN],
        permission=CHANGE_CASE,
    )
    def complete(self) -> None:
        self.completed_at = timezone.now()
