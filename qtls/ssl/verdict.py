"""What QSslSocket does when the engine says "handshake complete": Qt's post-handshake checks.

OpenSSL's verify callback only recorded errors and let the handshake go on (that is how
``sslErrors`` + ``ignoreSslErrors`` can work at all). Here, as in Qt's
``TlsCryptographOpenSSL::startHandshake``, the socket turns those records into QSslErrors, adds
the checks OpenSSL does not do for Qt (host name by Qt's rules, a missing peer certificate,
the stapled OCSP response), and fills the session fields of the socket's configuration.

Orders pinned against PyQt6: ``peerVerifyError`` is emitted for the callback errors first and
the host-name mismatch last, but in the ``sslErrors`` list the mismatch comes *first* (Qt
prepends it); the error certificate is the peer chain's certificate at the error's depth (a
null certificate when the peer did not send that one).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from qtls.core.bytearray import QByteArray
from qtls.ssl.engine.events import ConnectionInfo, VerifyError
from qtls.ssl.qssl import QSsl
from qtls.ssl.values.cipher import QSslCipher
from qtls.ssl.values.configurationdata import NextProtocolNegotiationStatus
from qtls.ssl.values.ocsp import QOcspResponse, _check_stapled_response
from qtls.ssl.x509.certificate import QSslCertificate
from qtls.ssl.x509.error import QSslError, ssl_error_from_verify_code
from qtls.ssl.x509.strict import StrictVerdict, strict_verdict
from qtls.ssl.x509.verify import _system_ca_certificates, is_matching_hostname, verification_time

if TYPE_CHECKING:
    from qtls.ssl.values.configuration import QSslConfiguration

__all__: list[str] = []

_PROTOCOLS = {
    "TLSv1": QSsl.SslProtocol.TlsV1_0,
    "TLSv1.1": QSsl.SslProtocol.TlsV1_1,
    "TLSv1.2": QSsl.SslProtocol.TlsV1_2,
    "TLSv1.3": QSsl.SslProtocol.TlsV1_3,
    "DTLSv1": QSsl.SslProtocol.DtlsV1_0,
    "DTLSv1.2": QSsl.SslProtocol.DtlsV1_2,
}


# DER -> a parsed certificate, shared across handshakes: a client meets the same server chain
# again and again, and parsing it (and its subjectAltName, for the host-name check) was a
# visible part of each handshake. Callers get copies; copies share only immutable data and a
# cache of derived values, so handing them out cannot leak a change from one socket to another.
_parsed: dict[bytes, QSslCertificate] = {}
_PARSED_LIMIT = 256


def certificate_from_der(der: bytes, cache: dict[bytes, QSslCertificate]) -> QSslCertificate:
    """A QSslCertificate for ``der``, the same object within one handshake (``cache``)."""
    cert = cache.get(der)
    if cert is None:
        proto = _parsed.get(der)
        if proto is None:
            proto = QSslCertificate(der, QSsl.EncodingFormat.Der)
            if len(_parsed) >= _PARSED_LIMIT:
                _parsed.clear()
            _parsed[der] = proto
        cert = cache[der] = QSslCertificate(proto)
    return cert


def protocol_of(name: str) -> QSsl.SslProtocol:
    """Qt's protocol for OpenSSL's version name ("TLSv1.3" -> TlsV1_3)."""
    return _PROTOCOLS.get(name, QSsl.SslProtocol.UnknownProtocol)


@dataclasses.dataclass
class Verdict:
    """The errors found after a handshake, split the way Qt emits them."""

    #: One ``peerVerifyError`` each, in emission order.
    peer_verify_errors: list[QSslError]
    #: The ``sslErrors`` list (and ``sslHandshakeErrors()``), in Qt's order.
    ssl_errors: list[QSslError]
    ocsp_responses: list[QOcspResponse]
    #: Non-empty when the OCSP check must fail the handshake outright.
    fatal: str = ""


# (OpenSSL cipher name, protocol) -> the session's QSslCipher (None: unknown): building one
# looks the cipher up in OpenSSL's table, the same few answers for every handshake.
_session_ciphers: dict[tuple[str, QSsl.SslProtocol], QSslCipher | None] = {}


def _session_cipher(name: str, protocol: QSsl.SslProtocol) -> QSslCipher | None:
    key = (name, protocol)
    try:
        return _session_ciphers[key]
    except KeyError:
        pass
    cipher = QSslCipher(name, protocol)
    if cipher.isNull():
        cipher = QSslCipher(name)
    result = cipher if not cipher.isNull() else None
    if len(_session_ciphers) < 256:
        _session_ciphers[key] = result
    return result


def fill_session(config: QSslConfiguration, info: ConnectionInfo, chain: list[QSslCertificate]) -> None:
    """Store what was negotiated into the socket's configuration (Qt does the same)."""
    protocol = protocol_of(info.protocol)
    config._set_session(
        chain[0] if chain else None,
        chain,
        _session_cipher(info.cipher_name, protocol),
        protocol,
        info.alpn_protocol or b"",
        NextProtocolNegotiationStatus(int(info.alpn_status)),
    )


def check_handshake(
    *,
    server: bool,
    verify_peer: bool,
    peer_name: str,
    chain: list[QSslCertificate],
    verify_errors: tuple[VerifyError, ...],
    errors_reported_early: bool,
    ocsp_wanted: bool,
    ocsp_der: bytes | None,
    verified_chain: list[QSslCertificate] | None = None,
    configuration: QSslConfiguration | None = None,
) -> Verdict:
    """Qt's checks after ``SSL_do_handshake`` succeeded.

    ``verify_peer`` is Qt's doVerifyPeer (VerifyPeer, or AutoVerifyPeer on a client);
    ``errors_reported_early`` is true when ``handshakeInterruptedOnError`` already reported the
    callback errors (Qt then does not emit ``peerVerifyError`` for them again).
    ``configuration`` is the socket's: with qtls's strict verification on (a client only),
    each broken rule of :mod:`qtls.ssl.x509.strict` is one more error, after Qt's, and the
    errors of OpenSSL's path that a validated Web-PKI path supersedes are dropped.
    """
    callback_errors = [
        QSslError(ssl_error_from_verify_code(e.code),
                  chain[e.depth] if e.depth < len(chain) else QSslCertificate())
        for e in verify_errors
    ]
    emitted = [] if errors_reported_early else list(callback_errors)
    ssl_errors = list(callback_errors)
    if chain:
        if not server and not is_matching_hostname(chain[0], peer_name):
            mismatch = QSslError(QSslError.SslError.HostNameMismatch, chain[0])
            emitted.append(mismatch)
            ssl_errors.insert(0, mismatch)
    elif verify_peer:
        missing = QSslError(QSslError.SslError.NoPeerCertificate)
        emitted.append(missing)
        ssl_errors.append(missing)
    if chain and not server and configuration is not None and configuration.strictVerification():
        strict = _strict_verdict(configuration, peer_name, chain, ssl_errors)
        emitted = strict.apply(emitted)
        ssl_errors = strict.apply(ssl_errors)
    responses: list[QOcspResponse] = []
    fatal = ""
    if ocsp_wanted and not server:
        # The chain OpenSSL built reaches the trusted issuer, which may sign the response even
        # when the server did not send it (Qt hands OpenSSL's store to OCSP_basic_verify).
        basis = verified_chain if verified_chain else chain
        verdict = _check_stapled_response(ocsp_der, [c._cryptography() for c in basis])
        if verdict.response is not None:
            responses.append(verdict.response)
        for name, cert in verdict.errors:
            error = QSslError(QSslError.SslError[name], cert if cert is not None else QSslCertificate())
            ssl_errors.append(error)
        fatal = verdict.fatal
    return Verdict(emitted, ssl_errors, responses, fatal)


def _strict_verdict(
    configuration: QSslConfiguration, peer_name: str, chain: list[QSslCertificate],
    reported: list[QSslError],
) -> StrictVerdict:
    """Strict verification of a server chain, against the CA certificates the handshake
    trusted (the configuration's, and the system's when OpenSSL may load them)."""
    roots = {cert._der(): cert for cert in configuration.caCertificates()}
    if configuration._allow_root_certs_on_demand():
        roots.update((cert._der(), cert) for cert in _system_ca_certificates())
    return strict_verdict(chain, peer_name, list(roots.values()), verification_time(), reported)


def errors_ignored(
    errors: list[QSslError], ignore_all: bool, ignore_list: list[QSslError]
) -> bool:
    """Qt's ``verifyErrorsHaveBeenIgnored``: a non-empty ``ignoreSslErrors(list)`` must contain
    every error (code *and* certificate); otherwise ``ignoreSslErrors()`` ignores all."""
    if ignore_list:
        return all(error in ignore_list for error in errors)
    return ignore_all


def as_qbytearray(data: bytes) -> QByteArray:
    """Bytes as the QByteArray Qt's API returns."""
    return QByteArray(data)
