"""QOcspResponse and the OCSP enums.

A client that asks for OCSP stapling (``QSslConfiguration.setOcspStaplingEnabled(True)``) gets
the server's stapled response checked during the handshake; ``QSslSocket.ocspResponses()``
then returns one QOcspResponse. The checks are Qt's (``TlsCryptographOpenSSL::
checkOcspStatus``), done here on ``cryptography.x509.ocsp`` so that the TLS engine only hands
over the DER and the peer's chain:

1. the response must decode (else a handshake error) and be ``successful`` (else the
   ``Ocsp*`` error matching its status);
2. its signature must verify with the responder's certificate, found by responder ID among the
   certificates embedded in the response and the peer's chain, and that responder must be the
   certificate's issuer or a delegate the issuer signed with the OCSPSigning extended key usage
   (else ``OcspResponseCannotBeTrusted``); the chain itself is verified by the handshake;
3. it must hold exactly one SingleResponse (else ``OcspMalformedResponse``), whose CertID names
   the peer certificate and an issuer from the chain (else ``OcspResponseCertIdUnknown``);
4. thisUpdate/nextUpdate must hold the current time, with 60 s leeway (else
   ``OcspResponseExpired``);
5. the status: good, revoked (``CertificateRevoked``) or unknown (``OcspStatusUnknown``).

qtls differs from Qt on purpose in one place: the CertID is recomputed with the hash the
response uses (RFC 6960 allows SHA-256), where Qt always recomputes it with SHA-1.
"""

from __future__ import annotations

import datetime as _dt
import enum
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm

__all__ = ["QOcspCertificateStatus", "QOcspResponse", "QOcspRevocationReason"]


class QOcspCertificateStatus(enum.Enum):
    """The certificate status an OCSP responder reported."""

    Good = 0
    Revoked = 1
    Unknown = 2


class QOcspRevocationReason(enum.Enum):
    """Why a certificate was revoked (RFC 5280 CRLReason); ``None_`` when not revoked or no
    reason was given (PyQt6 spells Qt's ``None`` as ``None_``)."""

    None_ = -1
    Unspecified = 0
    KeyCompromise = 1
    CACompromise = 2
    AffiliationChanged = 3
    Superseded = 4
    CessationOfOperation = 5
    CertificateHold = 6
    RemoveFromCRL = 7


class QOcspResponse:
    """The result of checking a stapled OCSP response: the status of subject(), signed by
    responder().

    A default-constructed response has status ``Unknown``, reason ``None_`` and null
    certificates. Responses compare and hash by status, reason, responder and subject.
    """

    __slots__ = ("_status", "_reason", "_responder", "_subject")

    def __init__(self, other: QOcspResponse | None = None) -> None:
        if other is not None and not isinstance(other, QOcspResponse):
            raise TypeError(
                "arguments did not match any overloaded call:\n"
                "  QOcspResponse(): too many arguments\n"
                "  QOcspResponse(other: QOcspResponse): argument 1 has unexpected type "
                f"'{type(other).__name__}'"
            )
        self._status = QOcspCertificateStatus.Unknown
        self._reason = QOcspRevocationReason.None_
        self._responder: Any = None  # QSslCertificate or None (a null certificate)
        self._subject: Any = None
        if other is not None:
            self._status, self._reason = other._status, other._reason
            self._responder, self._subject = other._responder, other._subject

    def certificateStatus(self) -> QOcspCertificateStatus:
        """Good, Revoked or Unknown."""
        return self._status

    def revocationReason(self) -> QOcspRevocationReason:
        """The reason of a revocation; ``None_`` otherwise."""
        return self._reason

    def responder(self) -> Any:
        """The certificate that signed the response (null when the CertID matched no issuer)."""
        return _certificate(self._responder)

    def subject(self) -> Any:
        """The certificate the response is about: the peer's."""
        return _certificate(self._subject)

    def swap(self, other: QOcspResponse) -> None:
        """Exchange the contents of this response and *other*."""
        if not isinstance(other, QOcspResponse):
            raise TypeError(
                "swap(self, other: QOcspResponse): argument 1 has unexpected type "
                f"'{type(other).__name__}'"
            )
        for slot in self.__slots__:
            mine, theirs = getattr(self, slot), getattr(other, slot)
            setattr(self, slot, theirs)
            setattr(other, slot, mine)

    def _key(self) -> tuple[Any, ...]:
        return self._status, self._reason, _der_of(self._responder), _der_of(self._subject)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, QOcspResponse):
            return NotImplemented
        return self._key() == other._key()

    def __ne__(self, other: object) -> bool:
        if not isinstance(other, QOcspResponse):
            return NotImplemented
        return self._key() != other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"<QOcspResponse {self._status.name} {self._reason.name}>"


def _certificate(value: Any) -> Any:
    from qtls.ssl.x509.certificate import QSslCertificate

    return QSslCertificate(value) if value is not None else QSslCertificate()


def _der_of(value: Any) -> bytes | None:
    cert = _unwrap(value)
    if cert is None:
        return None
    from cryptography.hazmat.primitives.serialization import Encoding

    return cert.public_bytes(Encoding.DER)


def _unwrap(value: Any) -> Any:
    """A cryptography Certificate from a QSslCertificate or a cryptography Certificate."""
    if value is None:
        return None
    inner = getattr(value, "_cryptography", None)
    return inner() if callable(inner) else value


def _wrap(cert: Any) -> Any:
    from qtls.ssl.x509.certificate import QSslCertificate

    return None if cert is None else QSslCertificate._from_cryptography(cert)


# ---------------------------------------------------------------------------------------------
# Building responses for the TLS engine
# ---------------------------------------------------------------------------------------------

_STATUS_ERRORS = {
    # OCSPResponseStatus name -> QSslError.SslError name (qt_OCSP_response_status_to_SslError)
    "MALFORMED_REQUEST": "OcspMalformedRequest",
    "INTERNAL_ERROR": "OcspInternalError",
    "TRY_LATER": "OcspTryLater",
    "SIG_REQUIRED": "OcspSigRequred",
    "UNAUTHORIZED": "OcspUnauthorized",
}

_REASONS = {
    # cryptography ReasonFlags value -> Qt; privilegeWithdrawn/aACompromise have no Qt value.
    "unspecified": QOcspRevocationReason.Unspecified,
    "keyCompromise": QOcspRevocationReason.KeyCompromise,
    "cACompromise": QOcspRevocationReason.CACompromise,
    "affiliationChanged": QOcspRevocationReason.AffiliationChanged,
    "superseded": QOcspRevocationReason.Superseded,
    "cessationOfOperation": QOcspRevocationReason.CessationOfOperation,
    "certificateHold": QOcspRevocationReason.CertificateHold,
    "removeFromCRL": QOcspRevocationReason.RemoveFromCRL,
}


class _OcspError(ValueError):
    """A stapled response that is not a definitive answer; ``error`` is the QSslError.SslError
    name to report (``OcspMalformedResponse``, ``OcspTryLater``...), or "" for a response that
    does not decode (Qt makes that a handshake error)."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error


def _load(der: bytes) -> Any:
    from cryptography.x509 import ocsp

    try:
        response = ocsp.load_der_ocsp_response(bytes(der))
    except ValueError as exc:
        raise _OcspError("", "Failed to decode OCSP response") from exc
    status = response.response_status
    if status != ocsp.OCSPResponseStatus.SUCCESSFUL:
        raise _OcspError(
            _STATUS_ERRORS.get(status.name, "OcspMalformedResponse"),
            f"OCSP responder answered {status.name.lower()}",
        )
    return response


def _fill(result: QOcspResponse, single: Any) -> None:
    from cryptography.x509 import ocsp

    status = single.certificate_status
    if status == ocsp.OCSPCertStatus.GOOD:
        result._status = QOcspCertificateStatus.Good
    elif status == ocsp.OCSPCertStatus.REVOKED:
        result._status = QOcspCertificateStatus.Revoked
        try:
            reason = single.revocation_reason
        except ValueError:
            reason = None  # a code RFC 5280 does not define: Qt's mapping gives None too
        result._reason = (
            QOcspRevocationReason.None_ if reason is None
            else _REASONS.get(reason.value, QOcspRevocationReason.None_)
        )  # fmt: skip
    else:
        result._status = QOcspCertificateStatus.Unknown


def _from_der(ocsp_response_der: bytes, peer_certificate: Any, issuer: Any) -> QOcspResponse:
    """The QOcspResponse for a stapled response about *peer_certificate*, issued by *issuer*.

    Certificates may be QSslCertificate or cryptography ``x509.Certificate``. Maps the status
    and the revocation reason; responder() is *issuer* when the response's CertID names the
    peer certificate and *issuer*, null otherwise. Raises :class:`_OcspError` when the data is
    not a successful response with exactly one SingleResponse. Signature and time checks are
    :func:`_check_stapled_response`'s.
    """
    response = _load(ocsp_response_der)
    try:
        return _result_of(response, peer_certificate, issuer)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:  # (see _check_stapled_response)
        raise _OcspError("", "Failed to decode OCSP response") from exc


def _result_of(response: Any, peer_certificate: Any, issuer: Any) -> QOcspResponse:
    singles = list(response.responses)
    if len(singles) != 1:
        raise _OcspError("OcspMalformedResponse", "OCSP response must hold one SingleResponse")
    peer, issuer_cert = _unwrap(peer_certificate), _unwrap(issuer)
    result = QOcspResponse()
    result._subject = _wrap(peer)
    if (
        peer is not None
        and issuer_cert is not None
        and _cert_id_matches(singles[0], peer, issuer_cert)
    ):
        result._responder = _wrap(issuer_cert)
    _fill(result, singles[0])
    return result


@dataclass
class _OcspVerdict:
    """What the engine reports after checking a stapled response.

    ``response`` goes to QSslSocket.ocspResponses() (None when there is none);
    ``errors`` are (QSslError.SslError name, certificate or None) pairs for sslErrors();
    ``fatal`` is non-empty when the handshake must fail with SslHandshakeFailedError.
    """

    response: QOcspResponse | None = None
    errors: list[tuple[str, Any]] = field(default_factory=list)
    fatal: str = ""


def _check_stapled_response(
    ocsp_response_der: bytes | None, peer_chain: list[Any], now: _dt.datetime | None = None
) -> _OcspVerdict:
    """Qt's checkOcspStatus (see the module notes) for the peer chain, leaf first."""
    verdict = _OcspVerdict()
    if not ocsp_response_der:
        verdict.errors.append(("OcspNoResponseFound", None))
        return verdict
    try:
        response = _load(ocsp_response_der)
    except _OcspError as exc:
        if exc.error:
            verdict.errors.append((exc.error, None))
        else:
            verdict.fatal = str(exc)
        return verdict
    chain = [c for c in (_unwrap(c) for c in peer_chain) if c is not None]
    if not chain:
        verdict.fatal = "No peer certificate to check the OCSP response against"
        return verdict
    try:
        return _check_loaded_response(verdict, response, chain, now)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        # cryptography decodes some fields only when read (the responder's name, the
        # certificates, the extensions): one that does not decode makes the response one that
        # OpenSSL's d2i_OCSP_RESPONSE would have refused outright, a handshake error in Qt.
        return _OcspVerdict(fatal="Failed to decode OCSP response")


def _check_loaded_response(
    verdict: _OcspVerdict, response: Any, chain: list[Any], now: _dt.datetime | None
) -> _OcspVerdict:
    peer = chain[0]
    if not _signature_trusted(response, chain):
        verdict.errors.append(("OcspResponseCannotBeTrusted", None))
    singles = list(response.responses)
    if len(singles) != 1:
        verdict.errors.append(("OcspMalformedResponse", None))
        return verdict
    single = singles[0]
    result = QOcspResponse()
    result._subject = _wrap(peer)
    issuers = [peer] if peer.subject == peer.issuer else chain
    signer = next(
        (c for c in issuers if _issued(peer, c) and _cert_id_matches(single, peer, c)), None
    )
    if signer is None:
        verdict.errors.append(("OcspResponseCertIdUnknown", _wrap(peer)))
    else:
        result._responder = _wrap(signer)
    if not _time_valid(single, now or _dt.datetime.now(_dt.timezone.utc)):
        verdict.errors.append(("OcspResponseExpired", _wrap(peer)))
    _fill(result, single)
    if result._status == QOcspCertificateStatus.Revoked:
        verdict.errors.append(("CertificateRevoked", _wrap(peer)))
    elif result._status == QOcspCertificateStatus.Unknown:
        verdict.errors.append(("OcspStatusUnknown", _wrap(peer)))
    verdict.response = result
    return verdict


def _cert_id_matches(single: Any, peer: Any, issuer: Any) -> bool:
    """Does the SingleResponse's CertID name *peer* as issued by *issuer*?"""
    from cryptography.x509 import ocsp

    try:
        request = (
            ocsp.OCSPRequestBuilder().add_certificate(peer, issuer, single.hash_algorithm).build()
        )
    except (ValueError, TypeError, UnsupportedAlgorithm):
        return False  # a hash OCSP requests cannot use, or one cryptography does not know
    return (
        request.serial_number == single.serial_number
        and request.issuer_name_hash == single.issuer_name_hash
        and request.issuer_key_hash == single.issuer_key_hash
    )


def _issued(cert: Any, issuer: Any) -> bool:
    """Did *issuer* sign *cert*? (A self-signed certificate counts as its own issuer.)"""
    from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm

    try:
        cert.verify_directly_issued_by(issuer)
    except (InvalidSignature, UnsupportedAlgorithm, ValueError, TypeError):
        return False
    return True


def _time_valid(single: Any, now: _dt.datetime) -> bool:
    """OCSP_check_validity(thisUpdate, nextUpdate, 60 s leeway, no maximum age)."""
    leeway = _dt.timedelta(seconds=60)
    this_update = single.this_update_utc
    next_update = single.next_update_utc
    if this_update > now + leeway:
        return False
    if next_update is not None and (next_update < now - leeway or next_update < this_update):
        return False
    return True


def _signature_trusted(response: Any, chain: list[Any]) -> bool:
    """OCSP_basic_verify without the store: the signer is found by responder ID, its
    signature verifies, and it is the issuer or a delegate the issuer authorised."""
    from cryptography import x509

    candidates = list(response.certificates) + chain
    signer = None
    for cert in candidates:
        if response.responder_name is not None:
            if cert.subject == response.responder_name:
                signer = cert
                break
        else:
            try:
                key_hash = x509.SubjectKeyIdentifier.from_public_key(cert.public_key()).digest
            except (ValueError, TypeError, UnsupportedAlgorithm):
                continue  # a key (or curve) cryptography cannot load
            if key_hash == response.responder_key_hash:
                signer = cert
                break
    if signer is None or not _verify_signature(response, signer):
        return False
    # The CertID's issuer is one of the chain certificates; the signer must be it, or carry
    # id-kp-OCSPSigning and be signed by it (RFC 6960 section 4.2.2.2).
    for issuer in chain:
        if not _cert_id_matches_any(response, issuer, chain):
            continue
        if signer == issuer:
            return True
        if _issued(signer, issuer) and _has_ocsp_signing(signer):
            return True
    return False


def _cert_id_matches_any(response: Any, issuer: Any, chain: list[Any]) -> bool:
    singles = list(response.responses)
    return any(_cert_id_matches(s, c, issuer) for s in singles for c in chain)


def _has_ocsp_signing(cert: Any) -> bool:
    from cryptography import x509
    from cryptography.x509.oid import ExtendedKeyUsageOID

    try:
        usage = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except (x509.ExtensionNotFound, ValueError):
        return False
    return ExtendedKeyUsageOID.OCSP_SIGNING in usage


def _verify_signature(response: Any, signer: Any) -> bool:
    from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, padding, rsa
    from cryptography.x509.oid import SignatureAlgorithmOID

    try:
        key = signer.public_key()
        data, signature = response.tbs_response_bytes, response.signature
        digest = response.signature_hash_algorithm  # (raises for an algorithm it does not know)
        if isinstance(key, rsa.RSAPublicKey) and digest is not None:
            if response.signature_algorithm_oid == SignatureAlgorithmOID.RSASSA_PSS:
                pad: Any = padding.PSS(padding.MGF1(digest), padding.PSS.AUTO)
            else:
                pad = padding.PKCS1v15()
            key.verify(signature, data, pad, digest)
        elif isinstance(key, ec.EllipticCurvePublicKey) and digest is not None:
            key.verify(signature, data, ec.ECDSA(digest))
        elif isinstance(key, dsa.DSAPublicKey) and digest is not None:
            key.verify(signature, data, digest)
        elif isinstance(key, (ed25519.Ed25519PublicKey, ed448.Ed448PublicKey)):
            key.verify(signature, data)
        else:
            return False
    except (InvalidSignature, UnsupportedAlgorithm, ValueError, TypeError):
        return False
    return True
