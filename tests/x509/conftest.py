"""A PKI generated once per session, and certificate files on disk, for the x509 tests."""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

UTC = dt.timezone.utc


@dataclass
class Pki:
    """A trustme root, intermediate and leaves (EC and RSA), as PEM bytes."""

    ca: trustme.CA
    intermediate: trustme.CA
    leaf_pem: bytes  # EC leaf issued by the intermediate
    intermediate_pem: bytes
    root_pem: bytes
    rsa_leaf_pem: bytes
    leaf_key_pem: bytes

    @property
    def chain_pem(self) -> bytes:
        return self.leaf_pem + self.intermediate_pem


@pytest.fixture(scope="session")
def pki() -> Pki:
    ca = trustme.CA()
    intermediate = ca.create_child_ca()
    leaf = intermediate.issue_cert(
        "example.com",
        "*.example.org",
        "127.0.0.1",
        "::1",
        "admin@example.com",
        common_name="leaf CN",
        organization_name="Leaf Org",
        organization_unit_name="Leaf Unit",
    )
    rsa_ca = trustme.CA(key_type=trustme.KeyType.RSA)
    rsa_leaf = rsa_ca.issue_cert("rsa.example")
    return Pki(
        ca=ca,
        intermediate=intermediate,
        leaf_pem=leaf.cert_chain_pems[0].bytes(),
        intermediate_pem=leaf.cert_chain_pems[1].bytes(),
        root_pem=ca.cert_pem.bytes(),
        rsa_leaf_pem=rsa_leaf.cert_chain_pems[0].bytes(),
        leaf_key_pem=leaf.private_key_pem.bytes(),
    )


CertFactory = Callable[..., x509.Certificate]


@pytest.fixture(scope="session")
def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture(scope="session")
def make_cert(ec_key: ec.EllipticCurvePrivateKey) -> CertFactory:
    """Build a certificate with cryptography; every field can be overridden."""

    def build(
        subject: Sequence[x509.NameAttribute] | None = None,
        issuer: Sequence[x509.NameAttribute] | None = None,
        serial: int = 0x0FAB,
        not_before: dt.datetime = dt.datetime(2001, 1, 1, tzinfo=UTC),
        not_after: dt.datetime = dt.datetime(2002, 1, 1, tzinfo=UTC),
        extensions: Sequence[tuple[x509.ExtensionType, bool]] = (),
        key: Any = None,
        signing_key: Any = None,
    ) -> x509.Certificate:
        key = key or ec_key
        subject_name = x509.Name(
            list(subject) if subject is not None else [x509.NameAttribute(NameOID.COMMON_NAME, "test")]
        )
        issuer_name = x509.Name(list(issuer)) if issuer is not None else subject_name
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject_name)
            .issuer_name(issuer_name)
            .public_key(key.public_key())
            .serial_number(serial)
            .not_valid_before(not_before)
            .not_valid_after(not_after)
        )
        for value, critical in extensions:
            builder = builder.add_extension(value, critical)
        return builder.sign(signing_key or key, hashes.SHA256())

    return build


def pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


@pytest.fixture(scope="session")
def odd_cert(make_cert: CertFactory) -> x509.Certificate:
    """A self-signed, expired certificate with repeated attributes and many extensions."""
    from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID

    subject = [
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "ou-a"),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "ou-b"),
        x509.NameAttribute(NameOID.COMMON_NAME, "self.test"),
        x509.NameAttribute(x509.ObjectIdentifier("1.2.3.4.5"), "weird"),
        x509.NameAttribute(NameOID.EMAIL_ADDRESS, "a@b.c"),
        x509.NameAttribute(NameOID.SERIAL_NUMBER, "SN1"),
        x509.NameAttribute(NameOID.DOMAIN_COMPONENT, "dc"),
        x509.NameAttribute(NameOID.JURISDICTION_COUNTRY_NAME, "DE"),
        x509.NameAttribute(NameOID.BUSINESS_CATEGORY, "biz"),
    ]
    uri = x509.UniformResourceIdentifier
    extensions: list[tuple[x509.ExtensionType, bool]] = [
        (x509.CRLDistributionPoints([x509.DistributionPoint([uri("http://crl.example/x.crl")], None, None, None)]), False),
        (x509.CertificatePolicies([x509.PolicyInformation(x509.ObjectIdentifier("2.23.140.1.2.1"), ["http://cps.example"])]), False),
        (
            x509.AuthorityInformationAccess(
                [
                    x509.AccessDescription(AuthorityInformationAccessOID.OCSP, uri("http://ocsp.example")),
                    x509.AccessDescription(AuthorityInformationAccessOID.CA_ISSUERS, uri("http://ca.example/ca.der")),
                ]
            ),
            False,
        ),
        (x509.UnrecognizedExtension(x509.ObjectIdentifier("1.2.3.4.99"), b"\x04\x02hi"), True),
        (
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("a.test"),
                    x509.DNSName("b.test"),
                    x509.IPAddress(ipaddress.ip_address("10.0.0.1")),
                    uri("http://u"),
                    x509.RFC822Name("m@x"),
                ]
            ),
            False,
        ),
        (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, x509.ObjectIdentifier("1.2.3.9")]), False),
        (x509.TLSFeature([x509.TLSFeatureType.status_request]), False),
        (x509.NameConstraints([x509.DNSName("ok.test")], None), True),
        (x509.PolicyConstraints(1, 2), True),
        (x509.InhibitAnyPolicy(3), True),
        (x509.BasicConstraints(True, None), True),
    ]
    return make_cert(subject=subject, extensions=extensions)


@pytest.fixture(scope="session")
def cert_dir(tmp_path_factory: pytest.TempPathFactory, pki: Pki, odd_cert: x509.Certificate) -> Path:
    """Files on disk: PEM, DER, a multi-certificate PEM and a nested directory."""
    root = tmp_path_factory.mktemp("certs")
    (root / "leaf.pem").write_bytes(pki.leaf_pem)
    (root / "chain.pem").write_bytes(pki.chain_pem)
    (root / "odd.pem").write_bytes(pem(odd_cert))
    (root / "odd.der").write_bytes(der(odd_cert))
    (root / "notes.txt").write_bytes(b"not a certificate\n")
    sub = root / "sub"
    sub.mkdir()
    (sub / "root.pem").write_bytes(pki.root_pem)
    (sub / "rsa.crt").write_bytes(pki.rsa_leaf_pem)
    return root


def hash_algorithms() -> Any:
    """QCryptographicHash.Algorithm, or a stand-in with its member names until it lands."""
    try:
        from qtls.core.cryptographichash import QCryptographicHash  # type: ignore[attr-defined]
    except ImportError:
        import enum

        return enum.Enum("Algorithm", "Md4 Md5 Sha1 Sha224 Sha256 Sha384 Sha512 Sha3_256")
    return QCryptographicHash.Algorithm
