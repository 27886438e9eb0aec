"""QOcspResponse: OCSP responses built with cryptography, read the way Qt reads stapled ones."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from qtls.QtNetwork import (
    QOcspCertificateStatus,
    QOcspResponse,
    QOcspRevocationReason,
    QSslCertificate,
)
from qtls.ssl.values.ocsp import _check_stapled_response, _from_der, _OcspError

NOW = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


@dataclass
class Party:
    """A certificate with its private key."""

    cert: x509.Certificate
    key: Any

    def qt(self) -> QSslCertificate:
        return QSslCertificate(self.cert.public_bytes(serialization.Encoding.PEM))


def issue(
    name: str,
    key: Any,
    issuer: Party | None,
    *,
    ca: bool = False,
    ocsp_signing: bool = False,
) -> Party:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.cert.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(days=1))
        .not_valid_after(NOW + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if ocsp_signing:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.OCSP_SIGNING]), critical=False
        )
    signer = issuer.key if issuer else key
    algorithm = None if isinstance(signer, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    return Party(builder.sign(signer, algorithm), key)


@pytest.fixture(scope="module")
def pki() -> dict[str, Party]:
    ca = issue("Test CA", ec.generate_private_key(ec.SECP256R1()), None, ca=True)
    other_ca = issue("Other CA", ed25519.Ed25519PrivateKey.generate(), None, ca=True)
    rsa_ca = issue(
        "RSA CA", rsa.generate_private_key(public_exponent=65537, key_size=2048), None, ca=True
    )
    return {
        "ca": ca,
        "other_ca": other_ca,
        "rsa_ca": rsa_ca,
        "leaf": issue("leaf.test", ec.generate_private_key(ec.SECP256R1()), ca),
        "rsa_leaf": issue("rsa.test", ec.generate_private_key(ec.SECP256R1()), rsa_ca),
        "delegate": issue(
            "OCSP responder", ec.generate_private_key(ec.SECP256R1()), ca, ocsp_signing=True
        ),
        "impostor": issue("Not a responder", ec.generate_private_key(ec.SECP256R1()), ca),
    }


def response(
    subject: Party,
    issuer: Party,
    status: ocsp.OCSPCertStatus = ocsp.OCSPCertStatus.GOOD,
    *,
    signer: Party | None = None,
    reason: x509.ReasonFlags | None = None,
    this_update: dt.datetime | None = None,
    next_update: dt.datetime | None = None,
    by_name: bool = False,
    hash_algorithm: hashes.HashAlgorithm | None = None,
) -> bytes:
    signer = signer or issuer
    revoked = status == ocsp.OCSPCertStatus.REVOKED
    builder = (
        ocsp.OCSPResponseBuilder()
        .add_response(
            cert=subject.cert,
            issuer=issuer.cert,
            algorithm=hash_algorithm or hashes.SHA1(),
            cert_status=status,
            this_update=this_update or NOW - dt.timedelta(minutes=5),
            next_update=next_update or NOW + dt.timedelta(days=1),
            revocation_time=NOW - dt.timedelta(hours=1) if revoked else None,
            revocation_reason=reason if revoked else None,
        )
        .responder_id(
            ocsp.OCSPResponderEncoding.NAME if by_name else ocsp.OCSPResponderEncoding.HASH,
            signer.cert,
        )
    )
    if signer is not issuer:
        builder = builder.certificates([signer.cert])
    algorithm = None if isinstance(signer.key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    return builder.sign(signer.key, algorithm).public_bytes(serialization.Encoding.DER)


def error_names(verdict: Any) -> list[str]:
    return [name for name, _ in verdict.errors]


# -- the value type ------------------------------------------------------------------------------


@pytest.mark.pyqt6
def test_default_response_matches_pyqt6(qt: ModuleType) -> None:
    ours, reference = QOcspResponse(), qt.QOcspResponse()
    assert ours.certificateStatus().value == reference.certificateStatus().value
    assert ours.revocationReason().value == reference.revocationReason().value
    assert ours.responder().isNull() and ours.subject().isNull()
    assert reference.responder().isNull() and reference.subject().isNull()


@pytest.mark.pyqt6
@pytest.mark.parametrize("enum_name", ["QOcspCertificateStatus", "QOcspRevocationReason"])
def test_enums_have_pyqt6_names_and_values(qt: ModuleType, enum_name: str) -> None:
    ours = {m.name: m.value for m in globals()[enum_name]}
    assert ours == {m.name: m.value for m in getattr(qt, enum_name)}


def test_equality_hash_copy_and_swap(pki: dict[str, Party]) -> None:
    good = _from_der(response(pki["leaf"], pki["ca"]), pki["leaf"].qt(), pki["ca"].qt())
    revoked = _from_der(
        response(pki["leaf"], pki["ca"], ocsp.OCSPCertStatus.REVOKED),
        pki["leaf"].qt(),
        pki["ca"].qt(),
    )
    copy = QOcspResponse(good)
    assert copy == good and hash(copy) == hash(good) and good != revoked
    assert QOcspResponse() == QOcspResponse() and good != QOcspResponse()
    copy.swap(revoked)
    assert copy.certificateStatus() == QOcspCertificateStatus.Revoked
    assert revoked == good
    assert (good == 1) is False
    with pytest.raises(TypeError):
        good.swap(1)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        QOcspResponse(1)  # type: ignore[arg-type]


# -- _from_der: the mapping ----------------------------------------------------------------------


def test_good_response_names_subject_and_issuer(pki: dict[str, Party]) -> None:
    leaf, ca = pki["leaf"], pki["ca"]
    result = _from_der(response(leaf, ca), leaf.qt(), ca.qt())
    assert result.certificateStatus() == QOcspCertificateStatus.Good
    assert result.revocationReason() == QOcspRevocationReason.None_
    assert result.subject() == leaf.qt() and result.responder() == ca.qt()


def test_unknown_status_is_reported(pki: dict[str, Party]) -> None:
    leaf, ca = pki["leaf"], pki["ca"]
    result = _from_der(response(leaf, ca, ocsp.OCSPCertStatus.UNKNOWN), leaf.cert, ca.cert)
    assert result.certificateStatus() == QOcspCertificateStatus.Unknown


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        (None, QOcspRevocationReason.None_),
        (x509.ReasonFlags.unspecified, QOcspRevocationReason.Unspecified),
        (x509.ReasonFlags.key_compromise, QOcspRevocationReason.KeyCompromise),
        (x509.ReasonFlags.ca_compromise, QOcspRevocationReason.CACompromise),
        (x509.ReasonFlags.affiliation_changed, QOcspRevocationReason.AffiliationChanged),
        (x509.ReasonFlags.superseded, QOcspRevocationReason.Superseded),
        (x509.ReasonFlags.cessation_of_operation, QOcspRevocationReason.CessationOfOperation),
        (x509.ReasonFlags.certificate_hold, QOcspRevocationReason.CertificateHold),
        (x509.ReasonFlags.remove_from_crl, QOcspRevocationReason.RemoveFromCRL),
        (x509.ReasonFlags.privilege_withdrawn, QOcspRevocationReason.None_),  # not in Qt
    ],
)
def test_revocation_reasons_map_to_qt(
    pki: dict[str, Party], reason: x509.ReasonFlags | None, expected: QOcspRevocationReason
) -> None:
    leaf, ca = pki["leaf"], pki["ca"]
    der = response(leaf, ca, ocsp.OCSPCertStatus.REVOKED, reason=reason)
    result = _from_der(der, leaf.qt(), ca.qt())
    assert result.certificateStatus() == QOcspCertificateStatus.Revoked
    assert result.revocationReason() == expected


def test_responder_is_null_when_the_cert_id_names_another_issuer(pki: dict[str, Party]) -> None:
    leaf = pki["leaf"]
    result = _from_der(response(leaf, pki["ca"]), leaf.qt(), pki["other_ca"].qt())
    assert result.responder().isNull() and result.subject() == leaf.qt()


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (ocsp.OCSPResponseStatus.TRY_LATER, "OcspTryLater"),
        (ocsp.OCSPResponseStatus.UNAUTHORIZED, "OcspUnauthorized"),
        (ocsp.OCSPResponseStatus.MALFORMED_REQUEST, "OcspMalformedRequest"),
        (ocsp.OCSPResponseStatus.INTERNAL_ERROR, "OcspInternalError"),
        (ocsp.OCSPResponseStatus.SIG_REQUIRED, "OcspSigRequred"),
    ],
)
def test_unsuccessful_response_raises_the_matching_ssl_error_name(
    pki: dict[str, Party], status: ocsp.OCSPResponseStatus, error: str
) -> None:
    der = ocsp.OCSPResponseBuilder.build_unsuccessful(status).public_bytes(
        serialization.Encoding.DER
    )
    with pytest.raises(_OcspError) as caught:
        _from_der(der, pki["leaf"].qt(), pki["ca"].qt())
    assert caught.value.error == error
    verdict = _check_stapled_response(der, [pki["leaf"].qt(), pki["ca"].qt()])
    assert error_names(verdict) == [error] and verdict.response is None


def test_undecodable_response_is_a_handshake_error(pki: dict[str, Party]) -> None:
    with pytest.raises(_OcspError) as caught:
        _from_der(b"\x30\x03\x0a\x01\x00junk", pki["leaf"].qt(), pki["ca"].qt())
    assert caught.value.error == ""
    verdict = _check_stapled_response(b"not DER", [pki["leaf"].cert])
    assert verdict.fatal == "Failed to decode OCSP response" and not verdict.errors


# -- _check_stapled_response: Qt's checks --------------------------------------------------------


def test_good_response_signed_by_the_issuer_passes(pki: dict[str, Party]) -> None:
    leaf, ca = pki["leaf"], pki["ca"]
    verdict = _check_stapled_response(response(leaf, ca), [leaf.qt(), ca.qt()])
    assert verdict.errors == [] and verdict.fatal == ""
    assert verdict.response is not None
    assert verdict.response.certificateStatus() == QOcspCertificateStatus.Good
    assert verdict.response.responder() == ca.qt()


def test_rsa_signed_response_by_name_with_sha256_cert_id_passes(pki: dict[str, Party]) -> None:
    leaf, ca = pki["rsa_leaf"], pki["rsa_ca"]
    der = response(leaf, ca, by_name=True, hash_algorithm=hashes.SHA256())
    assert _check_stapled_response(der, [leaf.cert, ca.cert]).errors == []


def test_delegated_responder_with_ocsp_signing_usage_is_trusted(pki: dict[str, Party]) -> None:
    leaf, ca = pki["leaf"], pki["ca"]
    der = response(leaf, ca, signer=pki["delegate"])
    assert _check_stapled_response(der, [leaf.cert, ca.cert]).errors == []


def test_responder_without_ocsp_signing_usage_cannot_be_trusted(pki: dict[str, Party]) -> None:
    leaf, ca = pki["leaf"], pki["ca"]
    der = response(leaf, ca, signer=pki["impostor"])
    verdict = _check_stapled_response(der, [leaf.cert, ca.cert])
    assert error_names(verdict) == ["OcspResponseCannotBeTrusted"]


def test_response_signed_by_a_stranger_cannot_be_trusted(pki: dict[str, Party]) -> None:
    leaf, ca = pki["leaf"], pki["ca"]
    der = response(leaf, ca, signer=pki["other_ca"])  # Ed25519, embedded, not from our CA
    verdict = _check_stapled_response(der, [leaf.cert, ca.cert])
    assert error_names(verdict) == ["OcspResponseCannotBeTrusted"]


def test_revoked_certificate_is_reported_with_its_reason(pki: dict[str, Party]) -> None:
    leaf, ca = pki["leaf"], pki["ca"]
    der = response(leaf, ca, ocsp.OCSPCertStatus.REVOKED, reason=x509.ReasonFlags.superseded)
    verdict = _check_stapled_response(der, [leaf.cert, ca.cert])
    assert error_names(verdict) == ["CertificateRevoked"]
    assert verdict.errors[0][1] == leaf.qt()
    assert verdict.response is not None
    assert verdict.response.revocationReason() == QOcspRevocationReason.Superseded


def test_unknown_status_is_an_error(pki: dict[str, Party]) -> None:
    leaf, ca = pki["leaf"], pki["ca"]
    der = response(leaf, ca, ocsp.OCSPCertStatus.UNKNOWN)
    assert error_names(_check_stapled_response(der, [leaf.cert, ca.cert])) == ["OcspStatusUnknown"]


def test_expired_and_not_yet_valid_responses_are_reported(pki: dict[str, Party]) -> None:
    leaf, ca = pki["leaf"], pki["ca"]
    old = response(
        leaf,
        ca,
        this_update=NOW - dt.timedelta(days=3),
        next_update=NOW - dt.timedelta(days=2),
    )
    future = response(leaf, ca, this_update=NOW + dt.timedelta(hours=1))
    for der in (old, future):
        verdict = _check_stapled_response(der, [leaf.cert, ca.cert], now=NOW)
        assert error_names(verdict) == ["OcspResponseExpired"]


def test_small_clock_skew_is_tolerated(pki: dict[str, Party]) -> None:
    leaf, ca = pki["leaf"], pki["ca"]
    der = response(leaf, ca, this_update=NOW + dt.timedelta(seconds=30))
    assert _check_stapled_response(der, [leaf.cert, ca.cert], now=NOW).errors == []


def test_response_about_another_certificate_has_unknown_cert_id(pki: dict[str, Party]) -> None:
    ca = pki["ca"]
    der = response(pki["impostor"], ca)  # a valid response, but not about our peer
    verdict = _check_stapled_response(der, [pki["leaf"].cert, ca.cert])
    assert "OcspResponseCertIdUnknown" in error_names(verdict)
    assert verdict.response is not None and verdict.response.responder().isNull()


def test_missing_response_is_reported() -> None:
    assert error_names(_check_stapled_response(None, [])) == ["OcspNoResponseFound"]
    assert error_names(_check_stapled_response(b"", [])) == ["OcspNoResponseFound"]


def test_self_signed_peer_is_its_own_responder(pki: dict[str, Party]) -> None:
    ca = pki["ca"]
    verdict = _check_stapled_response(response(ca, ca), [ca.cert])
    assert verdict.errors == []
    assert verdict.response is not None and verdict.response.responder() == ca.qt()


def test_response_with_a_broken_signature_cannot_be_trusted(pki: dict[str, Party]) -> None:
    leaf, ca = pki["leaf"], pki["ca"]
    der = bytearray(response(leaf, ca))  # no embedded certificates: the signature ends the DER
    der[-1] ^= 0x01
    verdict = _check_stapled_response(bytes(der), [leaf.cert, ca.cert])
    assert error_names(verdict) == ["OcspResponseCannotBeTrusted"]
