"""The issuer gateway: the one interface procedures use to reach J-LIS.

J-LIS (地方公共団体情報システム機構) issues, revokes and suspends the JPKI
certificates and is the only party that may unlock a card's issuer-only commands.
madoguchi ships one implementation, :class:`~jpki_ops.issuer.simulator.SimulatedIssuer`,
a SIMULATION with a test CA (docs/reference/card-protocol.md §14.1). A real connection
would be
another class with the same methods; procedures call :func:`get_issuer` and never
name the simulator.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from .types import (
    CardCommandAuthorisation,
    CertificateState,
    CertificateStatusInfo,
    Holder,
    HolderAttributes,
    IssuedCertificate,
    IssuerGateway,
    RevocationReason,
)

__all__ = [
    "BACKENDS",
    "CardCommandAuthorisation",
    "CertificateState",
    "CertificateStatusInfo",
    "Holder",
    "HolderAttributes",
    "IssuedCertificate",
    "IssuerGateway",
    "RevocationReason",
    "get_issuer",
]

#: ``JPKI_ISSUER_BACKEND`` names → the class, by dotted path so this module
#: imports no implementation (the simulator imports :mod:`.types`, not us).
BACKENDS: dict[str, str] = {
    "simulator": "jpki_ops.issuer.simulator.SimulatedIssuer",
}


def get_issuer() -> IssuerGateway:
    """The configured issuer (``settings.JPKI_ISSUER_BACKEND``)."""
    backend = getattr(settings, "JPKI_ISSUER_BACKEND", "simulator")
    if backend not in BACKENDS:
        raise ValueError(f"unknown JPKI_ISSUER_BACKEND {backend!r}")
    issuer: IssuerGateway = import_string(BACKENDS[backend]).from_settings()
    return issuer
