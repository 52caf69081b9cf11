"""The OpenAPI schema names every answer an operation can give, errors included
(docs/security/input-and-desk.md): a client generated from it, and the fuzz test
in tests/fuzz, see no status the schema does not document."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes
from rest_framework import serializers

from .fields import KeyedChoicesField


class ErrorSerializer(serializers.Serializer):
    """``{"code", "message", "extra"}``: every refusal and failure of the API."""

    class Meta:
        ref_name = "Error"

    code = serializers.CharField(help_text="Stable kebab-case code")
    message = serializers.CharField(help_text="A sentence a clerk can read aloud")
    extra = serializers.DictField(
        help_text="Details; for invalid input ``fields`` maps each field to its "
        "messages"
    )


#: The statuses any operation may answer besides its own success.
ERROR_STATUSES: dict[str, str] = {
    "400": "Invalid input: ``extra.fields`` names each field and its message.",
    "401": "Not signed in (or the credential is not valid).",
    "403": "Signed in, but not allowed to do this.",
    "404": "No such object within the user's municipality and office.",
    "405": "The operation does not accept this method.",
    "406": "The client asked for a representation other than JSON.",
    "409": "The object changed under the request (another clerk, a later step).",
    "415": "The request body is not JSON, form or multipart data.",
    "429": "Too many requests; try again after ``Retry-After`` seconds.",
    "500": "An error on the server; it was logged, nothing was changed.",
    "503": "The database or the task queue cannot be reached.",
}


class ErrorDocumentingAutoSchema(AutoSchema):
    """drf-spectacular's schema with the error statuses added to every operation."""

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        bodies: dict[str, Any] = super()._get_response_bodies(direction)
        if direction != "response":
            return bodies
        for code, description in ERROR_STATUSES.items():
            if code not in bodies:
                body = self._get_response_for_code(ErrorSerializer, code)
                body["description"] = description
                bodies[code] = body
        return bodies


class KeyedChoicesFieldExtension(OpenApiSerializerFieldExtension):
    """A :class:`KeyedChoicesField` is an object with only its known keys."""

    target_class = KeyedChoicesField
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> Any:
        field: KeyedChoicesField = self.target
        value = auto_schema._map_serializer_field(field.child, direction)
        schema: dict[str, Any] = dict(build_basic_type(OpenApiTypes.OBJECT) or {})
        schema["properties"] = {key: value for key in field.keys}
        schema["additionalProperties"] = False
        return schema
