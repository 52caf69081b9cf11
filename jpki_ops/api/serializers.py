"""What the desk agent may send, described exactly (issue 11 item 6): each field
has the pattern, bounds and choices the server checks, so the OpenAPI schema
calls valid precisely what the views accept. Formats a pattern can say (hex,
base64, date-time) are in the schema; a refusal the schema cannot say (a PIN-shaped
key, a key that does not parse) answers 409, never 400, and is documented.

A :class:`StrictSerializer` refuses fields it does not know (400), and its schema
says ``additionalProperties: false``.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from counter.constants import CertificateKind, PinKind
from jpki_ops.services.failures import failure_codes

#: The agent names its run ``<host name>:<16 hex>`` (jpki_ops.agent.main).
AGENT_SESSION_PATTERN = r"^[A-Za-z0-9._:-]{1,100}$"
HEX_SHA256 = r"^[0-9a-f]{64}$"
HEX_SERIAL = r"^[0-9A-Fa-f]{1,40}$"
#: Canonical base64 (RFC 4648 §4, padded), as ``base64.b64decode(validate=True)``
#: reads it.
BASE64 = r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"
CARD_ID = r"^[A-Za-z0-9-]{1,32}$"
CODE = r"^[a-z0-9-]{1,60}$"
#: Free text: anything but NUL, which PostgreSQL cannot store (Django refuses it).
TEXT = r"^[^\x00]*$"


class StrictSerializer(serializers.Serializer):
    """Unknown fields are refused, not dropped: an agent of another version
    should fail loudly."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: ["This field is not accepted."] for name in unknown}
                )
        return super().to_internal_value(data)


class StrictSerializerExtension(OpenApiSerializerExtension):  # type: ignore[misc]
    target_class = "jpki_ops.api.serializers.StrictSerializer"
    match_subclasses = True

    def map_serializer(self, auto_schema: Any, direction: Any) -> Any:
        schema = auto_schema._map_basic_serializer(self.target, direction)
        schema["additionalProperties"] = False
        return schema


class HexField(serializers.RegexField):
    """Hex text of whole bytes in, bytes out; ``min_bytes`` .. ``max_bytes``."""

    def __init__(self, *, min_bytes: int, max_bytes: int, **kwargs: Any) -> None:
        super().__init__(
            rf"^(?:[0-9A-Fa-f]{{2}}){{{min_bytes},{max_bytes}}}$", **kwargs
        )

    def run_validation(self, data: Any = serializers.empty) -> Any:
        text = super().run_validation(data)  # the pattern checks the text
        return text if text is None else bytes.fromhex(text)


class DateTimeText(serializers.DateTimeField):
    """An ISO 8601 date-time, checked and kept as the text that was sent (the
    result is stored as JSON)."""

    def to_internal_value(self, value: Any) -> str:  # type: ignore[override]
        super().to_internal_value(value)
        return str(value)


PIN_KINDS = PinKind.choices
CERTIFICATE_KINDS = CertificateKind.choices


@extend_schema_serializer(component_name="DeskPinStatus")
class PinStatusSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=PIN_KINDS)
    tries_left = serializers.IntegerField(min_value=0, max_value=15)
    max_tries = serializers.IntegerField(min_value=0, max_value=15)
    blocked = serializers.BooleanField()
    last_try = serializers.BooleanField()


@extend_schema_serializer(component_name="DeskPins")
class PinsSerializer(StrictSerializer):
    signing = PinStatusSerializer(required=False)
    authentication = PinStatusSerializer(required=False)
    resident_register = PinStatusSerializer(required=False)
    card_info = PinStatusSerializer(required=False)


@extend_schema_serializer(component_name="DeskCertificateSummary")
class CertificateSummarySerializer(StrictSerializer):
    fingerprint = serializers.RegexField(HEX_SHA256)
    not_after = DateTimeText()
    issuer = serializers.RegexField(TEXT, max_length=500, trim_whitespace=False)
    serial = serializers.RegexField(HEX_SERIAL, required=False)


@extend_schema_serializer(component_name="DeskCertificates")
class CertificatesSerializer(StrictSerializer):
    authentication = CertificateSummarySerializer(required=False)
    authentication_ca = CertificateSummarySerializer(required=False)
    signing = CertificateSummarySerializer(required=False)
    signing_ca = CertificateSummarySerializer(required=False)


@extend_schema_serializer(component_name="DeskBasicItems")
class BasicItemsSerializer(StrictSerializer):
    """The four basic items as the card holds them (they go to the case, which
    compares them with the register)."""

    name = serializers.RegexField(
        TEXT, max_length=200, allow_blank=True, trim_whitespace=False
    )
    address = serializers.RegexField(
        TEXT, max_length=500, allow_blank=True, trim_whitespace=False
    )
    birth_date = serializers.RegexField(
        TEXT, max_length=20, allow_blank=True, trim_whitespace=False
    )
    sex = serializers.RegexField(
        TEXT, max_length=10, allow_blank=True, trim_whitespace=False
    )


@extend_schema_serializer(component_name="DeskOperationResult")
class ResultSerializer(StrictSerializer):
    """Every key of ``jpki_ops.services.rules.RESULT_KEYS``, typed."""

    token = serializers.RegexField(
        TEXT, max_length=64, required=False, allow_blank=True, trim_whitespace=False
    )
    card_fingerprint = serializers.RegexField(HEX_SHA256, required=False)
    card_fingerprint_after = serializers.RegexField(HEX_SHA256, required=False)
    pins = PinsSerializer(required=False)
    tries_left = serializers.IntegerField(min_value=0, max_value=15, required=False)
    pin_kind = serializers.ChoiceField(choices=PIN_KINDS, required=False)
    certificate_kind = serializers.ChoiceField(
        choices=CERTIFICATE_KINDS, required=False
    )
    certificate_serial = serializers.RegexField(HEX_SERIAL, required=False)
    certificate_not_after = DateTimeText(required=False)
    certificate_fingerprint = serializers.RegexField(HEX_SHA256, required=False)
    certificates = CertificatesSerializer(required=False)
    signature_valid = serializers.BooleanField(required=False)
    basic_items_read = serializers.BooleanField(required=False)
    basic_items = BasicItemsSerializer(required=False)
    unblock_only = serializers.BooleanField(required=False)
    resumed = serializers.BooleanField(required=False)


@extend_schema_serializer(component_name="DeskResultInput")
class ResultInputSerializer(StrictSerializer):
    result = ResultSerializer()


@extend_schema_serializer(component_name="DeskProgressInput")
class ProgressInputSerializer(StrictSerializer):
    stage = serializers.ChoiceField(
        choices=[
            "card",
            "identifying",
            "awaiting_pin",
            "pin_refused",
            "card_io",
            "issuer",
        ],
        required=False,
    )
    card_match = serializers.ChoiceField(
        choices=["recorded-fingerprint", "issuer-record", "manufacture-id", "no-case"],
        required=False,
    )
    refusal_code = serializers.RegexField(CODE, required=False)
    pin_kind = serializers.ChoiceField(choices=PIN_KINDS, required=False)
    tries_left = serializers.IntegerField(required=False, min_value=0, max_value=15)
    max_tries = serializers.IntegerField(required=False, min_value=0, max_value=15)
    last_try = serializers.BooleanField(required=False)


@extend_schema_serializer(component_name="DeskAuthoriseCommand")
class AuthoriseCommandSerializer(StrictSerializer):
    ins = serializers.IntegerField(min_value=0, max_value=255)
    p1 = serializers.IntegerField(min_value=0, max_value=255)
    p2 = serializers.IntegerField(min_value=0, max_value=255)
    data_sha256 = HexField(min_bytes=32, max_bytes=32, required=False, allow_null=True)


@extend_schema_serializer(component_name="DeskAuthoriseInput")
class AuthoriseInputSerializer(StrictSerializer):
    card_id = serializers.RegexField(CARD_ID)
    challenge = HexField(min_bytes=4, max_bytes=128, help_text="hex")
    command = AuthoriseCommandSerializer()


@extend_schema_serializer(component_name="DeskCertificateInput")
class CertificateInputSerializer(StrictSerializer):
    card_id = serializers.RegexField(CARD_ID)
    public_key = serializers.RegexField(
        BASE64,
        min_length=4,
        max_length=4096,
        help_text="DER SubjectPublicKeyInfo, base64",
    )


@extend_schema_serializer(component_name="DeskFailureInput")
class FailureInputSerializer(serializers.Serializer):
    """A failure from the server's fixed vocabulary; the agent's ``message`` is
    never stored (the server writes its own for the code)."""

    code = serializers.ChoiceField(choices=failure_codes())
    message = serializers.RegexField(
        TEXT, max_length=500, allow_blank=True, trim_whitespace=False
    )
    extra = serializers.DictField(required=False)
