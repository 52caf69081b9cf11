"""Names shared by the evaluator, the models, the API and the screens.

Glossary terms (``/work/shared/glossary.md``): procedures and applicant roles use
the code names listed there.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Procedure(models.TextChoices):
    PIN_CHANGE = "pin_change", _("PIN change")
    PIN_RESET = "pin_reset", _("PIN reset")
    CERT_ISSUE = "cert_issue", _("Certificate issuance")
    CERT_RENEW = "cert_renew", _("Certificate renewal")
    CERT_REVOKE = "cert_revoke", _("Certificate revocation")
    SUSPENSION_LIFT = "suspension_lift", _("Lifting a suspension")


class ApplicantRole(models.TextChoices):
    HOLDER = "holder", _("Holder")
    LEGAL_REPRESENTATIVE = "legal_representative", _("Legal representative")
    VOLUNTARY_AGENT = "voluntary_agent", _("Voluntary agent")


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
    """Facts the clerk states that switch a rule on or off (rules.md §5.2, §6.1)."""

    AUTHORITY_CONFIRMED_IN_RECORDS = (
        "authority_confirmed_in_records",
        _("The legal authority can be confirmed in the city's records"),
    )
    RESIDENT_PIN_UNKNOWN = (
        "resident_pin_unknown",
        _("The holder does not know the resident-register PIN"),
    )


#: Catalogue code of the My Number Card itself: the "card" of every procedure.
CARD_CODE = "my_number_card"

#: The seed city's visits: holders and legal representatives come once.
MAX_VISIT = 2
