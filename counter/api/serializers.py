"""Output shapes shared by the case endpoints (plain serializers,
docs/reference/style.md §3.13)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from counter.models import Case
from counter.models.cases import CaseState

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

    def get_state_display(self, case: Case) -> str:
        return str(STATE_LABELS.get(case.state, case.state))

    def get_pending_operations(self, case: Case) -> list[dict[str, Any]]:
        pending = getattr(case, "pending_operations", None)
        if pending is None:
            return []
        return [{"kind": kind, "parameters": params} for kind, params in pending()]


class CaseDetailSerializer(CaseSerializer):
    history = HistoryRowSerializer(many=True, source="history.all")
