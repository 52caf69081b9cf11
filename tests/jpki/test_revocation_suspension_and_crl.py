"""Revocation and suspension at the simulated issuer, and the CRL it publishes.

docs/rules/08-life-events.md §8.9 / §9: verifiers see RFC 5280 reason codes; §10:
suspension is a
hold (certificateHold on the CRL) that can be lifted. Served over plain HTTP and
refreshed by the beat task ``jpki_ops.refresh_crl``.
"""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from counter.errors import Conflict, NotFound
from counter.models import AuditEvent
from jpki_ops.issuer.gateway import IssuerGateway, RevocationReason, get_issuer
from jpki_ops.tasks import refresh_crl

pytestmark = pytest.mark.django_db


def _issue(issuer, kind="authentication"):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return issuer.issue_certificate(
        kind=kind,
        public_key_der=key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
        card_id="00112233AABBCCDD",
        not_after=dt.datetime.now(dt.UTC) + dt.timedelta(days=365),
    )


def _crl(issuer, kind="authentication") -> x509.CertificateRevocationList:
    crl = x509.load_der_x509_crl(issuer.crl(kind=kind))
    ca = x509.load_der_x509_certificate(issuer.ca_certificate(kind=kind))
    assert crl.is_signature_valid(ca.public_key())
    assert crl.issuer == ca.subject
    return crl


def _reason(crl, serial):
    entry = crl.get_revoked_certificate_by_serial_number(serial)
    if entry is None:
        return None
    try:
        return entry.extensions.get_extension_for_class(x509.CRLReason).value.reason
    except x509.ExtensionNotFound:
        return x509.ReasonFlags.unspecified


def test_the_simulator_is_the_configured_gateway(simulated_issuer):
    issuer = get_issuer()
    assert isinstance(issuer, IssuerGateway)
    assert issuer.simulated is True


def test_revoked_certificate_is_listed_with_its_reason(simulated_issuer):
    kept = _issue(simulated_issuer)
    revoked = _issue(simulated_issuer)
    assert _reason(_crl(simulated_issuer), revoked.serial) is None
    info = simulated_issuer.revoke(
        serial=revoked.serial, reason=RevocationReason.AFFILIATION_CHANGED
    )
    assert (
        info.state == "revoked" and info.reason == RevocationReason.AFFILIATION_CHANGED
    )
    crl = _crl(simulated_issuer)
    assert _reason(crl, revoked.serial) == x509.ReasonFlags.affiliation_changed
    assert _reason(crl, kept.serial) is None
    assert AuditEvent.objects.filter(action="issuer_sim_certificate_revoked").exists()


def test_suspension_is_certificate_hold_and_lifting_removes_it(simulated_issuer):
    cert = _issue(simulated_issuer, kind="authentication")
    simulated_issuer.suspend(serial=cert.serial)
    assert (
        _reason(_crl(simulated_issuer), cert.serial)
        == x509.ReasonFlags.certificate_hold
    )
    assert simulated_issuer.status(serial=cert.serial).state == "suspended"
    simulated_issuer.lift_suspension(serial=cert.serial)
    assert _reason(_crl(simulated_issuer), cert.serial) is None
    assert simulated_issuer.status(serial=cert.serial).state == "active"


def test_revoked_is_final(simulated_issuer):
    cert = _issue(simulated_issuer)
    simulated_issuer.revoke(serial=cert.serial, reason=RevocationReason.KEY_COMPROMISE)
    with pytest.raises(Conflict) as refused:
        simulated_issuer.suspend(serial=cert.serial)
    assert refused.value.code == "certificate-state-conflict"
    with pytest.raises(Conflict):
        simulated_issuer.lift_suspension(serial=cert.serial)
    with pytest.raises(Conflict):
        simulated_issuer.revoke(serial=cert.serial, reason=RevocationReason.SUPERSEDED)
    with pytest.raises(NotFound):
        simulated_issuer.status(serial=12345)


def test_crls_are_per_ca_and_numbered(simulated_issuer):
    auth = _issue(simulated_issuer)
    simulated_issuer.revoke(serial=auth.serial, reason=RevocationReason.SUPERSEDED)
    assert _reason(_crl(simulated_issuer, "signing"), auth.serial) is None
    first = _crl(simulated_issuer).extensions.get_extension_for_class(x509.CRLNumber)
    refresh_crl()  # the beat task: a fresh CRL per CA
    second = _crl(simulated_issuer).extensions.get_extension_for_class(x509.CRLNumber)
    assert second.value.crl_number == first.value.crl_number + 1


@pytest.mark.urls("tests.jpki.urls_crl")
def test_crl_is_served_over_http(client, simulated_issuer):
    cert = _issue(simulated_issuer)
    simulated_issuer.revoke(
        serial=cert.serial, reason=RevocationReason.CESSATION_OF_OPERATION
    )
    from django.urls import reverse

    response = client.get(reverse("jpki_ops:crl", kwargs={"kind": "authentication"}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pkix-crl"
    crl = x509.load_der_x509_crl(response.content)
    assert _reason(crl, cert.serial) == x509.ReasonFlags.cessation_of_operation
    assert client.get("/jpki/crl/unknown.crl").status_code == 404
