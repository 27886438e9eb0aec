"""QSslError: codes, Qt's strings, value semantics, and the OpenSSL verify-code mapping."""

from __future__ import annotations

import pytest

from qtls.ssl.x509.error import QSslError, ssl_error_from_verify_code, verify_code_from_ssl_error

E = QSslError.SslError


def test_default_error_is_no_error_without_certificate() -> None:
    error = QSslError()
    assert error.error() is E.NoError
    assert error.errorString() == "No error"


def test_error_keeps_its_code() -> None:
    assert QSslError(E.CertificateExpired).error() is E.CertificateExpired
    assert QSslError(E.CertificateExpired).errorString() == "The certificate has expired"


def test_plain_int_code_is_a_type_error_as_in_pyqt6() -> None:
    with pytest.raises(TypeError):
        QSslError(6)  # type: ignore[arg-type]


def test_none_certificate_is_a_type_error_as_in_pyqt6() -> None:
    with pytest.raises(TypeError):
        QSslError(E.CertificateExpired, None)


def test_codes_without_a_string_in_qt_say_unknown_error() -> None:
    assert QSslError(E.CertificateRevoked).errorString() == "Unknown error"
    assert QSslError(E.UnspecifiedError).errorString() == "Unknown error"
    assert QSslError(E.NoSslSupport).errorString() == ""


def test_equal_errors_hash_equal_and_different_codes_differ() -> None:
    a, b = QSslError(E.SelfSignedCertificate), QSslError(E.SelfSignedCertificate)
    assert a == b and not a != b
    assert hash(a) == hash(b)
    assert a != QSslError(E.CertificateExpired)
    assert len({a, b, QSslError(E.CertificateExpired)}) == 2


def test_copy_constructor_copies_code() -> None:
    original = QSslError(E.HostNameMismatch)
    copy = QSslError(original)
    assert copy == original and copy is not original


def test_swap_exchanges_codes() -> None:
    a, b = QSslError(E.CertificateExpired), QSslError(E.HostNameMismatch)
    a.swap(b)
    assert a.error() is E.HostNameMismatch and b.error() is E.CertificateExpired


def test_error_is_not_equal_to_other_types() -> None:
    assert QSslError() != 0
    assert QSslError() != None  # noqa: E711 - exercising __ne__ with None


def test_certificate_of_error_without_one_is_null() -> None:
    from qtls.ssl.x509 import certificate

    if not hasattr(certificate, "QSslCertificate"):
        pytest.skip("QSslCertificate not written yet")
    assert QSslError(E.CertificateExpired).certificate().isNull()


def test_error_with_certificate_differs_from_error_without() -> None:
    from qtls.ssl.x509 import certificate

    if not hasattr(certificate, "QSslCertificate"):
        pytest.skip("QSslCertificate not written yet")
    trustme = pytest.importorskip("trustme")
    pem = trustme.CA().cert_pem.bytes()
    cert = certificate.QSslCertificate(pem)
    with_cert = QSslError(E.SelfSignedCertificate, cert)
    assert with_cert.certificate() == cert
    assert with_cert != QSslError(E.SelfSignedCertificate)
    assert with_cert == QSslError(E.SelfSignedCertificate, certificate.QSslCertificate(pem))
    assert hash(with_cert) == hash(
        QSslError(E.SelfSignedCertificate, certificate.QSslCertificate(pem))
    )
    assert len({with_cert, QSslError(E.SelfSignedCertificate)}) == 2
    assert QSslError(E.SelfSignedCertificate, certificate.QSslCertificate()) == QSslError(
        E.SelfSignedCertificate
    )


# -- OpenSSL verify codes ----------------------------------------------------------------------


def _openssl_lib() -> object:
    from cryptography.hazmat.bindings.openssl.binding import Binding

    return Binding().lib


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("X509_V_OK", E.NoError),
        ("X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT", E.UnableToGetIssuerCertificate),
        ("X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE", E.UnableToDecryptCertificateSignature),
        ("X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY", E.UnableToDecodeIssuerPublicKey),
        ("X509_V_ERR_CERT_SIGNATURE_FAILURE", E.CertificateSignatureFailed),
        ("X509_V_ERR_CERT_NOT_YET_VALID", E.CertificateNotYetValid),
        ("X509_V_ERR_CERT_HAS_EXPIRED", E.CertificateExpired),
        ("X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD", E.InvalidNotBeforeField),
        ("X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD", E.InvalidNotAfterField),
        ("X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT", E.SelfSignedCertificate),
        ("X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN", E.SelfSignedCertificateInChain),
        ("X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY", E.UnableToGetLocalIssuerCertificate),
        ("X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE", E.UnableToVerifyFirstCertificate),
        ("X509_V_ERR_CERT_REVOKED", E.CertificateRevoked),
        ("X509_V_ERR_INVALID_CA", E.InvalidCaCertificate),
        ("X509_V_ERR_PATH_LENGTH_EXCEEDED", E.PathLengthExceeded),
        ("X509_V_ERR_INVALID_PURPOSE", E.InvalidPurpose),
        ("X509_V_ERR_CERT_UNTRUSTED", E.CertificateUntrusted),
        ("X509_V_ERR_CERT_REJECTED", E.CertificateRejected),
        # Not in Qt's table: Qt checks host names itself, and CRL errors are unspecified.
        ("X509_V_ERR_HOSTNAME_MISMATCH", E.UnspecifiedError),
        ("X509_V_ERR_UNABLE_TO_GET_CRL", E.UnspecifiedError),
        ("X509_V_ERR_CERT_CHAIN_TOO_LONG", E.UnspecifiedError),
    ],
)
def test_verify_code_maps_as_qt_openssl_backend(name: str, expected: QSslError.SslError) -> None:
    code = getattr(_openssl_lib(), name)
    assert ssl_error_from_verify_code(code) is expected


def test_unknown_verify_code_is_unspecified_error() -> None:
    assert ssl_error_from_verify_code(123456) is E.UnspecifiedError
    assert ssl_error_from_verify_code(-5) is E.UnspecifiedError


def test_inverse_mapping_round_trips_every_mapped_error() -> None:
    mapped = [e for e in E if verify_code_from_ssl_error(e) is not None]
    assert len(mapped) == 19
    for error in mapped:
        code = verify_code_from_ssl_error(error)
        assert code is not None and ssl_error_from_verify_code(code) is error
    assert verify_code_from_ssl_error(E.HostNameMismatch) is None


def test_verify_code_of_real_self_signed_certificate_is_self_signed_error() -> None:
    trustme = pytest.importorskip("trustme")
    from OpenSSL import crypto

    ca = trustme.CA()
    store = crypto.X509Store()
    leaf = crypto.load_certificate(crypto.FILETYPE_PEM, ca.cert_pem.bytes())
    context = crypto.X509StoreContext(store, leaf)
    with pytest.raises(crypto.X509StoreContextError) as info:
        context.verify_certificate()
    assert ssl_error_from_verify_code(info.value.errors[0]) is E.SelfSignedCertificate


# -- against PyQt6 ------------------------------------------------------------------------------


@pytest.mark.pyqt6
def test_enum_values_match_pyqt6() -> None:
    network = pytest.importorskip("PyQt6.QtNetwork")
    theirs = {m.name: m.value for m in network.QSslError.SslError}
    assert {m.name: m.value for m in E} == theirs


@pytest.mark.pyqt6
def test_error_string_of_every_code_matches_pyqt6() -> None:
    network = pytest.importorskip("PyQt6.QtNetwork")
    for member in E:
        theirs = network.QSslError(network.QSslError.SslError[member.name]).errorString()
        assert QSslError(member).errorString() == theirs, member
