"""What may cross the wire between the clerk's screen, the server and the desk agent.

Parameters, progress and results are checked against allow-lists, so a PIN cannot
be smuggled in as a parameter (docs/reference/architecture.md: the server never receives
a PIN).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from counter.constants import CertificateKind, PinKind
from counter.errors import ApplicationError
from jpki_ops.models import CardOperationKind as Kind

# What a request may carry, per kind. Anything else is refused, so a PIN cannot be
# smuggled in as a parameter (docs/reference/architecture.md: the server never receives
# a PIN).
# Every kind may name the card it expects (``expected_card_fingerprint``, the
# SHA-256 of its user-authentication public key, not a secret): the agent checks
# it before anything changes on the card. Kinds that may ask for a PIN take
# ``confirm_last_try`` (docs/rules/02-certificates-and-pins.md §2).
EXPECTED_CARD = "expected_card_fingerprint"
PARAMETERS: dict[str, frozenset[str]] = {
    Kind.READ_CARD: frozenset(
        {"read_signing_certificate", "confirm_last_try", EXPECTED_CARD}
    ),
    Kind.PIN_STATUS: frozenset({"pin_kinds", EXPECTED_CARD}),
    Kind.PIN_VERIFY: frozenset({"pin_kind", "confirm_last_try", EXPECTED_CARD}),
    Kind.PIN_CHANGE: frozenset({"pin_kind", "confirm_last_try", EXPECTED_CARD}),
    Kind.PIN_RESET: frozenset({"pin_kind", "unblock_only", EXPECTED_CARD}),
    Kind.CERT_ISSUE: frozenset(
        {"certificate_kind", "not_after", "confirm_last_try", EXPECTED_CARD}
    ),
    Kind.SIGN_TEST: frozenset({"certificate_kind", "confirm_last_try", EXPECTED_CARD}),
    Kind.READ_BASIC_ITEMS: frozenset({"confirm_last_try", EXPECTED_CARD}),
}
# Result keys an agent may report; values are checked for secrets below.
RESULT_KEYS = frozenset(
    {
        "token",
        "card_fingerprint",
        "card_fingerprint_after",
        "pins",
        "tries_left",
        "pin_kind",
        "certificate_kind",
        "certificate_serial",
        "certificate_not_after",
        "certificate_fingerprint",
        "certificates",
        "signature_valid",
        "basic_items_read",
        "basic_items",
        "unblock_only",
        "resumed",
    }
)
PROGRESS_KEYS = frozenset(
    {"stage", "pin_kind", "tries_left", "max_tries", "last_try", "card_match"}
)
FORBIDDEN_KEYS = frozenset(
    {"pin", "new_pin", "current_pin", "password", "value", "individual_number"}
)

REQUEST_TIMEOUT = dt.timedelta(
    seconds=getattr(settings, "JPKI_CARD_OPERATION_REQUEST_TIMEOUT", 600)
)
RUN_TIMEOUT = dt.timedelta(
    seconds=getattr(settings, "JPKI_CARD_OPERATION_RUN_TIMEOUT", 900)
)


# A request no agent claimed within this time expires: it is never run later on
# whatever card is in the reader by then
# (docs/adr/0006-card-identity-before-any-pin.md).
def claim_limit() -> dt.timedelta:
    """``JPKI_CARD_OPERATION_CLAIM_LIMIT`` seconds (default 120), read when used."""
    return dt.timedelta(
        seconds=getattr(settings, "JPKI_CARD_OPERATION_CLAIM_LIMIT", 120)
    )


def check_no_secrets(data: Any, *, where: str) -> None:
    """Refuse PIN-shaped keys anywhere in a JSON document (defence in depth)."""
    if isinstance(data, Mapping):
        for key, value in data.items():
            if str(key).lower() in FORBIDDEN_KEYS:
                raise ApplicationError(
                    "card-operation-secret-refused",
                    _("A PIN or secret must never be sent to the server."),
                    extra={"where": where, "key": str(key)},
                )
            check_no_secrets(value, where=where)
    elif isinstance(data, list | tuple):
        for item in data:
            check_no_secrets(item, where=where)


def is_fingerprint(value: Any) -> bool:
    return (
        isinstance(value, str)
        and len(value) == 64
        and all(c in "0123456789abcdef" for c in value)
    )


def validate_parameters(kind: str, parameters: dict[str, Any]) -> dict[str, Any]:
    check_no_secrets(parameters, where="parameters")
    unknown = set(parameters) - PARAMETERS[kind]
    if unknown:
        raise ApplicationError(
            "card-operation-bad-parameters",
            _("This card operation does not take these parameters."),
            extra={"unknown": sorted(unknown)},
        )
    expected = parameters.get(EXPECTED_CARD)
    if expected is not None and not is_fingerprint(expected):
        raise ApplicationError(
            "card-operation-bad-parameters",
            _("The expected card fingerprint is not a SHA-256 value."),
            extra={"key": EXPECTED_CARD},
        )
    pin_kind = parameters.get("pin_kind")
    if kind in (Kind.PIN_VERIFY, Kind.PIN_CHANGE, Kind.PIN_RESET) and (
        pin_kind not in PinKind.values
    ):
        raise ApplicationError(
            "card-operation-bad-pin-kind",
            _("Choose which of the four PINs this operation is for."),
            extra={"pin_kind": pin_kind},
        )
    for pk in parameters.get("pin_kinds", []):
        if pk not in PinKind.values:
            raise ApplicationError(
                "card-operation-bad-pin-kind",
                _("Choose which of the four PINs this operation is for."),
                extra={"pin_kind": pk},
            )
    if kind in (Kind.CERT_ISSUE, Kind.SIGN_TEST) and (
        parameters.get("certificate_kind") not in CertificateKind.values
    ):
        raise ApplicationError(
            "card-operation-bad-certificate-kind",
            _("Choose the signing or the user-authentication certificate."),
        )
    return dict(parameters)
