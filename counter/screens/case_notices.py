"""What the clerk is told on the case page about the J-LIS side of a card.

Each notice is one sentence naming the rule it comes from: which source the city
follows when lifting a suspension (§10.2), whether the holder could reset a PIN at
a convenience-store kiosk instead (§11.1), a kiosk reset J-LIS reported
(§11.2), and smartphone certificates that must be registered again (§12.1).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from counter.constants import (
    KIOSK_RESET_FROM,
    CertificateKind,
    CertificateStatus,
    PinKind,
    Procedure,
    SmartphoneCertificateStatus,
    SuspensionLiftRule,
)
from counter.models import Case, Certificate
from counter.models.cases import FINAL_STATES, CaseState
from counter.models.residents import SmartphoneCertificate

_OTHER: dict[str, str] = {
    PinKind.SIGNING: PinKind.AUTHENTICATION,
    PinKind.AUTHENTICATION: PinKind.SIGNING,
}


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


def _day(moment: dt.datetime) -> str:
    day = timezone.localtime(moment).date()
    return f"{day.year}年{day.month}月{day.day}日"


def _valid_certificates(case: Case, on: dt.date) -> dict[str, Certificate]:
    assert case.card is not None
    return {
        c.kind: c
        for c in case.card.certificates.filter(
            status=CertificateStatus.ACTIVE, expires_on__gte=on
        ).order_by("issued_on", "pk")
    }


def _kiosk_blocker(case: Case, pin: str, valid: dict[str, Certificate]) -> str:
    """Why the kiosk cannot reset ``pin`` for this resident; "" when it can."""
    other = _OTHER[pin]
    if other in case.pin_kinds:
        return _("the other PIN is reset in this case too, so it is not known")
    if len(valid) < len(CertificateKind.values):
        return _("both certificates on the card must be valid")
    if valid[other].pin_locked:
        return _("the card reported the other PIN locked")
    return ""


def kiosk_reset_notices(case: Case, on: dt.date | None = None) -> list[str]:
    """§11.1: for each signing or user-authentication PIN this reset case is for,
    whether the holder could reset it at a convenience-store kiosk instead, and
    §11.2: a kiosk reset J-LIS reported for it."""
    if (
        case.procedure != Procedure.PIN_RESET
        or case.card is None
        or case.state in FINAL_STATES
    ):
        return []
    on = on or timezone.localdate()
    valid = _valid_certificates(case, on)
    labels = dict(PinKind.choices)
    notices: list[str] = []
    for pin in case.pin_kinds:
        if pin not in KIOSK_RESET_FROM or on < KIOSK_RESET_FROM[pin]:
            continue
        names = {"pin": labels[pin], "other": labels[_OTHER[pin]]}
        blocker = _kiosk_blocker(case, pin, valid)
        if blocker:
            notices.append(
                _("A kiosk reset of the %(pin)s is not possible: %(why)s (§11.1).")
                % {**names, "why": blocker}
            )
        else:
            notices.append(
                _(
                    "The holder could also reset the %(pin)s at a "
                    "convenience-store kiosk with J-LIS's reset app, in person "
                    "and if they know the %(other)s (§11.1)."
                )
                % names
            )
        certificate = valid.get(pin)
        if certificate is not None and certificate.kiosk_pin_reset_at is not None:
            notices.append(
                _(
                    "J-LIS reports the %(pin)s of this card was reset at a kiosk on "
                    "%(day)s; the card's tries are counted afresh. Ask whether the "
                    "resident still needs this reset (§11.2)."
                )
                % {**names, "day": _day(certificate.kiosk_pin_reset_at)}
            )
    return notices


def smartphone_notice(case: Case) -> str:
    """§12.1: on completing a certificate issuance or renewal for a holder who had
    smartphone certificates, the clerk tells them to register the phone again."""
    if (
        case.procedure not in (Procedure.CERT_ISSUE, Procedure.CERT_RENEW)
        or case.state != CaseState.COMPLETED
        or case.completed_at is None
    ):
        return ""
    phones = SmartphoneCertificate.objects.filter(card__resident=case.resident_id)
    if (
        not phones.exists()
        or phones.filter(
            status=SmartphoneCertificateStatus.ACTIVE,
            registered_at__gt=case.completed_at,
        ).exists()
    ):
        return ""
    return _(
        "The holder had smartphone certificates: they do not move to the new "
        "certificates. Tell the holder to register the phone again in the "
        "マイナポータル app (§12.1)."
    )


def case_notices(case: Case) -> list[str]:
    """Every notice for the case page, in the order the clerk needs them."""
    notices = [lift_rule_notice(case), *kiosk_reset_notices(case)]
    notices.append(smartphone_notice(case))
    return [notice for notice in notices if notice]
