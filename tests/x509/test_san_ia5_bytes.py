"""Non-ASCII bytes in a subjectAltName: Qt reads the IA5String bytes as Latin-1.

A certificate whose DNS SAN holds UTF-8 (an emoji or an umlaut instead of the ``xn--`` A-label)
does not match the punycode host name in Qt, and its subjectAlternativeNames() give the bytes
as Latin-1 text. cryptography's DNSName refuses such text, so the SANs are built without its
validation (the DER then carries the UTF-8 bytes, as a careless CA would write them).
"""

from __future__ import annotations

from typing import Any

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

from qtls.ssl.qssl import QSsl
from qtls.ssl.x509.certificate import QSslCertificate
from qtls.ssl.x509.error import QSslError

from .conftest import CertFactory, pem

E = QSslError.SslError
DNS_LABELS = ["😀.example.com", "bücher.example", "*.ü.example", "plain.example"]
HOSTS = [
    "xn--i28h.example.com",
    "😀.example.com",
    "bücher.example",
    "xn--bcher-kva.example",
    "a.ü.example",
    "a.xn--tda.example",
    "plain.example",
    "bÃ¼cher.example",
    "a.Ã¼.example",
]


@pytest.fixture(scope="module")
def utf8_san_pem(make_cert: CertFactory) -> bytes:
    names: list[x509.GeneralName] = [
        x509.DNSName._init_without_validation(label) for label in DNS_LABELS
    ]
    names.append(x509.RFC822Name._init_without_validation("ü@example.com"))
    cert = make_cert(
        subject=[x509.NameAttribute(NameOID.COMMON_NAME, "leaf")],
        extensions=[(x509.SubjectAlternativeName(names), False)],
    )
    return pem(cert)


def _mismatch(cert: Any, host: str) -> bool:
    return any(error.error().name == "HostNameMismatch" for error in cert.verify([cert], host))


def test_utf8_dns_san_does_not_match_its_punycode_host(utf8_san_pem: bytes) -> None:
    cert = QSslCertificate(utf8_san_pem)
    assert _mismatch(cert, "xn--i28h.example.com")
    assert _mismatch(cert, "xn--bcher-kva.example")
    assert _mismatch(cert, "bücher.example")
    assert not _mismatch(cert, "plain.example")


def test_utf8_dns_san_reads_as_latin1_text(utf8_san_pem: bytes) -> None:
    names = QSslCertificate(utf8_san_pem).subjectAlternativeNames()
    latin1 = [label.encode("utf-8").decode("latin-1") for label in DNS_LABELS]
    assert names[QSsl.AlternativeNameEntryType.DnsEntry] == latin1[::-1]
    assert names[QSsl.AlternativeNameEntryType.EmailEntry] == ["Ã¼@example.com"]


def test_latin1_text_of_the_san_is_what_matches(utf8_san_pem: bytes) -> None:
    cert = QSslCertificate(utf8_san_pem)
    assert not _mismatch(cert, "bÃ¼cher.example")
    assert not _mismatch(cert, "a.Ã¼.example")


@pytest.mark.pyqt6
def test_san_names_and_matching_agree_with_pyqt6(utf8_san_pem: bytes, pyqt_network: Any) -> None:
    ours = QSslCertificate(utf8_san_pem)
    theirs = pyqt_network.QSslCertificate(utf8_san_pem)
    assert {k.name: v for k, v in ours.subjectAlternativeNames().items()} == {
        k.name: v for k, v in theirs.subjectAlternativeNames().items()
    }
    assert [_mismatch(ours, host) for host in HOSTS] == [_mismatch(theirs, host) for host in HOSTS]
    assert [(e.name(), e.value()) for e in ours.extensions()] == [
        (e.name(), e.value()) for e in theirs.extensions()
    ]
