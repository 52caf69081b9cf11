"""Output shapes shared by the case endpoints (plain serializers,
docs/reference/style.md §3.13)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from rest_framework import ISO_8601, serializers
from rest_framework.fields import SkipField
from rest_framework.settings import api_settings

from counter.models import Case
from counter.models.cases import CaseState
from counter.selectors.api_cases import CaseRow
from counter.workflows import workflow_for

#: The state's name as the clerk reads it, looked up once per row (a model's
#: ``get_state_display`` is a callable DRF inspects on every row).
STATE_LABELS = dict(CaseState.choices)


class ResidentBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    register_id = serializers.CharField()
    name = serializers.CharField()
    name_kana = serializers.CharField()
    birth_date = serializers.DateField()
    registration_status = serializers.CharField()


class HistoryRowSerializer(serializers.Serializer):
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    transition = serializers.CharField()
    actor = serializers.CharField(
        source="actor.username", allow_null=True, default=None
    )
    desk = serializers.CharField(source="desk.code", allow_null=True, default=None)
    at = serializers.DateTimeField()
    reason = serializers.CharField()


#: A status change's time, as :class:`HistoryRowSerializer` formats it.
_HISTORY_AT = serializers.DateTimeField()


def _history_row(change: Any) -> dict[str, Any]:
    """One status change as :class:`HistoryRowSerializer` gives it, written out
    (a test holds both equal): a case's history is read on every detail."""
    actor, desk = change.actor, change.desk
    return {
        "from_state": None if change.from_state is None else str(change.from_state),
        "to_state": None if change.to_state is None else str(change.to_state),
        "transition": None if change.transition is None else str(change.transition),
        "actor": None
        if actor is None or actor.username is None
        else str(actor.username),
        "desk": None if desk is None or desk.code is None else str(desk.code),
        "at": None if change.at is None else _HISTORY_AT.to_representation(change.at),
        "reason": None if change.reason is None else str(change.reason),
    }


class CaseSerializer(serializers.Serializer):
    reference = serializers.CharField()
    procedure = serializers.CharField()
    applicant_role = serializers.CharField()
    state = serializers.CharField()
    state_display = serializers.SerializerMethodField()
    visit = serializers.IntegerField()
    office = serializers.CharField(source="office.code")
    resident = ResidentBriefSerializer()
    card = serializers.IntegerField(source="card_id", allow_null=True)
    pin_kinds = serializers.ListField(child=serializers.CharField())
    certificate_kinds = serializers.ListField(child=serializers.CharField())
    revocation_kind = serializers.CharField()
    applicant_name = serializers.CharField()
    fee_yen = serializers.IntegerField()
    fee_reason = serializers.CharField()
    second_visit_deadline = serializers.DateField(allow_null=True)
    letter_reference = serializers.CharField()
    exception_reason = serializers.CharField()
    exception_approved_at = serializers.DateTimeField(allow_null=True)
    flags = serializers.ListField(child=serializers.CharField())
    outcome_code = serializers.CharField()
    cancellation_reason = serializers.CharField()
    current_operation = serializers.IntegerField(
        source="current_operation_id", allow_null=True
    )
    pending_operations = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)

    #: Fields read straight from the row on the list's fast path (the same
    #: values DRF's field machinery gives, a test holds them equal): text,
    #: lists of text, integers.
    _TEXT = frozenset(
        {
            "reference",
            "procedure",
            "applicant_role",
            "state",
            "revocation_kind",
            "applicant_name",
            "fee_reason",
            "letter_reference",
            "exception_reason",
            "outcome_code",
            "cancellation_reason",
        }
    )
    _TEXT_LISTS = frozenset({"pin_kinds", "certificate_kinds", "flags"})
    _INTEGERS = {
        "visit": "visit",
        "fee_yen": "fee_yen",
        "card": "card_id",
        "current_operation": "current_operation_id",
    }

    #: Date and time fields, formatted by the declared field itself (DRF's
    #: ISO 8601 in the city's time zone).
    _FORMATTED = frozenset(
        {"second_visit_deadline", "exception_approved_at", "created_at", "completed_at"}
    )

    def to_representation(self, case: Case) -> dict[str, Any]:
        """DRF's representation, with the plain columns read directly: a page
        of 50 cases spends its time in DRF's generic per-field path otherwise
        (issue 14, ``bench/api.py``). The class's declared fields are read as
        they are (``self.fields`` deep-copies all of them for every answer);
        a field this method does not know goes through DRF's own path."""
        out: dict[str, Any] = {}
        bound: Any = None
        for name, field in self._declared_fields.items():
            if name in self._TEXT:
                value = getattr(case, name)
                out[name] = None if value is None else str(value)
            elif name in self._TEXT_LISTS:
                values = getattr(case, name)
                out[name] = None if values is None else [str(v) for v in values]
            elif name in self._INTEGERS:
                value = getattr(case, self._INTEGERS[name])
                out[name] = None if value is None else int(value)
            elif name in self._FORMATTED:
                value = getattr(case, name)
                out[name] = None if value is None else field.to_representation(value)
            elif name == "state_display":
                out[name] = self.get_state_display(case)
            elif name == "pending_operations":
                out[name] = self.get_pending_operations(case)
            elif name == "office":
                out[name] = case.office.code
            elif name == "resident":
                r = case.resident
                out[name] = {
                    "id": r.pk,
                    "register_id": str(r.register_id),
                    "name": str(r.name),
                    "name_kana": str(r.name_kana),
                    "birth_date": r.birth_date.isoformat(),
                    "registration_status": str(r.registration_status),
                }
            elif name == "history" and isinstance(self, CaseDetailSerializer):
                out[name] = [_history_row(c) for c in case.history.all()]
            else:
                bound = self.fields if bound is None else bound
                try:
                    attribute = bound[name].get_attribute(case)
                except SkipField:
                    continue
                out[name] = (
                    None
                    if attribute is None
                    else bound[name].to_representation(attribute)
                )
        return out

    def get_state_display(self, case: Case) -> str:
        return str(STATE_LABELS.get(case.state, case.state))

    def get_pending_operations(self, case: Case) -> list[dict[str, Any]]:
        pending = getattr(case, "pending_operations", None)
        if pending is None:
            return []
        return [{"kind": kind, "parameters": params} for kind, params in pending()]


class CaseDetailSerializer(CaseSerializer):
    history = HistoryRowSerializer(many=True, source="history.all")


#: The date and time fields of a case answer, formatted by the declared field
#: itself (DRF's ISO 8601 in the city's time zone) off the common path.
_CASE_TIMES: dict[str, Any] = {
    name: CaseSerializer._declared_fields[name]
    for name in (
        "second_visit_deadline",
        "exception_approved_at",
        "created_at",
        "completed_at",
    )
}
_CASE_TIMES["history.at"] = _HISTORY_AT

#: Each state's label as text, per language: a lazy label is translated again
#: on every ``str()``.
_STATE_TEXTS: dict[tuple[str | None, str], str] = {}


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _texts(values: Any) -> list[str] | None:
    return None if values is None else [str(v) for v in values]


def _integer(value: Any) -> int | None:
    return None if value is None else int(value)


def _pending(case: Case) -> list[dict[str, Any]]:
    """As :meth:`CaseSerializer.get_pending_operations`: a procedure without
    card work (no ``pending_operations``) has none."""
    pending = getattr(case, "pending_operations", None)
    if pending is None:
        return []
    return [{"kind": kind, "parameters": params} for kind, params in pending()]


class CaseAnswers:
    """:class:`CaseSerializer`'s and :class:`CaseDetailSerializer`'s answers
    for cases read as rows (counter/selectors/api_cases.py), written out key
    by key in the declared order: no serializer per answer, no resident or
    office instances. What is the same for every answer of a request — the
    language, the time zone, the date format setting — is looked up once.
    ``tests/api/test_case_endpoints_compiled_reads.py`` holds the JSON byte
    for byte equal to the serializers' (and ``test_case_answers_are_byte_for_
    byte_drfs.py`` theirs to DRF's generic path)."""

    def __init__(self) -> None:
        self.language = translation.get_language()
        output = api_settings.DATETIME_FORMAT
        iso = isinstance(output, str) and output.lower() == ISO_8601
        #: The zone DRF's DateTimeField writes an aware time in, when it
        #: writes ISO 8601; None: DRF's own method writes every time.
        self.zone = timezone.get_current_timezone() if iso and settings.USE_TZ else None

    def instant(self, name: str, value: Any) -> Any:
        """What the declared ``DateTimeField`` (no format or time zone of its
        own) writes: ISO 8601 in the current time zone, ``Z`` for UTC; DRF's
        own method (≈ 10 µs a value) for anything else."""
        if value is None:
            return None
        zone = self.zone
        if (
            zone is None
            or not isinstance(value, dt.datetime)
            or value.utcoffset() is None
        ):
            return _CASE_TIMES[name].to_representation(value)
        try:
            text = value.astimezone(zone).isoformat()
        except OverflowError:
            return _CASE_TIMES[name].to_representation(value)
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    def state_text(self, state: str) -> str:
        if state not in STATE_LABELS:
            return str(state)
        key = (self.language, state)
        text = _STATE_TEXTS.get(key)
        if text is None:
            text = _STATE_TEXTS[key] = str(STATE_LABELS[state])
        return text

    def case(self, row: CaseRow) -> dict[str, Any]:
        """:class:`CaseSerializer`'s answer."""
        case = workflow_for(row.case)
        register_id, name, name_kana, birth_date, registration_status = row.resident
        instant = self.instant
        state = case.state  # django-fsm's descriptor: read once
        return {
            "reference": _text(case.reference),
            "procedure": _text(case.procedure),
            "applicant_role": _text(case.applicant_role),
            "state": _text(state),
            "state_display": self.state_text(state),
            "visit": _integer(case.visit),
            "office": row.office_code,
            "resident": {
                "id": case.resident_id,
                "register_id": str(register_id),
                "name": str(name),
                "name_kana": str(name_kana),
                "birth_date": birth_date.isoformat(),
                "registration_status": str(registration_status),
            },
            "card": _integer(case.card_id),
            "pin_kinds": _texts(case.pin_kinds),
            "certificate_kinds": _texts(case.certificate_kinds),
            "revocation_kind": _text(case.revocation_kind),
            "applicant_name": _text(case.applicant_name),
            "fee_yen": _integer(case.fee_yen),
            "fee_reason": _text(case.fee_reason),
            "second_visit_deadline": (
                None
                if case.second_visit_deadline is None
                else _CASE_TIMES["second_visit_deadline"].to_representation(
                    case.second_visit_deadline
                )
            ),
            "letter_reference": _text(case.letter_reference),
            "exception_reason": _text(case.exception_reason),
            "exception_approved_at": instant(
                "exception_approved_at", case.exception_approved_at
            ),
            "flags": _texts(case.flags),
            "outcome_code": _text(case.outcome_code),
            "cancellation_reason": _text(case.cancellation_reason),
            "current_operation": _integer(case.current_operation_id),
            "pending_operations": _pending(case),
            "created_at": instant("created_at", case.created_at),
            "completed_at": instant("completed_at", case.completed_at),
        }

    def detail(self, row: CaseRow, history: list[tuple[Any, ...]]) -> dict[str, Any]:
        """:class:`CaseDetailSerializer`'s answer: the case's, and its status
        changes as ``HISTORY_COLUMNS`` rows (from, to, transition, the user's
        name, the desk's code, when, why)."""
        answer = self.case(row)
        answer["history"] = [
            {
                "from_state": _text(from_state),
                "to_state": _text(to_state),
                "transition": _text(transition),
                "actor": _text(actor),
                "desk": _text(desk),
                "at": self.instant("history.at", at),
                "reason": _text(reason),
            }
            for from_state, to_state, transition, actor, desk, at, reason in history
        ]
        return answer
