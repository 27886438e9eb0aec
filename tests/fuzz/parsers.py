"""Fuzz targets for the parsers: one function per parser, fed any bytes.

Each target calls the public API the way an application would (and then every getter of what
came back, since ``cryptography`` parses some parts lazily) and returns normally whatever the
input: a null object or Qt's error state is fine, an exception is a bug. Used by the hypothesis
tests (``test_parsers.py``) and by the long atheris run (``python -m tests.fuzz.long``).
"""

from __future__ import annotations

import io
from collections.abc import Callable

from qtls.QtCore import QByteArray, QCryptographicHash
from qtls.QtNetwork import (
    QSsl,
    QSslCertificate,
    QSslDiffieHellmanParameters,
    QSslKey,
)
from qtls.ssl.values.ocsp import _check_stapled_response, _from_der, _OcspError

from .seeds import PASS_PHRASE, seeds

__all__ = ["TARGETS", "seed_inputs"]

_FORMATS = (QSsl.EncodingFormat.Pem, QSsl.EncodingFormat.Der)


def _touch_certificate(cert: QSslCertificate) -> None:
    """Every getter, as an application (or toText/verify) would call them."""
    assert isinstance(cert.isNull(), bool)
    cert.version()
    cert.serialNumber()
    cert.digest(QCryptographicHash.Algorithm.Sha256)
    for info in QSslCertificate.SubjectInfo:
        cert.subjectInfo(info)
        cert.issuerInfo(info)
    cert.subjectInfoAttributes()
    cert.issuerInfoAttributes()
    cert.subjectDisplayName()
    cert.issuerDisplayName()
    cert.subjectAlternativeNames()
    cert.effectiveDate()
    cert.expiryDate()
    cert.isBlacklisted()
    cert.isSelfSigned()
    key = cert.publicKey()
    _touch_key(key)
    for extension in cert.extensions():
        extension.name()
        extension.oid()
        extension.value()
        extension.isCritical()
        extension.isSupported()
    cert.toDer()
    cert.toPem()
    cert.toText()
    hash(cert)
    assert cert == QSslCertificate(cert)


def _touch_key(key: QSslKey) -> None:
    assert isinstance(key.isNull(), bool)
    key.algorithm()
    key.type()
    key.length()
    key.toPem()
    key.toDer()


def certificate(data: bytes) -> None:
    """QSslCertificate(data, format) for both formats, and fromData."""
    for fmt in _FORMATS:
        _touch_certificate(QSslCertificate(data, fmt))
        _touch_certificate(QSslCertificate(QByteArray(data), fmt))
        for cert in QSslCertificate.fromData(data, fmt):
            assert not cert.isNull()
            _touch_certificate(cert)


def certificate_verify(data: bytes) -> None:
    """QSslCertificate.verify on whatever fromData finds, with the seed CA after it."""
    chain = QSslCertificate.fromData(data, QSsl.EncodingFormat.Pem) or \
        QSslCertificate.fromData(data, QSsl.EncodingFormat.Der)
    if chain:
        ca = QSslCertificate(seeds().certificates_der[1], QSsl.EncodingFormat.Der)
        for error in QSslCertificate.verify([*chain, ca], "localhost"):
            error.error()
            error.errorString()


_ALGORITHMS = (QSsl.KeyAlgorithm.Rsa, QSsl.KeyAlgorithm.Ec, QSsl.KeyAlgorithm.Dsa,
               QSsl.KeyAlgorithm.Opaque)


def key(data: bytes) -> None:
    """QSslKey(data, algorithm, format, type, passPhrase) for every combination that parses."""
    for algorithm in _ALGORITHMS:
        if algorithm is QSsl.KeyAlgorithm.Opaque:
            continue  # an opaque key wraps a native handle, not bytes
        for fmt in _FORMATS:
            for kind in (QSsl.KeyType.PrivateKey, QSsl.KeyType.PublicKey):
                for phrase in (b"", PASS_PHRASE):
                    _touch_key(QSslKey(data, algorithm, fmt, kind, phrase))
    _touch_key(QSslKey(data, QSsl.KeyAlgorithm.Rsa))


def pkcs12(data: bytes) -> None:
    """QSslCertificate.importPkcs12 from a device (qtls has no QBuffer: any object with
    read() is one), with and without the pass phrase."""
    for phrase in (PASS_PHRASE, b""):
        key, cert, cas = QSslKey(), QSslCertificate(), []
        ok = QSslCertificate.importPkcs12(io.BytesIO(data), key, cert, cas, phrase)
        assert isinstance(ok, bool)
        if ok:
            assert not key.isNull() and not cert.isNull()
            _touch_key(key)
            _touch_certificate(cert)
            for ca in cas:
                _touch_certificate(ca)


def dh_parameters(data: bytes) -> None:
    """QSslDiffieHellmanParameters.fromEncoded in both formats: valid, or an error set."""
    for fmt in _FORMATS:
        params = QSslDiffieHellmanParameters.fromEncoded(data, fmt)
        if params.isValid():
            assert params.error() == QSslDiffieHellmanParameters.Error.NoError
        else:
            assert params.error() != QSslDiffieHellmanParameters.Error.NoError
            assert params.errorString()
        hash(params)


def ocsp(data: bytes) -> None:
    """A stapled OCSP response checked against the seed chain (what the handshake does)."""
    s = seeds()
    chain = [s.leaf, s.ca]
    verdict = _check_stapled_response(data, chain)
    assert verdict.fatal or verdict.response is not None or verdict.errors
    if verdict.response is not None:
        verdict.response.certificateStatus()
        verdict.response.revocationReason()
        verdict.response.responder().isNull()
        verdict.response.subject().isNull()
        hash(verdict.response)
    try:
        _from_der(data, s.leaf, s.ca)
    except _OcspError:
        pass  # the documented failure of that helper


TARGETS: dict[str, Callable[[bytes], None]] = {
    "certificate": certificate,
    "certificate_verify": certificate_verify,
    "key": key,
    "pkcs12": pkcs12,
    "dh_parameters": dh_parameters,
    "ocsp": ocsp,
}


def seed_inputs(target: str) -> list[bytes]:
    """The valid encodings a target's mutations start from."""
    s = seeds()
    return {
        "certificate": [*s.certificates_pem, *s.certificates_der],
        "certificate_verify": [*s.certificates_pem, *s.certificates_der],
        "key": [*s.keys_pem, *s.keys_der],
        "pkcs12": s.pkcs12,
        "dh_parameters": [*s.dh_pem, *s.dh_der],
        "ocsp": s.ocsp,
    }[target]
