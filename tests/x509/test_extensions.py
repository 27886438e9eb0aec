"""QSslCertificateExtension: names, OIDs, criticality, support and Qt's values."""

from __future__ import annotations

import ipaddress

import pytest
from cryptography import x509

from qtls.ssl.x509.certificate import QSslCertificate
from qtls.ssl.x509.extension import QSslCertificateExtension

from .conftest import CertFactory, Pki, pem


def by_name(cert: QSslCertificate) -> dict[str, QSslCertificateExtension]:
    return {ext.name(): ext for ext in cert.extensions()}


def plain(value: object) -> object:
    """Values with QByteArrays turned into bytes, for comparison."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, (str, bool, int)) or value is None:
        return value
    return bytes(value)  # type: ignore[call-overload]


def test_default_extension_is_empty() -> None:
    ext = QSslCertificateExtension()
    assert (ext.name(), ext.oid(), ext.isCritical(), ext.isSupported(), ext.value()) == ("", "", False, False, None)


def test_leaf_extensions_in_certificate_order(pki: Pki) -> None:
    exts = QSslCertificate(pki.leaf_pem).extensions()
    assert [e.name() for e in exts] == [
        "subjectKeyIdentifier",
        "basicConstraints",
        "authorityKeyIdentifier",
        "subjectAltName",
        "keyUsage",
        "extendedKeyUsage",
    ]
    assert [e.oid() for e in exts][:2] == ["2.5.29.14", "2.5.29.19"]


def test_supported_extensions_values(pki: Pki) -> None:
    leaf = by_name(QSslCertificate(pki.leaf_pem))
    intermediate = by_name(QSslCertificate(pki.intermediate_pem))
    assert leaf["basicConstraints"].isSupported() and leaf["basicConstraints"].isCritical()
    assert leaf["basicConstraints"].value() == {"ca": False}
    assert intermediate["basicConstraints"].value() == {"ca": True, "pathLenConstraint": 8}
    ski = intermediate["subjectKeyIdentifier"].value()
    assert len(ski.split(":")) == 20 and ski == ski.upper()
    # The leaf's AKID keyid is the intermediate's SKI, as lowercase hex without colons.
    akid = plain(leaf["authorityKeyIdentifier"].value())
    assert akid == {"keyid": ski.replace(":", "").lower().encode()}


def test_unsupported_extensions_use_openssl_printers(pki: Pki) -> None:
    leaf = by_name(QSslCertificate(pki.leaf_pem))
    san = leaf["subjectAltName"]
    assert not san.isSupported()
    # i2v entries folded into a map: the last DNS name wins, IPv6 printed in full.
    assert san.value() == {"DNS": "*.example.org", "IP Address": "0:0:0:0:0:0:0:1", "email": "admin@example.com"}
    assert leaf["keyUsage"].value() == ["Digital Signature", "Key Encipherment"]
    assert leaf["extendedKeyUsage"].value() == [
        "TLS Web Client Authentication",
        "TLS Web Server Authentication",
        "Code Signing",
    ]


def test_odd_extension_values(odd_cert: x509.Certificate) -> None:
    exts = by_name(QSslCertificate(pem(odd_cert)))
    assert plain(exts["crlDistributionPoints"].value()) == b"Full Name:\n  URI:http://crl.example/x.crl"
    assert plain(exts["certificatePolicies"].value()) == b"Policy: 2.23.140.1.2.1\n  CPS: http://cps.example"
    aia = exts["authorityInfoAccess"]
    assert aia.isSupported()
    assert aia.value() == {"OCSP": "http://ocsp.example", "caIssuers": "http://ca.example/ca.der"}
    assert exts["extendedKeyUsage"].value() == ["TLS Web Server Authentication", "1.2.3.9"]
    assert exts["tlsfeature"].value() == ["status_request"]
    assert plain(exts["nameConstraints"].value()) == b"Permitted:\n  DNS:ok.test"
    assert exts["policyConstraints"].value() == {"Inhibit Policy Mapping": "2", "Require Explicit Policy": "1"}
    assert exts["inhibitAnyPolicy"].value() == "3"
    assert exts["basicConstraints"].value() == {"ca": True}


def test_unknown_critical_extension_gives_raw_value(odd_cert: x509.Certificate) -> None:
    unknown = by_name(QSslCertificate(pem(odd_cert)))["1.2.3.4.99"]
    assert unknown.oid() == "1.2.3.4.99"
    assert unknown.isCritical() and not unknown.isSupported()
    assert plain(unknown.value()) == b"\x04\x02hi"


def test_name_constraints_with_ip_ranges(make_cert: CertFactory) -> None:
    nc = x509.NameConstraints(
        [x509.IPAddress(ipaddress.ip_network("10.0.0.0/8"))],
        [x509.DNSName("bad.test"), x509.IPAddress(ipaddress.ip_network("fd00::/8"))],
    )
    value = by_name(QSslCertificate(pem(make_cert(extensions=[(nc, True)]))))["nameConstraints"].value()
    assert plain(value) == (
        b"Permitted:\n  IP:10.0.0.0/255.0.0.0\nExcluded:\n  DNS:bad.test\n"
        b"  IP:FD00:0:0:0:0:0:0:0/FF00:0:0:0:0:0:0:0"
    )


def test_copy_and_swap() -> None:
    cert_ext = QSslCertificateExtension()
    other = QSslCertificateExtension()
    other._name = "x"  # a non-empty one without building a certificate
    copy = QSslCertificateExtension(other)
    assert copy.name() == "x"
    cert_ext.swap(other)
    assert (cert_ext.name(), other.name()) == ("x", "")
    with pytest.raises(TypeError):
        QSslCertificateExtension("nope")  # type: ignore[arg-type]
