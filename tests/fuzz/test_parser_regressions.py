"""Inputs the parser fuzzers found that made an exception escape, each rebuilt by hand.

Every one of them is valid DER except for the one field named; each used to raise out of the
public API (InvalidVersion, TypeError, UnsupportedAlgorithm, InternalError, OpenSSL's
crypto.Error) and must now give Qt's answer: a null object, an empty value, or an error.
"""

from __future__ import annotations

import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import ocsp
from cryptography.x509.oid import NameOID

from qtls.QtNetwork import QSsl, QSslCertificate, QSslError, QSslKey
from qtls.ssl.values.ocsp import QOcspRevocationReason, _check_stapled_response

from .seeds import seeds

DER = QSsl.EncodingFormat.Der


def _patch(data: bytes, old: bytes, new: bytes, *, last: bool = False) -> bytes:
    at = data.rfind(old) if last else data.find(old)
    assert at >= 0, f"{old.hex()} not in the encoding"
    return data[:at] + new + data[at + len(old):]


def _self_signed(name: x509.Name, key: ec.EllipticCurvePrivateKey | None = None) -> bytes:
    key = key or ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(7)
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1)).sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.DER)


def test_certificate_with_an_unknown_version_is_null() -> None:
    der = seeds().certificates_der[0]
    # [0] EXPLICIT INTEGER 2 (v3) -> 0x42: cryptography raises InvalidVersion, not ValueError.
    bad = _patch(der, b"\xa0\x03\x02\x01\x02", b"\xa0\x03\x02\x01\x42")
    assert QSslCertificate(bad, DER).isNull()
    assert QSslCertificate.fromData(bad, DER) == []


def test_name_attribute_cryptography_refuses_gives_empty_info() -> None:
    # A BIT STRING value is only allowed under x500UniqueIdentifier: put one under CN.
    name = x509.Name([x509.NameAttribute(NameOID.X500_UNIQUE_IDENTIFIER, b"\x00\x01",
                                         x509.name._ASN1Type.BitString)])
    der = _patch(_self_signed(name), b"\x06\x03\x55\x04\x2d", b"\x06\x03\x55\x04\x03")
    cert = QSslCertificate(der, DER)
    assert not cert.isNull()
    assert cert.subjectInfo(QSslCertificate.SubjectInfo.CommonName) == []
    assert cert.subjectDisplayName() == ""
    assert cert.isSelfSigned() is False
    assert isinstance(cert.toText(), str)


def test_public_key_on_an_unknown_curve_is_null() -> None:
    der = _self_signed(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "curve")]))
    p256 = bytes.fromhex("06082a8648ce3d030107")
    cert = QSslCertificate(_patch(der, p256, p256[:-1] + b"\x63"), DER)
    assert not cert.isNull()
    assert cert.publicKey().isNull()


def test_verify_a_certificate_openssl_cannot_read_reports_an_error() -> None:
    # CN as an OCTET STRING: cryptography reads the certificate, OpenSSL's X509_NAME refuses
    # the tag ("mstring wrong tag"), so the chain cannot be built.
    der = _self_signed(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "octets")]))
    bad = _patch(der, b"\x06\x03\x55\x04\x03\x0c", b"\x06\x03\x55\x04\x03\x04")
    cert = QSslCertificate(bad, DER)
    assert not cert.isNull()
    errors = QSslCertificate.verify([cert])
    assert errors and all(isinstance(e, QSslError) for e in errors)
    assert QSslError.SslError.UnspecifiedError in [e.error() for e in errors]


def test_ed25519_pkcs8_key_of_the_wrong_length_is_null() -> None:
    # PKCS#8 with a 31-byte raw Ed25519 key: OpenSSL fails (cryptography's InternalError).
    der = bytes.fromhex("302d020100300506032b6570042104" "1f") + bytes(31)
    key = QSslKey(der, QSsl.KeyAlgorithm.Ec, DER)
    assert key.isNull()


def _revoked_response(reason: x509.ReasonFlags) -> bytes:
    s = seeds()
    now = dt.datetime.now(dt.timezone.utc)
    response = (
        ocsp.OCSPResponseBuilder()
        .add_response(cert=s.leaf, issuer=s.ca, algorithm=hashes.SHA1(),
                      cert_status=ocsp.OCSPCertStatus.REVOKED,
                      revocation_time=now - dt.timedelta(days=1), revocation_reason=reason,
                      this_update=now - dt.timedelta(hours=1),
                      next_update=now + dt.timedelta(hours=1))
        .responder_id(ocsp.OCSPResponderEncoding.NAME, s.ca)
        .sign(s.ca_key, hashes.SHA256()))
    return response.public_bytes(serialization.Encoding.DER)


def test_ocsp_unknown_revocation_reason_maps_to_none() -> None:
    der = _patch(_revoked_response(x509.ReasonFlags.key_compromise),
                 b"\x0a\x01\x01", b"\x0a\x01\x41")  # CRLReason 65: not in RFC 5280
    verdict = _check_stapled_response(der, [seeds().leaf, seeds().ca])
    assert verdict.response is not None
    assert verdict.response.revocationReason() is QOcspRevocationReason.None_
    assert ("CertificateRevoked" in [name for name, _ in verdict.errors])


def test_ocsp_unknown_cert_id_hash_is_an_unknown_cert_id() -> None:
    sha1 = bytes.fromhex("06052b0e03021a")
    der = _patch(_revoked_response(x509.ReasonFlags.superseded), sha1, sha1[:-1] + b"\x1b")
    verdict = _check_stapled_response(der, [seeds().leaf, seeds().ca])
    names = [name for name, _ in verdict.errors]
    assert not verdict.fatal
    assert "OcspResponseCertIdUnknown" in names


def test_ocsp_unknown_signature_algorithm_cannot_be_trusted() -> None:
    ecdsa_sha256 = bytes.fromhex("06082a8648ce3d040302")
    der = _patch(_revoked_response(x509.ReasonFlags.superseded), ecdsa_sha256,
                 ecdsa_sha256[:-1] + b"\x09", last=True)
    verdict = _check_stapled_response(der, [seeds().leaf, seeds().ca])
    assert "OcspResponseCannotBeTrusted" in [name for name, _ in verdict.errors]


def _octet_string_cn_certificate() -> bytes:
    der = _self_signed(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "octets")]))
    return _patch(der, b"\x06\x03\x55\x04\x03\x0c", b"\x06\x03\x55\x04\x03\x04")


def test_engine_context_skips_a_ca_openssl_cannot_read() -> None:
    # A QSslConfiguration can hold such a CA (cryptography read it); building the OpenSSL
    # context must neither raise crypto.Error nor trust it.
    from qtls.ssl.engine import ContextCache, TlsSettings

    context = ContextCache().get(TlsSettings(ca_certificates=(_octet_string_cn_certificate(),)))
    assert context is not None


def test_engine_context_refuses_a_local_certificate_openssl_cannot_read() -> None:
    import pytest

    from qtls.ssl.engine import ContextCache, EngineConfigError, Role, TlsSettings

    key = ec.generate_private_key(ec.SECP256R1())
    der = _self_signed(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "octets")]), key)
    bad = _patch(der, b"\x06\x03\x55\x04\x03\x0c", b"\x06\x03\x55\x04\x03\x04")
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    with pytest.raises(EngineConfigError, match="local certificate"):
        ContextCache().get(TlsSettings(role=Role.SERVER, local_certificate_chain=(bad,),
                                       private_key=pem))
