"""The fixed vocabulary of failures a desk agent may report.

The agent posts a code; the server writes its own message for it. Free text from
the agent is never stored, so a faulty agent cannot put a PIN (or anything else)
into the record through a message.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from counter.errors import ApplicationError
from jpki_ops.pcsc import errors

#: The server's refusals of a card before any PIN (.identity).
REFUSALS: dict[str, Any] = {
    "card-not-holders": _(
        "This card belongs to someone else. Check the card in the reader."
    ),
    "card-unknown-to-issuer": _(
        "The issuer does not know the certificates on this card, so it cannot be "
        "confirmed as this resident's card. Nothing was done to the card."
    ),
    "card-without-certificates-unknown": _(
        "This card holds no certificate and is not the card recorded for this "
        "resident. Nothing was done to the card."
    ),
    "card-identity-unrecorded": _(
        "No record identifies this resident's card (no key fingerprint, no "
        "manufacture number), so the card in the reader cannot be confirmed. "
        "Ask the supervisor to record the card before any card work."
    ),
    "card-identity-unreadable": _(
        "The card in the reader could not be identified. Insert it again."
    ),
}

_AGENT_ONLY: dict[str, Any] = {
    "pin-entry-cancelled": _("The PIN entry was cancelled on the PIN pad."),
    "pin-entry-timeout": _("Nobody entered the PIN in time."),
    "pin-last-try-unconfirmed": _(
        "Only one try is left for this PIN; a wrong entry locks it. Warn the "
        "resident and request the operation again with the last try confirmed."
    ),
    "card-swapped": _(
        "The card in the reader was changed during the operation. Nothing more was "
        "done; put the resident's card back and start again."
    ),
    "card-operation-unsupported": _("This desk agent cannot run that card operation."),
    "agent-internal-error": errors.CardError.default_message,
}
#: Codes the server itself answered the agent with, which the agent passes back.
_SERVER_REFUSALS: dict[str, Any] = {
    code: _("The server refused the card operation's outcome; request it again.")
    for code in (
        "card-operation-wrong-kind",
        "certificate-already-issued",
        "certificate-needs-case",
        "certificate-needs-validity",
        "certificate-not-on-card",
        "issuer-authorisation-bad-request",
        "issuer-authorisation-not-allowed",
        "issuer-authorisation-other-card",
        "issuer-authorisation-wrong-certificate",
        "issuer-public-key-refused",
        "card-operation-bad-result",
        "card-operation-secret-refused",
    )
}


def _card_errors() -> dict[str, Any]:
    found: dict[str, Any] = {}
    pending: list[type[errors.CardError]] = [errors.CardError]
    while pending:
        cls = pending.pop()
        found.setdefault(cls.default_code, cls.default_message)
        pending.extend(cls.__subclasses__())
    return found


def failure_message(code: str, extra: dict[str, Any]) -> str:
    """The server's own message for an agent-reported ``code``; unknown → refused."""
    if code == "pin-wrong" and isinstance(extra.get("tries_left"), int):
        return str(errors.WrongPin(pin_kind="", tries_left=extra["tries_left"]).message)
    if code == "pin-blocked":
        return str(errors.PinBlocked(pin_kind="").message)
    vocabulary = {**_card_errors(), **_AGENT_ONLY, **_SERVER_REFUSALS, **REFUSALS}
    if code not in vocabulary:
        raise ApplicationError(
            "card-operation-bad-failure-code",
            _("The desk agent reported a failure this server does not know."),
            extra={"code": code[:60]},
        )
    return str(vocabulary[code])


def failure_codes() -> list[str]:
    """Every code :func:`failure_message` knows: what the API's schema offers."""
    return sorted(
        {"pin-wrong", "pin-blocked"}
        | set(_card_errors())
        | set(_AGENT_ONLY)
        | set(_SERVER_REFUSALS)
        | set(REFUSALS)
    )
