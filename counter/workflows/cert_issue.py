"""Certificate issuance and renewal (電子証明書の発行・更新).

Validity (§3): the 5th birthday after issuance, the 6th when renewed inside the
renewal window, capped by the user-authentication certificate and the card; a
renewal opens 3 months before expiry (the day after the same date) and revokes the
old certificate at once. The key pair is generated on the card and the issuer's
certificate written onto it in one card operation per certificate (§16). A
voluntary agent comes twice (§6.2) unless the J-LIS inquiry-and-answer sheet sent
with the expiry notice allows a one-visit renewal while the certificate is valid.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from counter.constants import (
    CardOperationKind,
    CertificateKind,
    CertificateStatus,
    Procedure,
)
from counter.errors import ApplicationError
from counter.models.cases import Case
from counter.validity import authentication_end_for_signing, certificate_expiry

from .base import CounterMachine
from .legal_representative import SigningExceptionMachine
from .voluntary_agent import TwoVisitMachine


class CertIssueCase(CounterMachine, TwoVisitMachine, SigningExceptionMachine, Case):
    class Meta:
        proxy = True
        verbose_name = _("certificate issuance case")

    def one_visit_allowed(self) -> bool:
        # §6.2 "One-visit renewal": only a renewal, only with J-LIS's sheet.
        return self.procedure == Procedure.CERT_RENEW and self.uses_jlis_answer_sheet

    def required_operations(self) -> list[tuple[str, dict[str, Any]]]:
        kinds = sorted(
            self.certificate_kinds or [],
            # The user-authentication certificate first: it caps the signing
            # certificate's validity (§3 (b)).
            key=lambda k: 0 if k == CertificateKind.AUTHENTICATION else 1,
        )
        return [
            (
                CardOperationKind.CERT_ISSUE.value,
                {
                    "certificate_kind": kind,
                    "not_after": (self.certificate_plan or {}).get(kind)
                    or self.not_after(kind),
                },
            )
            for kind in kinds
        ]

    @staticmethod
    def operation_key(kind: str, parameters: dict[str, Any]) -> str:
        return f"{kind}:{parameters.get('certificate_kind', '')}"

    def plan_certificates(self, today: dt.date | None = None) -> dict[str, str]:
        """notAfter of each new certificate, fixed when the application is made."""
        return {
            kind: self.not_after(kind, today) for kind in self.certificate_kinds or []
        }

    def not_after(self, kind: str, today: dt.date | None = None) -> str:
        """notAfter for the new certificate: 23:59:59 JST of its last day (§3)."""
        expires_on = self.new_expiry(kind, today)
        return dt.datetime.combine(
            expires_on, dt.time(14, 59, 59), tzinfo=dt.UTC
        ).isoformat()

    def new_expiry(self, kind: str, today: dt.date | None = None) -> dt.date:
        """§3 (a)–(c) with the profile's numbers (5th/6th birthday, 3-month window)."""
        today = today or timezone.localdate()
        profile = self.municipality.profile
        resident = self.resident
        card = self.card
        assert card is not None
        active = {
            c.kind: c
            for c in card.certificates.filter(status=CertificateStatus.ACTIVE)
            if c.expires_on >= today
        }
        previous = active.get(kind)
        auth_expiry: dt.date | None = None
        if kind == CertificateKind.SIGNING:
            reissued = (
                self.new_expiry(CertificateKind.AUTHENTICATION, today)
                if CertificateKind.AUTHENTICATION in (self.certificate_kinds or [])
                else None
            )
            held = card.certificates.filter(
                kind=CertificateKind.AUTHENTICATION,
                status__in=[CertificateStatus.ACTIVE, CertificateStatus.EXPIRED],
            ).values_list("status", "expires_on")
            auth_expiry = authentication_end_for_signing(
                held=list(held), reissued_authentication_ends=reissued
            )
            if auth_expiry is not None and auth_expiry < today:
                raise ApplicationError(
                    "signing-outlives-authentication",
                    _(
                        "The user-authentication certificate on this card ended on "
                        "%(day)s. A signing certificate may not outlive it: issue "
                        "the user-authentication certificate in the same case."
                    )
                    % {
                        "day": f"{auth_expiry.year}年{auth_expiry.month}月"
                        f"{auth_expiry.day}日"
                    },
                )
        return certificate_expiry(
            kind=kind,
            issued_on=today,
            birth_date=resident.birth_date,
            card_expires_on=card.expires_on,
            previous_expires_on=previous.expires_on if previous else None,
            authentication_expires_on=auth_expiry,
            residence_period_end=resident.residence_period_end,
            validity_birthdays=profile.validity_birthdays,
            early_renewal_validity_birthdays=profile.early_renewal_validity_birthdays,
            renewal_window_months=profile.renewal_window_months,
            applied_on=self.created_at.date() if self.created_at else today,
        ).expires_on
