"""importPkcs12, and certificates with odd fields: each gives a value, never an exception."""

from __future__ import annotations

import io
import time

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import (
    BestAvailableEncryption,
    NoEncryption,
    load_pem_private_key,
    pkcs12,
)
from cryptography.x509.oid import ExtensionOID, NameOID

from qtls.ssl.qssl import QSsl
from qtls.ssl.x509.certificate import QSslCertificate

from .conftest import CertFactory, Pki, der, pem

Alt = QSsl.AlternativeNameEntryType


class FakeDevice:
    def __init__(self, data: bytes) -> None:
        self._buffer = io.BytesIO(data)

    def readAll(self) -> bytes:
        return self._buffer.read()


def _qsslkey() -> type:
    key_module = pytest.importorskip("qtls.ssl.x509.key")
    if not hasattr(key_module, "QSslKey"):
        pytest.skip("QSslKey has not landed yet")
    return key_module.QSslKey  # type: ignore[no-any-return]


def _bundle(pki: Pki, password: bytes | None) -> bytes:
    key = load_pem_private_key(pki.leaf_key_pem, None)
    cert = x509.load_pem_x509_certificate(pki.leaf_pem)
    cas = [x509.load_pem_x509_certificate(pki.intermediate_pem)]
    encryption = BestAvailableEncryption(password) if password else NoEncryption()
    return pkcs12.serialize_key_and_certificates(b"leaf", key, cert, cas, encryption)  # type: ignore[arg-type]


@pytest.mark.parametrize("password", [b"secret", None])
def test_import_pkcs12_fills_key_and_certificate_in_place(pki: Pki, password: bytes | None) -> None:
    QSslKey = _qsslkey()
    key, cert = QSslKey(), QSslCertificate()
    cas: list[QSslCertificate] = []
    ok = QSslCertificate.importPkcs12(FakeDevice(_bundle(pki, password)), key, cert, cas, password or b"")
    assert ok
    assert not key.isNull() and key.type() == QSsl.KeyType.PrivateKey
    assert cert == QSslCertificate(pki.leaf_pem)
    assert cas == [QSslCertificate(pki.intermediate_pem)]


def test_import_pkcs12_with_wrong_pass_phrase_changes_nothing(pki: Pki) -> None:
    QSslKey = _qsslkey()
    key, cert = QSslKey(), QSslCertificate()
    assert not QSslCertificate.importPkcs12(FakeDevice(_bundle(pki, b"secret")), key, cert, [], b"wrong")
    assert key.isNull() and cert.isNull()
    assert not QSslCertificate.importPkcs12(FakeDevice(_bundle(pki, b"secret")), key, cert)
    assert cert.isNull()


@pytest.mark.parametrize("data", [b"", b"garbage", b"\x30\x03\x02\x01\x03"])
def test_import_pkcs12_of_garbage_is_false(data: bytes) -> None:
    QSslKey = _qsslkey()
    assert not QSslCertificate.importPkcs12(FakeDevice(data), QSslKey(), QSslCertificate())


def test_import_pkcs12_without_device_is_false() -> None:
    QSslKey = _qsslkey()
    assert not QSslCertificate.importPkcs12(None, QSslKey(), QSslCertificate())


# -- oddities -------------------------------------------------------------------------------------


def test_ten_thousand_sans_stay_fast(make_cert: CertFactory) -> None:
    san = x509.SubjectAlternativeName([x509.DNSName(f"h{i}.example") for i in range(10_000)])
    cert = QSslCertificate(pem(make_cert(extensions=[(san, False)])))
    started = time.monotonic()
    names = cert.subjectAlternativeNames()[Alt.DnsEntry]
    assert len(names) == 10_000 and names[0] == "h9999.example"
    assert len(cert.extensions()) == 1
    assert len(cert.toText()) == 16384
    assert not any(e.error().name == "HostNameMismatch" for e in QSslCertificate.verify([cert], "h5000.example"))
    assert time.monotonic() - started < 10


def test_utf8_names_and_idn_san(make_cert: CertFactory) -> None:
    subject = [x509.NameAttribute(NameOID.COMMON_NAME, "Bücher ✓"), x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Ωmega")]
    san = x509.SubjectAlternativeName([x509.DNSName("xn--bcher-kva.example")])
    cert = QSslCertificate(pem(make_cert(subject=subject, extensions=[(san, False)])))
    assert cert.subjectInfo(b"CN") == ["Bücher ✓"]
    assert cert.subjectDisplayName() == "Bücher ✓"
    assert cert.issuerInfo(QSslCertificate.SubjectInfo.Organization) == ["Ωmega"]
    errors = [e.error().name for e in QSslCertificate.verify([cert], "bücher.example")]
    assert "HostNameMismatch" not in errors
    # toText() is OpenSSL's X509_print, which escapes the UTF-8 bytes of names.
    assert "Subject: CN=B\\xC3\\xBCcher \\xE2\\x9C\\x93, O=\\xCE\\xA9mega" in cert.toText()


def test_negative_serial_prints_its_magnitude(make_cert: CertFactory) -> None:
    data = der(make_cert(serial=0x0FAB))
    assert data.count(b"\x02\x02\x0f\xab") == 1
    negative = data.replace(b"\x02\x02\x0f\xab", b"\x02\x02\x8f\xab")  # INTEGER -0x7055
    cert = QSslCertificate(negative, QSsl.EncodingFormat.Der)
    assert not cert.isNull()
    assert bytes(cert.serialNumber()) == b"70:55"


def test_empty_subject_and_issuer(make_cert: CertFactory) -> None:
    cert = QSslCertificate(pem(make_cert(subject=[])))
    assert cert.subjectInfoAttributes() == [] and cert.issuerInfoAttributes() == []
    assert cert.subjectDisplayName() == "" and cert.issuerDisplayName() == ""
    assert cert.subjectInfo(QSslCertificate.SubjectInfo.CommonName) == []


def test_malformed_known_extension_does_not_raise_from_getters(make_cert: CertFactory) -> None:
    broken = x509.UnrecognizedExtension(ExtensionOID.BASIC_CONSTRAINTS, b"\x01\x02")
    cert = QSslCertificate(pem(make_cert(extensions=[(broken, True)])))
    assert not cert.isNull()
    assert cert.extensions() == []  # cryptography refuses the whole extension list
    assert cert.subjectAlternativeNames() == {}
    assert isinstance(cert.isSelfSigned(), bool)
    assert isinstance(QSslCertificate.verify([cert]), list)
    assert cert.toText().startswith("Certificate:")
