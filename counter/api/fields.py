"""Bounded input fields: every value the API accepts fits the column it reaches,
so bad input is a 400 naming the field, never a database error
(docs/security/input-and-desk.md)."""

from __future__ import annotations

from typing import Any

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

#: ``BigAutoField``: the largest row number PostgreSQL can hold.
ROW_ID_MAX = 2**63 - 1
#: A free-text reason or note: longer than any reason a clerk writes, short
#: enough that one request cannot fill the audit trail.
REASON_MAX_LENGTH = 2000
#: More documents than any requirement could use is a typing slip, not a visit
#: (the same bound as the evaluator's endpoint).
MAX_DOCUMENTS = 30
#: An office's code (``Office.code``).
OFFICE_CODE_MAX_LENGTH = 30

#: A reason must say something: at least one character that is not a space.
_SAYS_SOMETHING = RegexValidator(
    r"\S", message=_("Write the reason."), code="reason-required"
)


def row_id(**kwargs: Any) -> serializers.IntegerField:
    """The number of a row (resident, card, desk): positive and within bigint."""
    return serializers.IntegerField(min_value=1, max_value=ROW_ID_MAX, **kwargs)


def optional_text(max_length: int, **kwargs: Any) -> serializers.CharField:
    """Text that may be left out or empty, no longer than its column."""
    return serializers.CharField(
        required=False, default="", allow_blank=True, max_length=max_length, **kwargs
    )


def reason_text(**kwargs: Any) -> serializers.CharField:
    """A reason the service requires: present, not only spaces, bounded."""
    return serializers.CharField(
        max_length=REASON_MAX_LENGTH,
        trim_whitespace=False,
        validators=[_SAYS_SOMETHING],
        error_messages={"blank": _("Write the reason.")},
        **kwargs,
    )


class KeyedChoicesField(serializers.DictField):
    """A mapping whose keys come from a fixed list (``{"signing": "revoked"}``):
    an unknown key is refused with the keys that are known."""

    def __init__(self, *, keys: list[str], **kwargs: Any) -> None:
        self.keys = list(keys)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        value = super().to_internal_value(data)
        unknown = sorted(k for k in value if k not in self.keys)
        if unknown:
            raise serializers.ValidationError(
                _("Unknown key; the known ones are: %(known)s.")
                % {"known": ", ".join(self.keys)}
            )
        return value
