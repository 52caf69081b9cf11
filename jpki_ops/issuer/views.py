"""Plain HTTP publication of the (simulated) issuer's CRLs."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from counter.constants import CertificateKind

from .gateway import get_issuer


@require_GET
def crl_view(request: HttpRequest, kind: str) -> HttpResponse:
    """``crl/<kind>.crl``: DER CRL, public like any CRL distribution point."""
    if kind not in CertificateKind.values:
        raise Http404
    issuer = get_issuer()
    response = HttpResponse(issuer.crl(kind=kind), content_type="application/pkix-crl")
    response["Cache-Control"] = "public, max-age=300"
    if getattr(issuer, "simulated", False):
        response["X-Issuer"] = "SIMULATED J-LIS (test CA)"
    return response
