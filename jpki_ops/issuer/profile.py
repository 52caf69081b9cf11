"""JPKI certificate profile (docs/reference/card-protocol.md §10) of the simulated
issuer's TEST CA.

Structure, encodings, key usages, policy OIDs and the subjectAltName otherNames
follow the real certificates; the names say plainly that this is a SIMULATION
(``O=JPKI-TEST`` as in J-LIS's own test hierarchy, plus an OU naming madoguchi's
simulator), so no simulated certificate can be mistaken for a production one.
"""

from __future__ import annotations

import datetime as dt
import secrets
import string

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID, ObjectIdentifier

from jpki_ops.protocol.tlv import tlv

SIGNING = "signing"
AUTHENTICATION = "authentication"

# docs/reference/card-protocol.md §10.2: policy OIDs. The signing one is the OID of JPKI
# *test* cards (production
# uses …8.5.1.1.20); for authentication only …8.5.1.3.30 is known (one source).
POLICY_OID = {
    SIGNING: ObjectIdentifier("1.2.392.200149.8.5.1.0.20"),
    AUTHENTICATION: ObjectIdentifier("1.2.392.200149.8.5.1.3.30"),
}

# docs/reference/card-protocol.md §10.2: subjectAltName otherNames of the signing
# certificate.
OID_NAME = ObjectIdentifier("1.2.392.200149.8.5.5.1")
OID_NAME_SUBSTITUTES = ObjectIdentifier("1.2.392.200149.8.5.5.2")
OID_GENDER = ObjectIdentifier("1.2.392.200149.8.5.5.3")
OID_BIRTH_DATE = ObjectIdentifier("1.2.392.200149.8.5.5.4")
OID_ADDRESS = ObjectIdentifier("1.2.392.200149.8.5.5.5")
OID_ADDRESS_SUBSTITUTES = ObjectIdentifier("1.2.392.200149.8.5.5.6")
# Observed order on real and test certificates: .1, .4, .3, .5, .2, .6.
OTHERNAME_ORDER = (
    OID_NAME,
    OID_BIRTH_DATE,
    OID_GENDER,
    OID_ADDRESS,
    OID_NAME_SUBSTITUTES,
    OID_ADDRESS_SUBSTITUTES,
)

CA_OU = {
    SIGNING: "JPKI for digital signature",
    AUTHENTICATION: "JPKI for user authentication",
}
SIMULATION_OU = "SIMULATED issuer of madoguchi - not J-LIS"
SERVICE_NAME_SIMULATED = "公的個人認証サービス（シミュレーション）"


JST = dt.timezone(dt.timedelta(hours=9), "JST")


def not_after_for(expires_on: dt.date) -> dt.datetime:
    """notAfter for an expiry date: 23:59:59 JST that day, as J-LIS does
    (docs/reference/card-protocol.md §10.1)."""
    return dt.datetime.combine(expires_on, dt.time(23, 59, 59), JST).astimezone(dt.UTC)


def _utf8(oid: ObjectIdentifier, value: str) -> x509.NameAttribute:
    return x509.NameAttribute(oid, value, _type=x509.name._ASN1Type.UTF8String)


def ca_name(kind: str) -> x509.Name:
    """C=JP, O=JPKI-TEST, OU=<JPKI for …>, OU=<simulation notice>
    (docs/reference/card-protocol.md §10.1 order)."""
    return x509.Name(
        [
            x509.NameAttribute(
                NameOID.COUNTRY_NAME, "JP", _type=x509.name._ASN1Type.PrintableString
            ),
            _utf8(NameOID.ORGANIZATION_NAME, "JPKI-TEST"),
            _utf8(NameOID.ORGANIZATIONAL_UNIT_NAME, CA_OU[kind]),
            _utf8(NameOID.ORGANIZATIONAL_UNIT_NAME, SIMULATION_OU),
        ]
    )


def _service_dirname() -> x509.DirectoryName:
    return x509.DirectoryName(
        x509.Name(
            [
                x509.NameAttribute(
                    NameOID.COUNTRY_NAME,
                    "JP",
                    _type=x509.name._ASN1Type.PrintableString,
                ),
                _utf8(NameOID.ORGANIZATION_NAME, SERVICE_NAME_SIMULATED),
            ]
        )
    )


def build_ca_certificate(
    *, kind: str, key: rsa.RSAPrivateKey, now: dt.datetime, crl_url: str | None
) -> x509.Certificate:
    """Self-signed, single tier, 10 years (docs/reference/card-protocol.md §10.1)."""
    name = ca_name(kind)
    distribution: list[x509.GeneralName] = [x509.DirectoryName(name)]
    if crl_url:
        distribution.append(x509.UniformResourceIdentifier(crl_url))
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=3652))
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName([_service_dirname()]), critical=False
        )
        .add_extension(
            x509.CRLDistributionPoints(
                [x509.DistributionPoint(distribution, None, None, None)]
            ),
            critical=False,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
        )
    )
    return builder.sign(key, hashes.SHA256())


def _utf8string_der(value: str) -> bytes:
    return tlv(b"\x0c", value.encode("utf-8"))


def era_birth_date(day: dt.date) -> str:
    """``EYYYYMMDD``: era digit (1 明治 … 5 令和) + Gregorian date
    (docs/reference/card-protocol.md §10.2)."""
    eras = [
        (dt.date(2019, 5, 1), "5"),
        (dt.date(1989, 1, 8), "4"),
        (dt.date(1926, 12, 25), "3"),
        (dt.date(1912, 7, 30), "2"),
        (dt.date(1868, 10, 23), "1"),
    ]
    era = next((digit for start, digit in eras if day >= start), "0")
    return era + day.strftime("%Y%m%d")


def signing_othernames(holder: object) -> list[x509.GeneralName]:
    name: str = holder.name  # type: ignore[attr-defined]
    address: str = holder.address  # type: ignore[attr-defined]
    name_flags = getattr(holder, "name_substitute_flags", None) or "0" * len(name)
    address_flags = getattr(holder, "address_substitute_flags", None) or "0" * len(
        address
    )
    values = {
        OID_NAME: name,
        OID_NAME_SUBSTITUTES: name_flags,
        OID_GENDER: holder.gender,  # type: ignore[attr-defined]
        OID_BIRTH_DATE: era_birth_date(holder.birth_date),  # type: ignore[attr-defined]
        OID_ADDRESS: address,
        OID_ADDRESS_SUBSTITUTES: address_flags,
    }
    return [
        x509.OtherName(oid, _utf8string_der(values[oid])) for oid in OTHERNAME_ORDER
    ]


def opaque_subject_id(municipality_code: str) -> str:
    """23-character CN like the test card's ``997794E9AGCIEG13221003A``
    (docs/reference/card-protocol.md §10.2)."""
    alphabet = string.ascii_uppercase + string.digits
    head = "SIM" + "".join(secrets.choice(alphabet) for _ in range(7))
    tail = "".join(secrets.choice(alphabet) for _ in range(8))
    return head + municipality_code[:5].rjust(5, "0") + tail


def build_end_entity_certificate(
    *,
    kind: str,
    ca_key: rsa.RSAPrivateKey,
    ca_cert: x509.Certificate,
    public_key: rsa.RSAPublicKey,
    serial: int,
    not_before: dt.datetime,
    not_after: dt.datetime,
    holder: object | None,
    municipality_code: str,
    crl_url: str | None,
) -> x509.Certificate:
    signing = kind == SIGNING
    subject = x509.Name(
        [
            x509.NameAttribute(
                NameOID.COUNTRY_NAME, "JP", _type=x509.name._ASN1Type.PrintableString
            ),
            _utf8(NameOID.ORGANIZATION_NAME, "JPKI-TEST"),
            _utf8(NameOID.COMMON_NAME, opaque_subject_id(municipality_code)),
        ]
    )
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=signing,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    distribution: list[x509.GeneralName] = [x509.DirectoryName(ca_cert.subject)]
    if crl_url:
        distribution.append(x509.UniformResourceIdentifier(crl_url))
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_cert.subject)
        .public_key(public_key)
        .serial_number(serial)
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(usage, critical=True)
        .add_extension(
            x509.CertificatePolicies([x509.PolicyInformation(POLICY_OID[kind], None)]),
            critical=False,
        )
        .add_extension(x509.IssuerAlternativeName([_service_dirname()]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_cert.public_key()),  # type: ignore[arg-type]
            critical=False,
        )
        .add_extension(
            x509.CRLDistributionPoints(
                [x509.DistributionPoint(distribution, None, None, None)]
            ),
            critical=False,
        )
    )
    if signing:
        if holder is None:
            raise ValueError(
                "a signing certificate needs the holder's four basic items"
            )
        builder = builder.add_extension(
            x509.SubjectAlternativeName(signing_othernames(holder)), critical=False
        )
    return builder.sign(ca_key, hashes.SHA256())
