"""Services around the issuer gateway that tasks and views call."""

from __future__ import annotations

from counter.constants import CertificateKind

from .gateway import get_issuer
from .simulator import SimulatedIssuer


def crl_refresh() -> dict[str, int]:
    """Publish a fresh CRL per CA (beat task ``jpki_ops.refresh_crl`` calls this).

    Idempotent in effect: running it twice publishes two CRLs with the same entries
    and increasing numbers. Returns the number of bytes per kind for the task result.
    """
    issuer = get_issuer()
    sizes: dict[str, int] = {}
    for kind in CertificateKind.values:
        if isinstance(issuer, SimulatedIssuer):
            sizes[kind] = len(bytes(issuer.build_crl(kind=kind).der))
        else:
            sizes[kind] = len(issuer.crl(kind=kind))
    return sizes
