"""Names shared by the evaluator, the models, the API and the screens.

Procedures and applicant roles are counter's (docs/glossary.md names); this module adds
what only the document rules need.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from counter.constants import ApplicantRole, Procedure

__all__ = [
    "CARD_CODE",
    "DOCUMENT_PROCEDURES",
    "MAX_VISIT",
    "ApplicantRole",
    "DocumentClass",
    "Fact",
    "JLIS_ANSWER_SHEET_CODE",
    "Owner",
    "Procedure",
]


#: The procedures that have document rules (counter's "suspension" is a phone call).
DOCUMENT_PROCEDURES: tuple[str, ...] = (
    Procedure.PIN_CHANGE.value,
    Procedure.PIN_RESET.value,
    Procedure.CERT_ISSUE.value,
    Procedure.CERT_RENEW.value,
    Procedure.CERT_REVOKE.value,
    Procedure.SUSPENSION_LIFT.value,
)


class Owner(models.TextChoices):
    """Whose document it is: the card holder's, or the person at the counter's."""

    HOLDER = "holder", _("Holder")
    APPLICANT = "applicant", _("Applicant")


class DocumentClass(models.TextChoices):
    A = "A", _("Class A (photo ID issued by a public body)")
    B = "B", _("Class B (name with address or birth date)")
    PROOF_OF_AUTHORITY = "proof_of_authority", _("Proof of legal authority")
    PROOF_OF_INABILITY = "proof_of_inability", _("Proof the holder cannot come")
    ANSWER_SHEET = "answer_sheet", _("Answer sheet")
    POWER_OF_ATTORNEY = "power_of_attorney", _("Power of attorney")


class Fact(models.TextChoices):
    """Facts the clerk states that switch a rule on or off
    (docs/rules/05-identity-documents.md §5.2, §6.1)."""

    AUTHORITY_CONFIRMED_IN_RECORDS = (
        "authority_confirmed_in_records",
        _("The legal authority can be confirmed in the city's records"),
    )
    RESIDENT_PIN_UNKNOWN = (
        "resident_pin_unknown",
        _("The holder does not know the resident-register PIN"),
    )
    JLIS_ANSWER_SHEET = (
        "jlis_answer_sheet",
        _("The agent brings the J-LIS sheet sent with the expiry notice (one visit)"),
    )
    #: docs/rules/09-revocation.md §9.2: a notification is made without the card.
    CARD_LOST = (
        "card_lost",
        _("The card is lost, stolen or misused (revocation notification)"),
    )


#: Catalogue code of the My Number Card itself: the "card" of every procedure.
CARD_CODE = "my_number_card"

#: Catalogue code of 照会書兼回答書, the sheet J-LIS encloses with the expiry notice
#: (docs/rules/03-validity.md §3, §6.2 "One-visit renewal").
JLIS_ANSWER_SHEET_CODE = "inquiry_and_answer_sheet"

#: The seed city's visits: holders and legal representatives come once.
MAX_VISIT = 2
