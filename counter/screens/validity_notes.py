"""What the clerk must know about validity before the card step (§3 (b)).

A signing certificate never outlives the user-authentication certificate on the
same card. Reception refuses a plan that would; a case opened before that rule
was applied, or a user-authentication certificate that lapsed since, is shown
here as a warning on the case page so the card step is not started blindly.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from counter.constants import CertificateKind, CertificateStatus
from counter.models import Case
from counter.models.cases import CaseState
from counter.validity import authentication_end_for_signing

_BEFORE_CARD = (
    CaseState.RECEIVED,
    CaseState.DOCUMENTS_CHECKED,
    CaseState.CARD_OPERATION,
)


def _day(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def validity_warnings(case: Case, today: dt.date | None = None) -> list[str]:
    """Sentences for the case page; empty when the plan keeps §3 (b)."""
    plan = case.certificate_plan or {}
    signing = plan.get(CertificateKind.SIGNING.value)
    if case.state not in _BEFORE_CARD or not signing or case.card is None:
        return []
    today = today or timezone.localdate()
    signing_ends = timezone.localtime(dt.datetime.fromisoformat(signing)).date()
    reissued = plan.get(CertificateKind.AUTHENTICATION.value)
    held = case.card.certificates.filter(
        kind=CertificateKind.AUTHENTICATION,
        status__in=[CertificateStatus.ACTIVE, CertificateStatus.EXPIRED],
    ).values_list("status", "expires_on")
    auth_ends = authentication_end_for_signing(
        held=list(held),
        reissued_authentication_ends=timezone.localtime(
            dt.datetime.fromisoformat(reissued)
        ).date()
        if reissued
        else None,
    )
    if auth_ends is None:
        return []
    warnings: list[str] = []
    if auth_ends < today:
        warnings.append(
            _(
                "The user-authentication certificate on this card ended on %(day)s. "
                "Issue it again in this case before the signing certificate."
            )
            % {"day": _day(auth_ends)}
        )
    if signing_ends > auth_ends:
        warnings.append(
            _(
                "The signing certificate is planned to run until %(signing)s, past "
                "the user-authentication certificate's end (%(auth)s). A signing "
                "certificate may not outlive it: cancel this case and receive it again."
            )
            % {"signing": _day(signing_ends), "auth": _day(auth_ends)}
        )
    return warnings
