"""Input and output of the document endpoints; input errors are field-level 400s."""

from __future__ import annotations

from collections.abc import Container
from datetime import date, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from identity_docs.constants import DOCUMENT_PROCEDURES, ApplicantRole, Fact, Owner
from identity_docs.evaluator import Evaluation
from identity_docs.models import IdentityDocumentKind

#: More documents than any requirement could use is a typing slip, not a visit.
MAX_DOCUMENTS = 30
#: JPKI certificates are issued by J-LIS since 2016; earlier dates are slips too.
EARLIEST_VISIT = date(2016, 1, 1)
EARLIEST_DOCUMENT = date(1900, 1, 1)


class ConstraintsSerializer(serializers.Serializer):
    issued_on_or_after = serializers.DateField(allow_null=True)
    has_expiry = serializers.BooleanField()
    expiry_required = serializers.BooleanField()
    max_age_months = serializers.IntegerField(allow_null=True)
    accepted = serializers.BooleanField()
    public_issuer = serializers.BooleanField()


class DocumentKindOutput(serializers.Serializer):
    code = serializers.CharField()
    name_ja = serializers.CharField()
    name_en = serializers.CharField()
    document_class = serializers.CharField()
    photo = serializers.BooleanField()
    constraints = ConstraintsSerializer()


class KnownCodes:
    """The document codes the catalogue table holds, as ``validate_code`` asks:
    a code of the city's catalogue (``catalogue``, checked fresh by the caller)
    is in the table; any other is looked up in the table, once per request."""

    def __init__(self, catalogue: Container[str] | None = None) -> None:
        self._catalogue: Container[str] = catalogue or ()
        self._table: set[str] | None = None

    def __contains__(self, code: object) -> bool:
        if code in self._catalogue:
            return True
        if self._table is None:
            self._table = set(
                IdentityDocumentKind.objects.values_list("code", flat=True)
            )
        return code in self._table


class PresentedDocumentInput(serializers.Serializer):
    code = serializers.CharField(max_length=60)
    owner = serializers.ChoiceField(choices=Owner.choices, default=Owner.HOLDER)
    original = serializers.BooleanField(default=True)
    issued_on = serializers.DateField(required=False, allow_null=True, default=None)
    expires_on = serializers.DateField(required=False, allow_null=True, default=None)
    sealed = serializers.BooleanField(required=False, allow_null=True, default=None)

    def validate_code(self, value: str) -> str:
        known: Container[str] | None = self.context.get("known_codes")
        if known is None:  # read once per request, not once per document
            known = self.context["known_codes"] = KnownCodes()
        if value not in known:
            raise serializers.ValidationError(
                _("Unknown document code: %(code)s.") % {"code": value}
            )
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        issued, expires = attrs.get("issued_on"), attrs.get("expires_on")
        if issued is not None and issued < EARLIEST_DOCUMENT:
            raise serializers.ValidationError(
                {"issued_on": _("The issue date is not a plausible date.")}
            )
        if issued and expires and expires < issued:
            raise serializers.ValidationError(
                {"expires_on": _("The expiry date is before the issue date.")}
            )
        return attrs


class FactsInput(serializers.Serializer):
    authority_confirmed_in_records = serializers.BooleanField(
        default=False, help_text=str(Fact.AUTHORITY_CONFIRMED_IN_RECORDS.label)
    )
    resident_pin_unknown = serializers.BooleanField(
        default=False, help_text=str(Fact.RESIDENT_PIN_UNKNOWN.label)
    )
    jlis_answer_sheet = serializers.BooleanField(
        default=False, help_text=str(Fact.JLIS_ANSWER_SHEET.label)
    )


class EvaluateInput(serializers.Serializer):
    procedure = serializers.ChoiceField(choices=list(DOCUMENT_PROCEDURES))
    applicant_role = serializers.ChoiceField(choices=ApplicantRole.choices)
    visit = serializers.IntegerField(min_value=1, max_value=2)
    on_date = serializers.DateField(required=False)
    documents = serializers.ListField(
        child=PresentedDocumentInput(), max_length=MAX_DOCUMENTS
    )
    facts = FactsInput(required=False)
    municipality = serializers.RegexField(
        r"^\d{6}$",
        required=False,
        help_text="Local government code; only for operators without a municipality.",
    )

    def validate_on_date(self, value: date) -> date:
        today = timezone.localdate()
        if not EARLIEST_VISIT <= value <= today + timedelta(days=366):
            raise serializers.ValidationError(
                _("The date must be between 2016-01-01 and one year from today.")
            )
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs.setdefault("on_date", timezone.localdate())
        errors: dict[str, Any] = {}
        for index, doc in enumerate(attrs["documents"]):
            if doc.get("issued_on") and doc["issued_on"] > attrs["on_date"]:
                errors[str(index)] = {
                    "issued_on": [_("The issue date is after the visit date.")]
                }
        if errors:
            raise serializers.ValidationError({"documents": errors})
        return attrs


class MissingOutput(serializers.Serializer):
    rule = serializers.CharField()
    message_ja = serializers.CharField()
    message_en = serializers.CharField()


class RejectedOutput(serializers.Serializer):
    code = serializers.CharField()
    reason = serializers.CharField()
    message_ja = serializers.CharField()
    message_en = serializers.CharField()


class EvaluateOutput(serializers.Serializer):
    satisfied = serializers.BooleanField()
    missing = MissingOutput(many=True)
    used = serializers.ListField(child=serializers.CharField())
    rejected = RejectedOutput(many=True)
    waived = serializers.ListField(child=serializers.CharField())
    met = serializers.ListField(child=serializers.CharField())


def evaluation_answer(result: Evaluation) -> dict[str, Any]:
    """:class:`EvaluateOutput`'s answer written field by field (DRF's generic
    path was a tenth of the endpoint's own work; issue 14). A test holds the
    bytes equal to DRF's."""
    return {
        "satisfied": bool(result.satisfied),
        "missing": [
            {
                "rule": str(m.rule),
                "message_ja": str(m.message_ja),
                "message_en": str(m.message_en),
            }
            for m in result.missing
        ],
        "used": [str(code) for code in result.used],
        "rejected": [
            {
                "code": str(r.code),
                "reason": str(r.reason),
                "message_ja": str(r.message_ja),
                "message_en": str(r.message_en),
            }
            for r in result.rejected
        ],
        "waived": [str(rule) for rule in result.waived],
        "met": [str(rule) for rule in result.met],
    }
