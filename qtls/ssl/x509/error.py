"""QSslError: one verification or TLS error, with Qt's error strings.

A QSslError is a small immutable value: an :class:`QSslError.SslError` code and, optionally, the
certificate the error is about. QSslSocket reports a list of them in ``sslErrors``; the program
answers with ``ignoreSslErrors(list)``, which matches errors by equality (code *and* certificate),
so equality and hashing are part of the contract.

The module also holds the translation from OpenSSL's ``X509_V_ERR_*`` verification codes to Qt's
codes, exactly as Qt's OpenSSL backend does it (``X509CertificateOpenSSL::openSSLErrorToQSslError``
in qtbase ``src/plugins/tls/openssl/qx509_openssl.cpp``). The certificate verifier and the TLS
engine use :func:`ssl_error_from_verify_code`; nothing else should know OpenSSL's numbers.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - import for annotations only (avoids an import cycle)
    from qtls.ssl.x509.certificate import QSslCertificate

__all__ = ["QSslError"]


class QSslError:
    """An SSL error: an error code and the certificate it concerns (Qt's ``QSslError``).

    ``QSslError()`` is ``NoError`` with no certificate. Two errors are equal when both the code
    and the certificate are equal; an error without a certificate equals the same error with a
    null certificate, as in Qt (where "no certificate" *is* a null QSslCertificate).
    Like PyQt6, the code must be a ``QSslError.SslError`` member (a plain ``int`` is a TypeError).
    """

    class SslError(enum.Enum):
        """Every error Qt can report during certificate verification or the handshake."""

        UnspecifiedError = -1
        NoError = 0
        UnableToGetIssuerCertificate = 1
        UnableToDecryptCertificateSignature = 2
        UnableToDecodeIssuerPublicKey = 3
        CertificateSignatureFailed = 4
        CertificateNotYetValid = 5
        CertificateExpired = 6
        InvalidNotBeforeField = 7
        InvalidNotAfterField = 8
        SelfSignedCertificate = 9
        SelfSignedCertificateInChain = 10
        UnableToGetLocalIssuerCertificate = 11
        UnableToVerifyFirstCertificate = 12
        CertificateRevoked = 13
        InvalidCaCertificate = 14
        PathLengthExceeded = 15
        InvalidPurpose = 16
        CertificateUntrusted = 17
        CertificateRejected = 18
        SubjectIssuerMismatch = 19
        AuthorityIssuerSerialNumberMismatch = 20
        NoPeerCertificate = 21
        HostNameMismatch = 22
        NoSslSupport = 23
        CertificateBlacklisted = 24
        CertificateStatusUnknown = 25
        OcspNoResponseFound = 26
        OcspMalformedRequest = 27
        OcspMalformedResponse = 28
        OcspInternalError = 29
        OcspTryLater = 30
        OcspSigRequred = 31  # sic: Qt's spelling
        OcspUnauthorized = 32
        OcspResponseCannotBeTrusted = 33
        OcspResponseCertIdUnknown = 34
        OcspResponseExpired = 35
        OcspStatusUnknown = 36

    __slots__ = ("_error", "_certificate", "_rule")

    def __init__(self, *args: Any) -> None:
        """``QSslError()``, ``QSslError(error)``, ``QSslError(error, certificate)``,
        ``QSslError(other)``."""
        self._error: QSslError.SslError = QSslError.SslError.NoError
        # None means "no certificate"; certificate() turns it into a null QSslCertificate.
        self._certificate: QSslCertificate | None = None
        # qtls's strict verification only: the rule an error reports (its errorString), part of
        # its identity so that each rule is ignored on its own. None for every error Qt reports.
        self._rule: str | None = None
        if len(args) == 0:
            return
        if len(args) == 1 and isinstance(args[0], QSslError):
            self._error, self._certificate = args[0]._error, args[0]._certificate
            self._rule = args[0]._rule
            return
        if len(args) > 2:
            raise TypeError(f"QSslError() takes at most 2 arguments ({len(args)} given)")
        if not isinstance(args[0], QSslError.SslError):
            raise TypeError(
                f"QSslError(): argument 1 has unexpected type '{type(args[0]).__name__}'"
            )
        self._error = args[0]
        if len(args) == 2:
            self._certificate = _check_certificate(args[1])

    # -- Qt API -----------------------------------------------------------------------------

    def error(self) -> QSslError.SslError:
        """The error code."""
        return self._error

    def errorString(self) -> str:
        """Qt's English description of the error (``QSslError::errorString``).

        Codes without an entry in Qt's table (``CertificateRevoked``, ``CertificateStatusUnknown``,
        ``UnspecifiedError``) give ``"Unknown error"``, and ``NoSslSupport`` gives ``""``, exactly
        as Qt 6 does. An error found by qtls's strict verification (a qtls extension, see
        :mod:`qtls.ssl.x509.strict`) says which rule was broken instead.
        """
        if self._rule is not None:
            return self._rule
        return _ERROR_STRINGS.get(self._error, _UNKNOWN_ERROR)

    def certificate(self) -> QSslCertificate:
        """The certificate the error is about; a null QSslCertificate when there is none."""
        if self._certificate is not None:
            return self._certificate
        from qtls.ssl.x509.certificate import (
            QSslCertificate,  # lazy: certificate imports this module
        )

        return QSslCertificate()

    def swap(self, other: QSslError) -> None:
        """Exchange the contents of this error and *other*."""
        if not isinstance(other, QSslError):
            raise TypeError(f"swap(): argument 1 has unexpected type '{type(other).__name__}'")
        self._error, other._error = other._error, self._error
        self._certificate, other._certificate = other._certificate, self._certificate
        self._rule, other._rule = other._rule, self._rule

    # -- value semantics --------------------------------------------------------------------

    def _certificate_key(self) -> object:
        """The certificate as compared: None for "none" and for a null certificate alike."""
        cert = self._certificate
        if cert is None:
            return None
        try:
            if cert.isNull():
                return None
        except AttributeError:  # pragma: no cover - only if the certificate class is incomplete
            pass
        return cert

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, QSslError):
            return NotImplemented
        return (
            self._error is other._error
            and self._rule == other._rule
            and self._certificate_key() == other._certificate_key()
        )

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def __hash__(self) -> int:
        return hash((self._error.value, self._rule, self._certificate_key()))

    def __repr__(self) -> str:
        # PyQt6 only shows the default object repr; this one says what the error is.
        cert = "" if self._certificate_key() is None else ", <certificate>"
        return f"<qtls.QtNetwork.QSslError {self._error.name}{cert}: {self.errorString()!r}>"


def rule_error(
    error: QSslError.SslError, certificate: QSslCertificate | None, rule: str
) -> QSslError:
    """A QSslError that reports a broken verification *rule* (qtls's strict verification).

    It compares equal only to an error of the same code, certificate and rule, so that
    ``ignoreSslErrors([that error])`` ignores that rule and no other.
    """
    made = QSslError(error) if certificate is None else QSslError(error, certificate)
    made._rule = rule
    return made


def _check_certificate(certificate: object) -> QSslCertificate:
    """Reject what PyQt6 rejects as the certificate argument (None or a non-certificate)."""
    try:
        from qtls.ssl.x509.certificate import QSslCertificate
    except ImportError:  # pragma: no cover - the certificate module is always present
        QSslCertificate = None  # type: ignore[assignment,misc]  # noqa: N806
    expected = QSslCertificate if isinstance(QSslCertificate, type) else None
    if certificate is None or (expected is not None and not isinstance(certificate, expected)):
        raise TypeError(
            f"QSslError(): argument 2 has unexpected type '{type(certificate).__name__}'"
        )
    return certificate  # type: ignore[return-value]


_E = QSslError.SslError
_UNKNOWN_ERROR = "Unknown error"

# Qt 6's QSslError::errorString() table, checked against PyQt6 by tests/keys/test_error.py.
# Codes missing here fall back to "Unknown error", as in Qt's switch statement's default.
_ERROR_STRINGS: dict[QSslError.SslError, str] = {
    _E.NoError: "No error",
    _E.UnableToGetIssuerCertificate: "The issuer certificate could not be found",
    _E.UnableToDecryptCertificateSignature: "The certificate signature could not be decrypted",
    _E.UnableToDecodeIssuerPublicKey: "The public key in the certificate could not be read",
    _E.CertificateSignatureFailed: "The signature of the certificate is invalid",
    _E.CertificateNotYetValid: "The certificate is not yet valid",
    _E.CertificateExpired: "The certificate has expired",
    _E.InvalidNotBeforeField: "The certificate's notBefore field contains an invalid time",
    _E.InvalidNotAfterField: "The certificate's notAfter field contains an invalid time",
    _E.SelfSignedCertificate: "The certificate is self-signed, and untrusted",
    _E.SelfSignedCertificateInChain: (
        "The root certificate of the certificate chain is self-signed, and untrusted"
    ),
    _E.UnableToGetLocalIssuerCertificate: (
        "The issuer certificate of a locally looked up certificate could not be found"
    ),
    _E.UnableToVerifyFirstCertificate: "No certificates could be verified",
    _E.InvalidCaCertificate: "One of the CA certificates is invalid",
    _E.PathLengthExceeded: "The basicConstraints path length parameter has been exceeded",
    _E.InvalidPurpose: "The supplied certificate is unsuitable for this purpose",
    _E.CertificateUntrusted: "The root CA certificate is not trusted for this purpose",
    _E.CertificateRejected: "The root CA certificate is marked to reject the specified purpose",
    _E.SubjectIssuerMismatch: (
        "The current candidate issuer certificate was rejected because its subject name did "
        "not match the issuer name of the current certificate"
    ),
    _E.AuthorityIssuerSerialNumberMismatch: (
        "The current candidate issuer certificate was rejected because its issuer name and "
        "serial number was present and did not match the authority key identifier of the "
        "current certificate"
    ),
    _E.NoPeerCertificate: "The peer did not present any certificate",
    _E.HostNameMismatch: "The host name did not match any of the valid hosts for this certificate",
    _E.NoSslSupport: "",
    _E.CertificateBlacklisted: "The peer certificate is blacklisted",
    _E.OcspNoResponseFound: "No OCSP status response found",
    _E.OcspMalformedRequest: "The OCSP status request had invalid syntax",
    _E.OcspMalformedResponse: (
        "OCSP response contains an unexpected number of SingleResponse structures"
    ),
    _E.OcspInternalError: "OCSP responder reached an inconsistent internal state",
    _E.OcspTryLater: ("OCSP responder was unable to return a status for the requested certificate"),
    _E.OcspSigRequred: (
        "The server requires the client to sign the OCSP request in order to construct a response"
    ),
    _E.OcspUnauthorized: "The client is not authorized to request OCSP status from this server",
    _E.OcspResponseCannotBeTrusted: "OCSP responder's identity cannot be verified",
    _E.OcspResponseCertIdUnknown: (
        "The identity of a certificate in an OCSP response cannot be established"
    ),
    _E.OcspResponseExpired: "The certificate status response has expired",
    _E.OcspStatusUnknown: "The certificate's status is unknown",
}

# OpenSSL's X509_V_ERR_* numbers (OpenSSL 3.0+, which renumbered X509_V_ERR_INVALID_CA from 24
# to 79) mapped as Qt's openSSLErrorToQSslError() maps them. Everything else, including
# X509_V_ERR_HOSTNAME_MISMATCH (Qt checks host names itself), is UnspecifiedError.
_VERIFY_CODE_TO_ERROR: dict[int, QSslError.SslError] = {
    0: _E.NoError,  # X509_V_OK, also what OpenSSL reports when the peer sent no certificate
    2: _E.UnableToGetIssuerCertificate,  # X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT
    4: _E.UnableToDecryptCertificateSignature,  # X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE
    6: _E.UnableToDecodeIssuerPublicKey,  # X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY
    7: _E.CertificateSignatureFailed,  # X509_V_ERR_CERT_SIGNATURE_FAILURE
    9: _E.CertificateNotYetValid,  # X509_V_ERR_CERT_NOT_YET_VALID
    10: _E.CertificateExpired,  # X509_V_ERR_CERT_HAS_EXPIRED
    13: _E.InvalidNotBeforeField,  # X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD
    14: _E.InvalidNotAfterField,  # X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD
    18: _E.SelfSignedCertificate,  # X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT
    19: _E.SelfSignedCertificateInChain,  # X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN
    20: _E.UnableToGetLocalIssuerCertificate,  # X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY
    21: _E.UnableToVerifyFirstCertificate,  # X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE
    23: _E.CertificateRevoked,  # X509_V_ERR_CERT_REVOKED
    79: _E.InvalidCaCertificate,  # X509_V_ERR_INVALID_CA
    25: _E.PathLengthExceeded,  # X509_V_ERR_PATH_LENGTH_EXCEEDED
    26: _E.InvalidPurpose,  # X509_V_ERR_INVALID_PURPOSE
    27: _E.CertificateUntrusted,  # X509_V_ERR_CERT_UNTRUSTED
    28: _E.CertificateRejected,  # X509_V_ERR_CERT_REJECTED
}

_ERROR_TO_VERIFY_CODE: dict[QSslError.SslError, int] = {
    error: code for code, error in _VERIFY_CODE_TO_ERROR.items()
}


def ssl_error_from_verify_code(code: int) -> QSslError.SslError:
    """Qt's error for an OpenSSL ``X509_V_ERR_*`` verification code (``X509_STORE_CTX_get_error``).

    Same mapping as Qt's OpenSSL backend; unknown codes give ``UnspecifiedError``.
    Build the QSslError with the certificate at the error's depth:
    ``QSslError(ssl_error_from_verify_code(code), chain[depth])``.
    """
    return _VERIFY_CODE_TO_ERROR.get(code, _E.UnspecifiedError)


def verify_code_from_ssl_error(error: QSslError.SslError) -> int | None:
    """The OpenSSL ``X509_V_ERR_*`` code Qt maps to *error*, or None when no code maps to it.

    The inverse of :func:`ssl_error_from_verify_code` (``NoError`` gives ``X509_V_OK``, 0); useful
    to report a Qt error back to OpenSSL, e.g. as the verify result of a custom verifier.
    """
    return _ERROR_TO_VERIFY_CODE.get(error)
