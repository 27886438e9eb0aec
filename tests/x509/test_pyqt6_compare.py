"""qtls against PyQt6 on the same certificates, files and chains."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

from qtls.ssl.qssl import QSsl
from qtls.ssl.x509.certificate import QSslCertificate

from .conftest import UTC, CertFactory, Pki, der, hash_algorithms, pem

QtNetwork = pytest.importorskip("PyQt6.QtNetwork")
QtCore = pytest.importorskip("PyQt6.QtCore")

pytestmark = pytest.mark.pyqt6


def normalize(value: Any) -> Any:
    """Qt and qtls values in one comparable form (QByteArray → bytes, enums → names)."""
    if isinstance(value, dict):
        return {normalize(k): normalize(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalize(v) for v in value]
    if isinstance(value, (str, bool, int)) or value is None:
        return value
    if hasattr(value, "name") and hasattr(value, "value") and not callable(value.name):
        return value.name
    return bytes(value)


def both(data: bytes, der_format: bool = False) -> tuple[Any, QSslCertificate]:
    if der_format:
        return (
            QtNetwork.QSslCertificate(data, QtNetwork.QSsl.EncodingFormat.Der),
            QSslCertificate(data, QSsl.EncodingFormat.Der),
        )
    return QtNetwork.QSslCertificate(data), QSslCertificate(data)


def fields(cert: Any, info_enum: Any, algorithms: Any) -> dict[str, Any]:
    attributes = [bytes(a) for a in cert.subjectInfoAttributes()]
    issuer_attributes = [bytes(a) for a in cert.issuerInfoAttributes()]
    return {
        "null": cert.isNull(),
        "subject_attributes": attributes,
        "issuer_attributes": issuer_attributes,
        "subject": {a: cert.subjectInfo(a) for a in attributes},
        "issuer": {a: cert.issuerInfo(a) for a in issuer_attributes},
        "by_enum": {i.name: cert.subjectInfo(i) for i in info_enum},
        "display": (cert.subjectDisplayName(), cert.issuerDisplayName()),
        "serial": bytes(cert.serialNumber()),
        "version": bytes(cert.version()),
        "md5": bytes(cert.digest()),
        "sha256": bytes(cert.digest(algorithms.Sha256)),
        "sans": normalize(cert.subjectAlternativeNames()),
        "self_signed": cert.isSelfSigned(),
        "blacklisted": cert.isBlacklisted(),
        "dates": [
            d.toPyDateTime().replace(tzinfo=None) if d.isValid() else None
            for d in (cert.effectiveDate(), cert.expiryDate())
        ],
        "text_head": cert.toText().splitlines()[:12],
        "der": bytes(cert.toDer()),
        "pem": bytes(cert.toPem()),
        "extensions": [
            (e.name(), e.oid(), e.isCritical(), e.isSupported(), normalize(e.value())) for e in cert.extensions()
        ],
    }


def compare(qt_cert: Any, our_cert: QSslCertificate) -> None:
    our_algorithms = hash_algorithms()
    expected = fields(qt_cert, QtNetwork.QSslCertificate.SubjectInfo, QtCore.QCryptographicHash.Algorithm)
    actual = fields(our_cert, QSslCertificate.SubjectInfo, our_algorithms)
    for key in expected:
        assert actual[key] == expected[key], key


def test_leaf_intermediate_and_root_match_pyqt6(pki: Pki) -> None:
    for data in (pki.leaf_pem, pki.intermediate_pem, pki.root_pem, pki.rsa_leaf_pem):
        compare(*both(data))


def test_odd_certificate_matches_pyqt6(odd_cert: x509.Certificate) -> None:
    compare(*both(der(odd_cert), der_format=True))


def test_null_certificate_matches_pyqt6() -> None:
    compare(*both(b"garbage"))


def test_unusual_certificates_match_pyqt6(make_cert: CertFactory) -> None:
    cases = [
        make_cert(subject=[]),
        make_cert(
            subject=[x509.NameAttribute(NameOID.COMMON_NAME, "Bücher ✓"), x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Ωmega")],
            not_before=dt.datetime(1950, 1, 1, tzinfo=UTC),
            not_after=dt.datetime(2080, 1, 1, tzinfo=UTC),
            serial=(1 << 159) - 1,
        ),
        make_cert(serial=0x80, extensions=[(x509.KeyUsage(True, False, False, False, False, False, False, False, False), True)]),
    ]
    for cert in cases:
        compare(*both(pem(cert)))
    negative = der(make_cert(serial=0x0FAB)).replace(b"\x02\x02\x0f\xab", b"\x02\x02\x8f\xab")
    compare(*both(negative, der_format=True))


@pytest.mark.parametrize(
    "transform",
    [
        lambda p: p,
        lambda p: b"junk\n" + p.replace(b"-----END CERTIFICATE-----\n", b"-----END CERTIFICATE-----\nmore junk\n"),
        lambda p: p.replace(b"\n", b"\r\n"),
        lambda p: p.replace(b"-----END CERTIFICATE-----\n", b"-----END CERTIFICATE-----"),
        lambda p: p.replace(b"-----BEGIN CERTIFICATE-----\n", b"-----BEGIN CERTIFICATE-----  \n"),
        lambda p: p[: len(p) // 2],
        lambda p: p.replace(b"-----BEGIN CERTIFICATE-----\n", b"-----BEGIN CERTIFICATE-----\n!!", 1),
    ],
)
def test_from_data_tolerance_matches_pyqt6(pki: Pki, transform: Any) -> None:
    data = transform(pki.chain_pem)
    expected = [bytes(c.toDer()) for c in QtNetwork.QSslCertificate.fromData(data)]
    assert [bytes(c.toDer()) for c in QSslCertificate.fromData(data)] == expected


@pytest.mark.parametrize(
    ("suffix", "syntax"),
    [
        ("/*.pem", "Wildcard"),
        ("/s?b/*", "Wildcard"),
        ("/*.crt", "Wildcard"),
        (r"/.*\.(pem|crt)", "RegularExpression"),
        ("/chain.pem", "FixedString"),
        ("", "FixedString"),
    ],
)
def test_from_path_matches_pyqt6(cert_dir: Path, suffix: str, syntax: str) -> None:
    path = str(cert_dir) + suffix
    expected = QtNetwork.QSslCertificate.fromPath(
        path, QtNetwork.QSsl.EncodingFormat.Pem, QtNetwork.QSslCertificate.PatternSyntax[syntax]
    )
    actual = QSslCertificate.fromPath(path, QSsl.EncodingFormat.Pem, QSslCertificate.PatternSyntax[syntax])
    # qtls visits files in sorted order, Qt in directory order: compare as multisets.
    assert sorted(bytes(c.toDer()) for c in actual) == sorted(bytes(c.toDer()) for c in expected)


def _verify_both(chain_pems: list[bytes], host: str) -> tuple[list[Any], list[Any]]:
    qt_chain = [QtNetwork.QSslCertificate(p) for p in chain_pems]
    our_chain = [QSslCertificate(p) for p in chain_pems]

    def summary(errors: list[Any]) -> list[tuple[str, bytes]]:
        return [(e.error().name, bytes(e.certificate().toDer())) for e in errors]

    return summary(QSslCertificate.verify(our_chain, host)), summary(QtNetwork.QSslCertificate.verify(qt_chain, host))


@pytest.mark.parametrize("host", ["", "example.com", "x.example.org", "wrong.test", "127.0.0.1", "::1", "leaf CN"])
def test_verify_matches_pyqt6_on_trustme_chain(pki: Pki, host: str) -> None:
    ours, qt = _verify_both([pki.leaf_pem, pki.intermediate_pem], host)
    assert ours == qt


@pytest.mark.parametrize("which", ["leaf_only", "with_root", "reversed"])
def test_verify_matches_pyqt6_on_chain_variants(pki: Pki, which: str) -> None:
    chains = {
        "leaf_only": [pki.leaf_pem],
        "with_root": [pki.leaf_pem, pki.intermediate_pem, pki.root_pem],
        "reversed": [pki.intermediate_pem, pki.leaf_pem],
    }
    ours, qt = _verify_both(chains[which], "example.com")
    assert ours == qt


def test_verify_matches_pyqt6_on_self_signed_expired(odd_cert: x509.Certificate, make_cert: CertFactory) -> None:
    now = dt.datetime.now(UTC)
    future = make_cert(not_before=now + dt.timedelta(days=1), not_after=now + dt.timedelta(days=2))
    for cert in (odd_cert, future):
        ours, qt = _verify_both([pem(cert)], "self.test")
        assert ours == qt


def test_verify_matches_pyqt6_on_a_system_root() -> None:
    roots = QSslCertificate.fromPath("/etc/ssl/certs/ca-certificates.crt")
    now = dt.datetime.now(UTC)
    valid = [r for r in roots if r.expiryDate().toPyDateTime().replace(tzinfo=UTC) > now]
    if not valid:
        pytest.skip("no system CA bundle")
    ours, qt = _verify_both([bytes(valid[0].toPem())], "")
    assert ours == qt == []


def test_verify_matches_pyqt6_with_a_ca_in_the_default_configuration(pki: Pki) -> None:
    from qtls.ssl.values.configuration import QSslConfiguration

    qt_original = QtNetwork.QSslConfiguration.defaultConfiguration()
    our_original = QSslConfiguration.defaultConfiguration()
    try:
        qt_conf = QtNetwork.QSslConfiguration.defaultConfiguration()
        qt_conf.addCaCertificates([QtNetwork.QSslCertificate(pki.root_pem)])
        QtNetwork.QSslConfiguration.setDefaultConfiguration(qt_conf)
        our_conf = QSslConfiguration.defaultConfiguration()
        our_conf.addCaCertificates([QSslCertificate(pki.root_pem)])
        QSslConfiguration.setDefaultConfiguration(our_conf)
        for host in ("example.com", "wrong.test"):
            ours, qt = _verify_both([pki.leaf_pem, pki.intermediate_pem], host)
            assert ours == qt
        ours, qt = _verify_both([pki.leaf_pem], "example.com")
        assert ours == qt
    finally:
        QtNetwork.QSslConfiguration.setDefaultConfiguration(qt_original)
        QSslConfiguration.setDefaultConfiguration(our_original)


def _scenario(make_cert: CertFactory, which: str) -> tuple[list[bytes], bytes]:
    """(chain PEMs, root PEM) for one verification scenario under a private root."""
    from cryptography.hazmat.primitives.asymmetric import ec

    now = dt.datetime.now(UTC)
    day = dt.timedelta(days=1)
    root_key, inter_key, other_key = (ec.generate_private_key(ec.SECP256R1()) for _ in range(3))
    root_name = [x509.NameAttribute(NameOID.COMMON_NAME, "scenario root")]
    inter_name = [x509.NameAttribute(NameOID.COMMON_NAME, "scenario inter")]
    leaf_name = [x509.NameAttribute(NameOID.COMMON_NAME, "scenario leaf")]
    ca = [(x509.BasicConstraints(True, 0 if which == "path_length" else None), True)]
    root = make_cert(subject=root_name, key=root_key, not_before=now - day, not_after=now + 9 * day, extensions=ca)
    inter_window = (now - 9 * day, now - day) if which == "expired_both" else (now - day, now + 9 * day)
    inter_ext = [(x509.BasicConstraints(which != "not_ca", None), True)]
    inter = make_cert(
        subject=inter_name, issuer=root_name, key=inter_key, signing_key=root_key,
        not_before=inter_window[0], not_after=inter_window[1], extensions=inter_ext,
    )
    leaf_window = (now - 9 * day, now - day) if which.startswith("expired") else (now - day, now + 9 * day)
    leaf = make_cert(
        subject=leaf_name, issuer=inter_name, signing_key=other_key if which == "bad_signature" else inter_key,
        not_before=leaf_window[0], not_after=leaf_window[1],
    )
    return [pem(leaf), pem(inter)], pem(root)


@pytest.mark.parametrize("which", ["good", "expired_leaf", "expired_both", "bad_signature", "not_ca", "path_length"])
def test_verify_matches_pyqt6_under_a_trusted_private_root(make_cert: CertFactory, which: str) -> None:
    from qtls.ssl.values.configuration import QSslConfiguration

    chain, root = _scenario(make_cert, which)
    qt_original = QtNetwork.QSslConfiguration.defaultConfiguration()
    our_original = QSslConfiguration.defaultConfiguration()
    try:
        qt_conf = QtNetwork.QSslConfiguration.defaultConfiguration()
        qt_conf.setCaCertificates([QtNetwork.QSslCertificate(root)])
        QtNetwork.QSslConfiguration.setDefaultConfiguration(qt_conf)
        our_conf = QSslConfiguration.defaultConfiguration()
        our_conf.setCaCertificates([QSslCertificate(root)])
        QSslConfiguration.setDefaultConfiguration(our_conf)
        ours, qt = _verify_both(chain, "")
        assert ours == qt
        assert [name for name, _ in ours] == EXPECTED_SCENARIO_ERRORS[which]
    finally:
        QtNetwork.QSslConfiguration.setDefaultConfiguration(qt_original)
        QSslConfiguration.setDefaultConfiguration(our_original)


EXPECTED_SCENARIO_ERRORS: dict[str, list[str]] = {
    "good": [],
    "expired_leaf": ["CertificateExpired"],
    "expired_both": ["CertificateExpired", "CertificateExpired"],
    "bad_signature": ["CertificateSignatureFailed"],
    "not_ca": ["InvalidCaCertificate"],
    "path_length": ["PathLengthExceeded"],
}


HOST_CASES = [
    "www.example.com", "a.b.example.com", "example.com", "WWW.Example.COM", "mail.cn.test", "w.cn.test",
    "www.cn.test", "bücher.idn.test", "xn--bcher-kva.idn.test", "10.1.2.3", "10.1.2.4", "::2", "0:0:0:0:0:0:0:2",
    "foo.com", "com", "", "host.two.test", "www.two.test", "exact.test", "EXACT.test", "exact.test.",
]


def test_host_name_matching_matches_pyqt6(make_cert: CertFactory) -> None:
    import ipaddress

    san = x509.SubjectAlternativeName(
        [
            x509.DNSName("*.example.com"),
            x509.DNSName("xn--bcher-kva.idn.test"),
            x509.DNSName("*.com"),
            x509.DNSName("exact.test"),
            x509.DNSName("*.*.two.test"),
            x509.IPAddress(ipaddress.ip_address("10.1.2.3")),
            x509.IPAddress(ipaddress.ip_address("::2")),
        ]
    )
    subject = [x509.NameAttribute(NameOID.COMMON_NAME, "w*.cn.test")]
    data = pem(make_cert(subject=subject, extensions=[(san, False)]))
    for host in HOST_CASES:
        ours, qt = _verify_both([data], host)
        assert ours == qt, host


def test_validity_dates_are_utc_and_print_like_pyqt6(pki: Pki) -> None:
    theirs_cert, ours_cert = both(pki.leaf_pem)
    for getter in ("effectiveDate", "expiryDate"):
        theirs_date, our_date = getattr(theirs_cert, getter)(), getattr(ours_cert, getter)()
        assert our_date.timeSpec().name == "UTC"
        assert our_date.toString() == theirs_date.toString()
        assert our_date.toSecsSinceEpoch() == theirs_date.toSecsSinceEpoch()
