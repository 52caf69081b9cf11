"""PIN policy checks (§2). Used at the desk before a PIN reaches the card.

The policy is :data:`DEFAULT_POLICIES`, the national rules as data in code, so the
desk agent, which has no database, checks with it. Nothing here stores, logs or
echoes a PIN: error messages say what is wrong with the shape, never the value.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from counter.constants import CardOperationKind, PinKind, Procedure
from counter.errors import ApplicationError

DIGITS = frozenset(string.digits)
UPPER = frozenset(string.ascii_uppercase)


@dataclass(frozen=True)
class PinRules:
    kind: str
    min_length: int
    max_length: int
    alphabet: str  # "digits" or "upper_alnum"
    require_letter: bool
    require_digit: bool
    max_attempts: int


DEFAULT_POLICIES: dict[str, PinRules] = {
    PinKind.SIGNING: PinRules(PinKind.SIGNING, 6, 16, "upper_alnum", True, True, 5),
    PinKind.AUTHENTICATION: PinRules(
        PinKind.AUTHENTICATION, 4, 4, "digits", False, False, 3
    ),
    PinKind.RESIDENT_REGISTER: PinRules(
        PinKind.RESIDENT_REGISTER, 4, 4, "digits", False, False, 3
    ),
    PinKind.CARD_INFO: PinRules(PinKind.CARD_INFO, 4, 4, "digits", False, False, 3),
}


class PinFormatError(ApplicationError):
    """A proposed PIN has the wrong shape; the message never contains the PIN."""


def validate_pin_format(value: str, rules: PinRules) -> None:
    """Raise :class:`PinFormatError` naming the first way ``value`` is wrong."""
    extra = {"pin_kind": rules.kind}
    if not value:
        raise PinFormatError("pin-empty", _("Enter the PIN."), extra=extra)
    if any(ch in "０１２３４５６７８９" or "Ａ" <= ch <= "ｚ" for ch in value):
        raise PinFormatError(
            "pin-full-width",
            _("Use half-width characters for the PIN, not full-width ones."),
            extra=extra,
        )
    if rules.alphabet == "digits":
        if not set(value) <= DIGITS:
            raise PinFormatError(
                "pin-not-digits",
                _("This PIN is %(n)d digits (0–9) only.") % {"n": rules.max_length},
                extra=extra,
            )
    else:
        if any(ch in string.ascii_lowercase for ch in value):
            raise PinFormatError(
                "pin-lowercase",
                _("Use capital letters A–Z; small letters cannot be used."),
                extra=extra,
            )
        if not set(value) <= (UPPER | DIGITS):
            raise PinFormatError(
                "pin-invalid-character",
                _("Only capital letters A–Z and digits 0–9 can be used."),
                extra=extra,
            )
    if len(value) < rules.min_length or len(value) > rules.max_length:
        if rules.min_length == rules.max_length:
            message = _("The PIN must be exactly %(n)d digits.") % {
                "n": rules.min_length
            }
        else:
            template = (
                _("The password is too short: use %(min)d to %(max)d characters.")
                if len(value) < rules.min_length
                else _("The password is too long: use %(min)d to %(max)d characters.")
            )
            message = template % {"min": rules.min_length, "max": rules.max_length}
        code = "pin-too-short" if len(value) < rules.min_length else "pin-too-long"
        raise PinFormatError(code, message, extra=extra)
    if rules.require_letter and not set(value) & UPPER:
        raise PinFormatError(
            "pin-needs-letter",
            _("The password needs at least one letter (A–Z)."),
            extra=extra,
        )
    if rules.require_digit and not set(value) & DIGITS:
        raise PinFormatError(
            "pin-needs-digit",
            _("The password needs at least one digit (0–9)."),
            extra=extra,
        )


def validate_pin_proposal(kind: str, value: str, rules: PinRules | None = None) -> None:
    """Check a proposed new PIN of ``kind`` before it goes to the card."""
    validate_pin_format(value, rules or DEFAULT_POLICIES[kind])


# §6.4: the PINs are named in one order everywhere (the
# answer sheet's lines, the card step, the check between them).
PIN_ORDER: tuple[str, ...] = (
    PinKind.AUTHENTICATION,
    PinKind.RESIDENT_REGISTER,
    PinKind.CARD_INFO,
    PinKind.SIGNING,
)


def _in_order(kinds: Iterable[str]) -> tuple[str, ...]:
    wanted = set(kinds)
    return tuple(str(k) for k in PIN_ORDER if k in wanted)


def visit_two_pins(
    procedure: str,
    *,
    pin_kinds: Iterable[str] = (),
    certificate_kinds: Iterable[str] = (),
    without_card: bool = False,
) -> tuple[str, ...]:
    """Which PINs visit 2 of ``procedure`` asks the holder for (§6.4).

    The one answer both the answer sheet (its PIN boxes) and the card step
    follow: a PIN change or reset asks the PINs the case names; a new
    certificate the PIN set with it (the signing password, the 4-digit
    user-authentication PIN), §6.3;
    a revocation request and lifting a suspension the resident-register PIN that
    confirms the card (§9, §10), whatever the case recorded; a procedure without
    card work (a lost card's revocation notification) none.
    """
    if without_card:
        return ()
    if procedure in (Procedure.PIN_CHANGE, Procedure.PIN_RESET):
        return _in_order(pin_kinds)
    if procedure in (Procedure.CERT_ISSUE, Procedure.CERT_RENEW):
        return _in_order(certificate_kinds)
    if procedure in (Procedure.CERT_REVOKE, Procedure.SUSPENSION_LIFT):
        return (PinKind.RESIDENT_REGISTER.value,)
    return ()


def pins_asked(kind: str, parameters: Mapping[str, Any]) -> tuple[str, ...]:
    """The PINs one card operation asks on the desk's PIN pad.

    A certificate written onto the card comes with the PIN of its key (§6.3);
    a reset that only unblocks asks none.
    """
    if kind in (CardOperationKind.PIN_VERIFY, CardOperationKind.PIN_CHANGE):
        return _in_order([parameters.get("pin_kind", "")])
    if kind == CardOperationKind.PIN_RESET:
        unblock = parameters.get("unblock_only")
        return () if unblock else _in_order([parameters.get("pin_kind", "")])
    if kind in (CardOperationKind.CERT_ISSUE, CardOperationKind.SIGN_TEST):
        return _in_order([parameters.get("certificate_kind", "")])
    if kind == CardOperationKind.READ_BASIC_ITEMS:
        return (PinKind.CARD_INFO.value,)
    return ()


def pins_asked_by(
    operations: Iterable[tuple[str, Mapping[str, Any]]],
) -> tuple[str, ...]:
    """Every PIN a list of card operations asks, each once, in :data:`PIN_ORDER`."""
    return _in_order(k for kind, params in operations for k in pins_asked(kind, params))


def case_visit_two_pins(case: Any) -> tuple[str, ...]:
    """:func:`visit_two_pins` for a case, from what the case recorded."""
    return visit_two_pins(
        case.procedure,
        pin_kinds=case.pin_kinds or (),
        certificate_kinds=case.certificate_kinds or (),
        without_card=case.revocation_kind == "notification",
    )
