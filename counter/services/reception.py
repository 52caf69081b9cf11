"""Reception checks (受付): may this case be opened here, now, for this person?

Each check raises an :class:`ApplicationError` with the exact reason, in the
order a clerk would ask: is the person registered in this city (§1), is the
counter open for this procedure now (§16), is the card theirs and usable, may
this applicant act (§6, §7), does the procedure make sense for the card's
certificates (§3, §9, §10, §13).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils.translation import gettext_lazy as _

from counter.calendar import counter_status
from counter.constants import (
    ApplicantRole,
    CardKind,
    CardStatus,
    CertificateKind,
    CertificateStatus,
    PinKind,
    Procedure,
    RegistrationStatus,
)
from counter.errors import ApplicationError, PermissionDenied
from counter.models import Card, Office, Resident
from counter.models.cases import RevocationKind
from counter.validity import renewal_window_opens
from counter.workflows.legal_representative import (
    Refusal,
    needs_legal_representative,
    role_refusal,
)

CERTIFICATE_PROCEDURES = (
    Procedure.CERT_ISSUE,
    Procedure.CERT_RENEW,
    Procedure.CERT_REVOKE,
)
PIN_PROCEDURES = (Procedure.PIN_CHANGE, Procedure.PIN_RESET)
#: §9.1: the issuer is asked about the card before these decisions.
ISSUER_CHECKED_PROCEDURES = (
    *CERTIFICATE_PROCEDURES,
    *PIN_PROCEDURES,
    Procedure.SUSPENSION_LIFT,
)

_NOT_REGISTERED = {
    RegistrationStatus.MOVED_OUT: (
        "resident-moved-out",
        _(
            "This person has moved out of the city; only residents registered here "
            "are served. They apply at their new municipality."
        ),
    ),
    RegistrationStatus.DECEASED: (
        "resident-deceased",
        _("The resident register records this person as deceased."),
    ),
    RegistrationStatus.NOT_REGISTERED: (
        "resident-not-registered",
        _("This person is not registered in this city's resident register."),
    ),
}


def check_registered(*, resident: Resident, office: Office) -> None:
    """§1: only the municipality whose register holds the person serves them."""
    if resident.municipality_id != office.municipality_id:
        raise ApplicationError(
            "resident-not-registered",
            _("This person is not registered in this city's resident register."),
        )
    if not resident.is_registered:
        code, message = _NOT_REGISTERED[
            RegistrationStatus(resident.registration_status)
        ]
        raise ApplicationError(code, message)


def check_open(*, office: Office, procedure: str, at: dt.datetime | None) -> None:
    """§16: hours per office and per procedure, holidays, the year-end closure."""
    status = counter_status(office=office, at=at, procedure=procedure)
    if not status.open:
        raise ApplicationError(
            "counter-closed",
            status.message,
            extra={"reason": status.code},
        )


def check_card(
    *,
    card: Card | None,
    resident: Resident,
    procedure: str,
    revocation_kind: str,
    on: dt.date,
) -> Card:
    """The card belongs to the resident and its state allows the procedure."""
    if card is None:
        raise ApplicationError("card-missing", _("Choose the resident's card."))
    if card.resident_id != resident.pk:
        raise PermissionDenied(
            "card-not-holders",
            _("This card belongs to someone else, not to the resident of this case."),
        )
    if card.status == CardStatus.ABOLISHED:
        # §8.6: an abolished card cannot be un-suspended or used again.
        raise ApplicationError(
            "card-abolished",
            _("This card has been abolished; apply for a re-issued card instead."),
        )
    if procedure == Procedure.SUSPENSION_LIFT:
        if card.status != CardStatus.SUSPENDED:
            raise ApplicationError(
                "card-not-suspended", _("This card is not suspended.")
            )
        return card
    if (
        procedure == Procedure.CERT_REVOKE
        and revocation_kind == RevocationKind.NOTIFICATION
    ):
        return card  # §9: a lost or stolen card is reported without it
    if card.status == CardStatus.SUSPENDED:
        raise ApplicationError(
            "card-suspended",
            _(
                "This card is suspended; "
                "lift the suspension at the counter first (§10)."
            ),
        )
    if not card.is_usable_on(on):
        raise ApplicationError(
            "card-not-usable",
            _("This card is no longer valid (%(status)s, expires %(expires)s).")
            % {"status": card.get_status_display(), "expires": card.expires_on},
        )
    return card


def check_applicant(
    *,
    resident: Resident,
    applicant_role: str,
    procedure: str,
    applicant_name: str,
    on: dt.date,
) -> None:
    """§6: who may act for whom, and that an agent or representative is named."""
    refusal = role_refusal(
        resident=resident, applicant_role=applicant_role, procedure=procedure, on=on
    ) or voluntary_agent_refusal(
        resident=resident, applicant_role=applicant_role, procedure=procedure, on=on
    )
    if refusal is not None:
        raise ApplicationError(refusal.code, refusal.message)
    if applicant_role != ApplicantRole.HOLDER and not applicant_name.strip():
        raise ApplicationError(
            "applicant-details-missing",
            _("Enter the name of the representative or agent at the counter (§15)."),
        )


def voluntary_agent_refusal(
    *, resident: Resident, applicant_role: str, procedure: str, on: dt.date
) -> Refusal | None:
    """§6.5: no voluntary agent for a child under 15 or an adult ward.

    The inquiry method mails the letter to the holder, who fills in the PINs and
    hands the sealed answer to the agent (§6.2). For a child under 15 or an adult
    ward the person who answers for the holder is the legal representative
    (§6.1, §7), so the letter would reach someone who may not decide: the legal
    representative applies in person instead. A suspension (a telephone report,
    §10) is not a counter application and is not refused.
    """
    if (
        applicant_role != ApplicantRole.VOLUNTARY_AGENT
        or procedure == Procedure.SUSPENSION
    ):
        return None
    if resident.is_adult_ward:
        return Refusal(
            "voluntary-agent-for-adult-ward",
            _(
                "A voluntary agent cannot apply for an adult ward: the inquiry "
                "letter would go to the ward. The adult guardian (legal "
                "representative) applies at the counter with proof of authority "
                "(§6.5)."
            ),
        )
    if needs_legal_representative(resident, on):
        return Refusal(
            "voluntary-agent-for-child-under-15",
            _(
                "A voluntary agent cannot apply for a child under 15: the inquiry "
                "letter would go to the child. A parent with parental authority or "
                "the minor's guardian (legal representative) applies at the counter "
                "(§6.5)."
            ),
        )
    return None


def check_pin_kinds(
    *, card: Card, pin_kinds: Sequence[str], on: dt.date | None = None
) -> list[str]:
    """§2: which of the four PINs; a face-authentication card has none (§13); the
    signing password exists only with a valid signing certificate (§2.1)."""
    if card.kind == CardKind.FACE_AUTHENTICATION:
        raise ApplicationError(
            "face-authentication-card",
            _("A face-authentication card has no PINs to change or reset."),
        )
    kinds = list(dict.fromkeys(pin_kinds))
    if not kinds or any(k not in PinKind.values for k in kinds):
        raise ApplicationError(
            "pin-kinds-missing", _("Choose which of the four PINs (§2).")
        )
    if (
        PinKind.SIGNING in kinds
        and on is not None
        and _known_to_have_no_signing_certificate(card, on)
    ):
        raise ApplicationError(
            "no-signing-certificate",
            _(
                "This card carries no valid signing certificate, so it has no "
                "signing password to change or reset; the password is set when a "
                "signing certificate is issued (§2.1)."
            ),
        )
    return kinds


def _known_to_have_no_signing_certificate(card: Card, on: dt.date) -> bool:
    """§2.1 / §7: an under-15's card, or a card whose recorded certificates hold no
    valid signing one. A card with no certificate records at all (rows migrated
    from the card system without them) is not evidence of absence."""
    if card.resident.age_on(on) < 15:
        return True
    recorded = card.certificates.exists()
    return recorded and CertificateKind.SIGNING not in _active_certificates(card, on)


def _active_certificates(card: Card, on: dt.date) -> dict[str, object]:
    return {
        c.kind: c
        for c in card.certificates.filter(
            status__in=[CertificateStatus.ACTIVE, CertificateStatus.SUSPENDED]
        )
        if c.expires_on >= on
    }


def check_certificates(
    *,
    card: Card,
    procedure: str,
    certificate_kinds: Sequence[str],
    renewal_window_months: int,
    on: dt.date,
) -> list[str]:
    """§3 renewal window / issuance after expiry; §9 something to revoke; §13."""
    kinds = list(dict.fromkeys(certificate_kinds))
    if not kinds or any(k not in CertificateKind.values for k in kinds):
        raise ApplicationError(
            "certificate-kinds-missing",
            _("Choose the signing and/or the user-authentication certificate."),
        )
    if (
        card.kind == CardKind.FACE_AUTHENTICATION
        and CertificateKind.SIGNING in kinds
        and procedure != Procedure.CERT_REVOKE
    ):
        raise ApplicationError(
            "face-authentication-card",
            _("A face-authentication card does not carry a signing certificate (§13)."),
        )
    current = _active_certificates(card, on)
    for kind in kinds:
        existing = current.get(kind)
        if procedure == Procedure.CERT_RENEW:
            if existing is None:
                raise ApplicationError(
                    "no-certificate-to-renew",
                    _(
                        "There is no valid certificate to renew; after expiry a new "
                        "certificate is issued instead, free of charge (§3)."
                    ),
                    extra={"certificate_kind": kind},
                )
            opens = renewal_window_opens(existing.expires_on, renewal_window_months)  # type: ignore[attr-defined]
            if on < opens:
                raise ApplicationError(
                    "renewal-window-not-open",
                    _("Renewal can be applied for from %(date)s (§3).")
                    % {"date": opens.isoformat()},
                    extra={"certificate_kind": kind, "opens_on": opens.isoformat()},
                )
        elif procedure == Procedure.CERT_ISSUE and existing is not None:
            raise ApplicationError(
                "certificate-already-valid",
                _(
                    "The card already carries a valid certificate of this kind; "
                    "renew it within the renewal window instead (§3)."
                ),
                extra={"certificate_kind": kind},
            )
        elif procedure == Procedure.CERT_REVOKE and existing is None:
            raise ApplicationError(
                "no-certificate-to-revoke",
                _("There is no valid certificate of this kind to revoke (§9)."),
                extra={"certificate_kind": kind},
            )
    return kinds
