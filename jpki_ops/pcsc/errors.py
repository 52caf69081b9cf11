"""Typed card errors: one class per thing a clerk can meet at the desk.

Every error carries a stable kebab-case ``code`` (what the desk agent posts to the
server as the failure code) and a lazily translated Japanese message a clerk can
read aloud. Messages and ``extra`` never contain a PIN or a card's data; the
status word is the only card output that may appear in them.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from counter.errors import ApplicationError


def _interpolate(message: Any, values: dict[str, Any]) -> str:
    return str(message) % values


# Keeps the message lazy: translated when shown, not when raised.
interpolate_lazy = lazy(_interpolate, str)


class CardError(ApplicationError):
    """Base class of everything that goes wrong between the agent and the card."""

    default_code = "card-error"
    default_message = _("The card operation failed.")
    status = 409

    def __init__(
        self,
        message: Any = None,
        *,
        code: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(
            code or self.default_code,
            message if message is not None else self.default_message,
            extra=extra,
        )


class PcscUnavailable(CardError):
    """pcscd is not running, or libpcsclite cannot be loaded
    (docs/reference/pcsc-testing.md §8)."""

    default_code = "pcsc-unavailable"
    default_message = _(
        "The smart-card service (pcscd) is not running on this desk's PC. "
        "Ask the operator to start it."
    )
    status = 503


class ReaderNotFound(CardError):
    default_code = "reader-not-found"
    default_message = _(
        "The card reader was not found. Check that it is plugged in to this desk's PC."
    )
    status = 503


class NoCard(CardError):
    default_code = "no-card"
    default_message = _("No card is in the reader. Please insert the card.")


class ReaderBusy(CardError):
    default_code = "reader-busy"
    default_message = _(
        "Another program is using the card reader. Close it and try again."
    )
    status = 503


class CardRemoved(CardError):
    """The card left the reader during an operation
    (docs/reference/pcsc-testing.md §8)."""

    default_code = "card-removed"
    default_message = _(
        "The card was removed during the operation. Insert it again and repeat "
        "the operation from the start."
    )


class WrongPin(CardError):
    """The card refused the PIN and spent a try; ``tries_left`` says how many remain."""

    default_code = "pin-wrong"

    def __init__(self, *, pin_kind: str, tries_left: int) -> None:
        self.pin_kind = pin_kind
        self.tries_left = tries_left
        super().__init__(
            interpolate_lazy(
                _("The PIN is not correct. Tries left: %(tries)d."),
                {"tries": tries_left},
            ),
            extra={"pin_kind": pin_kind, "tries_left": tries_left},
        )


class PinBlocked(CardError):
    """The PIN is locked; only a reset at the counter unlocks it
    (docs/rules/02-certificates-and-pins.md §2, §11)."""

    default_code = "pin-blocked"

    def __init__(self, *, pin_kind: str) -> None:
        self.pin_kind = pin_kind
        super().__init__(
            _(
                "This PIN is locked after too many wrong entries. "
                "It must be reset (initialised) at the counter."
            ),
            extra={"pin_kind": pin_kind, "tries_left": 0},
        )


class SecurityStatusNotSatisfied(CardError):
    """SW 69 82: the card wants a PIN (or issuer authorisation) first."""

    default_code = "security-status-not-satisfied"
    default_message = _(
        "The card refused the command because the required PIN or authorisation "
        "has not been given."
    )


class IssuerAuthorisationRefused(CardError):
    """The card refused the issuer's cryptogram (stale, replayed, another card's)."""

    default_code = "issuer-authorisation-refused"
    default_message = _(
        "The card refused the issuer authorisation (it is stale, was already used, "
        "or belongs to another card). Start the operation again."
    )


class UnexpectedStatus(CardError):
    default_code = "card-unexpected-status"

    def __init__(self, *, sw: int, command: str) -> None:
        self.sw = sw
        super().__init__(
            interpolate_lazy(
                _("The card answered %(command)s with an unexpected status %(sw)s."),
                {"command": command, "sw": f"{sw:04X}"},
            ),
            extra={"sw": f"{sw:04X}", "command": command},
        )


class NotAJpkiCard(CardError):
    default_code = "not-a-jpki-card"
    default_message = _("The card in the reader is not a My Number Card.")


class EmptyFile(CardError):
    """The EF holds nothing: e.g. no certificate after a key generation."""

    default_code = "card-file-empty"
    default_message = _("The card holds no certificate of this kind.")


class CardCommunicationError(CardError):
    default_code = "card-communication-error"
    default_message = _(
        "Communication with the card failed. Take the card out, insert it again "
        "and repeat the operation."
    )
