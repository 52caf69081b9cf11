"""Choices shared by services, screens, the API and other apps (docs/glossary.md
names)."""

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _


class Procedure(models.TextChoices):
    PIN_CHANGE = "pin_change", _("PIN change")
    PIN_RESET = "pin_reset", _("PIN reset")
    CERT_ISSUE = "cert_issue", _("Certificate issuance")
    CERT_RENEW = "cert_renew", _("Certificate renewal")
    CERT_REVOKE = "cert_revoke", _("Certificate revocation")
    SUSPENSION = "suspension", _("Suspension")
    SUSPENSION_LIFT = "suspension_lift", _("Lifting a suspension")


class ApplicantRole(models.TextChoices):
    HOLDER = "holder", _("Holder")
    LEGAL_REPRESENTATIVE = "legal_representative", _("Legal representative")
    VOLUNTARY_AGENT = "voluntary_agent", _("Voluntary agent")


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class RegistrationStatus(models.TextChoices):
    """Whether the resident register of this municipality holds the person."""

    REGISTERED = "registered", _("Registered in this city")
    MOVED_OUT = "moved_out", _("Moved out")
    DECEASED = "deceased", _("Deceased")
    NOT_REGISTERED = "not_registered", _("Not registered in this city")


class OfficeKind(models.TextChoices):
    MAIN = "main", _("Main office")
    BRANCH = "branch", _("Branch office")


class CardKind(models.TextChoices):
    STANDARD = "standard", _("Standard card")
    FACE_AUTHENTICATION = "face_authentication", _("Face-authentication card")


class CardStatus(models.TextChoices):
    ACTIVE = "active", _("In use")
    SUSPENDED = "suspended", _("Suspended")
    ABOLISHED = "abolished", _("Abolished")
    LAPSED = "lapsed", _("Lapsed")
    RETURNED = "returned", _("Returned")


class CertificateKind(models.TextChoices):
    SIGNING = "signing", _("Signing certificate")
    AUTHENTICATION = "authentication", _("User-authentication certificate")


class CertificateStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")


class CertificateStatusReason(models.TextChoices):
    """Why a certificate left the active state; maps onto RFC 5280 reasons (§8.9)."""

    NONE = "", _("None")
    HOLDER_REQUEST = "holder_request", _("Revocation requested by the holder")
    KEY_COMPROMISE = "key_compromise", _("Key compromise or card lost")
    BASIC_ITEMS_CHANGED = (
        "basic_items_changed",
        _("Name, address, birth date or gender changed"),
    )
    SUPERSEDED = "superseded", _("Superseded by a renewal")
    CESSATION = "cessation", _("Card abolished, returned, holder moved out or died")
    SUSPENDED_ON_LOSS = "suspended_on_loss", _("Suspended on loss (certificate hold)")
    VALIDITY_ENDED = "validity_ended", _("Validity ended")
    ISSUER_DECISION = "issuer_decision", _("Revoked by the issuer")


class SuspensionLiftRule(models.TextChoices):
    """§10.2: which source the counter follows for the certificates on hold when a
    suspension is lifted (the sources conflict, §10)."""

    JLIS_REVOKE_BOTH = (
        "jlis_revoke_both",
        _("J-LIS: revoke both certificates on hold and issue new ones"),
    )
    CITY_RESTORE_AUTHENTICATION = (
        "city_restore_authentication",
        _(
            "Cities: revoke the signing certificate, "
            "restore the user-authentication one"
        ),
    )


class SmartphonePlatform(models.TextChoices):
    """§12: the phones that carry smartphone certificates (スマホ用電子証明書)."""

    ANDROID = "android", _("Android")
    IPHONE = "iphone", _("iPhone")


#: §12: the first day each platform could register smartphone certificates.
SMARTPHONE_CERTIFICATES_FROM: dict[str, dt.date] = {
    SmartphonePlatform.ANDROID: dt.date(2023, 5, 11),
    SmartphonePlatform.IPHONE: dt.date(2025, 6, 24),
}


class SmartphoneCertificateStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended (with the card)")
    REVOKED = "revoked", _("Revoked")


class PinKind(models.TextChoices):
    """The four PINs on the card (§2)."""

    SIGNING = "signing", _("Signing password")
    AUTHENTICATION = "authentication", _("User-authentication PIN")
    RESIDENT_REGISTER = "resident_register", _("Resident-register PIN")
    CARD_INFO = "card_info", _("Card-info PIN")


class CardOperationKind(models.TextChoices):
    """What the desk agent does with the card (jpki_ops runs it; a procedure's
    machine names the operations it needs, so the kinds live in the kernel)."""

    READ_CARD = "read_card", _("Read the card")
    PIN_STATUS = "pin_status", _("Check PIN tries left")
    PIN_VERIFY = "pin_verify", _("Verify a PIN")
    PIN_CHANGE = "pin_change", _("Change a PIN")
    PIN_RESET = "pin_reset", _("Reset a PIN")
    CERT_ISSUE = "cert_issue", _("Issue a certificate onto the card")
    SIGN_TEST = "sign_test", _("Test signature")
    READ_BASIC_ITEMS = "read_basic_items", _("Read the four basic items")


#: §11.1: the first day a PIN could be reset at a convenience-store kiosk. The
#: user-authentication PIN's date is "about September 2024" (§17.7, UNVERIFIED).
KIOSK_RESET_FROM: dict[str, dt.date] = {
    PinKind.SIGNING: dt.date(2022, 2, 8),
    PinKind.AUTHENTICATION: dt.date(2024, 9, 1),
}
