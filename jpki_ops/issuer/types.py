"""What an issuer gateway takes and returns, and the gateway's interface.

Its own module so the gateway's loader and every implementation (the simulator
today) import it without importing each other.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from jpki_ops.protocol.authorisation import CardCommand


class RevocationReason(enum.IntEnum):
    """RFC 5280 §5.3.1 CRLReason codes (docs/rules/08-life-events.md §8.9: verifiers see
    these)."""

    UNSPECIFIED = 0
    KEY_COMPROMISE = 1
    CA_COMPROMISE = 2
    AFFILIATION_CHANGED = 3
    SUPERSEDED = 4
    CESSATION_OF_OPERATION = 5
    CERTIFICATE_HOLD = 6
    PRIVILEGE_WITHDRAWN = 9


class CertificateState(enum.StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"  # on the CRL as certificateHold
    REVOKED = "revoked"


class Holder(Protocol):
    """The four basic items (基本4情報) that go into a signing certificate."""

    @property
    def name(self) -> str: ...
    @property
    def address(self) -> str: ...
    @property
    def birth_date(self) -> dt.date: ...
    @property
    def gender(self) -> str: ...


@dataclass(frozen=True)
class HolderAttributes:
    """Holder data for a signing certificate (docs/reference/card-protocol.md §10.2).

    ``gender`` is the JIS X 0303 digit: "1" male, "2" female, "9" not applicable.
    The substitute-character flags carry one "0"/"1" per character; None = none
    substituted. ``municipality_code`` (5 digits) goes into the subject CN.
    """

    name: str
    address: str
    birth_date: dt.date
    gender: str
    name_substitute_flags: str | None = None
    address_substitute_flags: str | None = None
    municipality_code: str = "00000"


@dataclass(frozen=True)
class IssuedCertificate:
    serial: int
    kind: str  # counter.constants.CertificateKind value
    der: bytes
    not_before: dt.datetime
    not_after: dt.datetime


class CertificateMedium(enum.StrEnum):
    """Where the certificate's key lives (§12: smartphone certificates)."""

    CARD = "card"
    SMARTPHONE = "smartphone"


@dataclass(frozen=True)
class CertificateStatusInfo:
    """One certificate as J-LIS reports it. A smartphone certificate carries the
    card it was registered from (``card_id``) and its platform (§12.1);
    ``kiosk_pin_reset_at`` is the last kiosk reset of the PIN of this key (§11.2).
    """

    serial: int
    kind: str
    card_id: str
    state: CertificateState
    reason: RevocationReason | None
    changed_at: dt.datetime | None
    not_after: dt.datetime
    medium: CertificateMedium = CertificateMedium.CARD
    platform: str = ""
    not_before: dt.datetime | None = None
    kiosk_pin_reset_at: dt.datetime | None = None

    @property
    def expired(self) -> bool:
        return self.not_after <= dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class CardCommandAuthorisation:
    """The issuer's one-shot permission for one command on one card.

    ``external_authenticate_data`` is the data field of EXTERNAL AUTHENTICATE
    (``00 82 00 00 44 <data>``) that the desk sends right before ``command``.
    """

    card_id: str
    command: CardCommand
    external_authenticate_data: bytes


@runtime_checkable
class IssuerGateway(Protocol):
    simulated: bool

    def issue_certificate(
        self,
        *,
        kind: str,
        public_key_der: bytes,
        card_id: str,
        not_after: dt.datetime,
        holder: Holder | None = None,
    ) -> IssuedCertificate:
        """Certify a key generated on the card; ``holder`` only for signing."""
        ...

    def revoke(
        self, *, serial: int, reason: RevocationReason
    ) -> CertificateStatusInfo: ...

    def suspend(self, *, serial: int) -> CertificateStatusInfo: ...

    def lift_suspension(self, *, serial: int) -> CertificateStatusInfo: ...

    def authorise_card_command(
        self, *, card_id: str, challenge: bytes, command: CardCommand
    ) -> CardCommandAuthorisation: ...

    def status(self, *, serial: int) -> CertificateStatusInfo: ...

    def status_by_card(self, *, card_id: str) -> list[CertificateStatusInfo]:
        """Every certificate the issuer wrote to one card, newest first: the J-LIS
        side of a card, which a revocation at home (利用者クライアントソフト) changes
        without any counter record (docs/rules/09-revocation.md §9.1). It includes
        the smartphone certificates registered from the card (``medium``, §12.1)
        and the last kiosk reset of each key's PIN (§11.2)."""
        ...

    def crl(self, *, kind: str) -> bytes:
        """The current CRL (DER) of the CA that issues ``kind`` certificates."""
        ...

    def ca_certificate(self, *, kind: str) -> bytes: ...
