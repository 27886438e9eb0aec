"""QDtls, QDtlsClientVerifier, QDtlsError and GeneratorParameters: Qt's API, argument checks
and error texts, without a network (the handshakes are in test_sockets.py)."""

from __future__ import annotations

import pytest

from qtls.QtCore import QByteArray, QCryptographicHash
from qtls.QtNetwork import (
    QDtls,
    QDtlsClientVerifier,
    QDtlsError,
    QHostAddress,
    QSsl,
    QSslConfiguration,
    QSslSocket,
)

Params = QDtlsClientVerifier.GeneratorParameters


def test_qdtlserror_values_are_qts() -> None:
    assert [(e.name, e.value) for e in QDtlsError] == [
        ("NoError", 0), ("InvalidInputParameters", 1), ("InvalidOperation", 2),
        ("UnderlyingSocketError", 3), ("RemoteClosedConnectionError", 4),
        ("PeerVerificationError", 5), ("TlsInitializationError", 6), ("TlsFatalError", 7),
        ("TlsNonFatalError", 8),
    ]


def test_handshake_state_values_are_qts() -> None:
    assert [(e.name, e.value) for e in QDtls.HandshakeState] == [
        ("HandshakeNotStarted", 0), ("HandshakeInProgress", 1),
        ("PeerVerificationFailed", 2), ("HandshakeComplete", 3),
    ]


def test_generator_parameters_constructors() -> None:
    default = Params()
    assert default.hash is QCryptographicHash.Algorithm.Sha1 and default.secret == QByteArray()
    p = Params(QCryptographicHash.Algorithm.Sha512, b"secret")
    assert p.hash is QCryptographicHash.Algorithm.Sha512 and bytes(p.secret) == b"secret"
    copy = Params(p)
    assert copy == p and copy is not p
    with pytest.raises(TypeError):
        Params(1, b"x")
    assert QDtls.GeneratorParameters is Params


def test_default_cookie_parameters_are_sha256_and_shared_random_secret() -> None:
    verifier = QDtlsClientVerifier()
    server = QDtls(QSslSocket.SslMode.SslServerMode)
    a, b = verifier.cookieGeneratorParameters(), server.cookieGeneratorParameters()
    assert a.hash is QCryptographicHash.Algorithm.Sha256
    assert len(bytes(a.secret)) == 32 and a == b


def test_verifier_refuses_an_empty_secret() -> None:
    verifier = QDtlsClientVerifier()
    before = verifier.cookieGeneratorParameters()
    assert verifier.setCookieGeneratorParameters(Params(QCryptographicHash.Algorithm.Sha1, b"")) is False
    assert verifier.cookieGeneratorParameters() == before
    mine = Params(QCryptographicHash.Algorithm.Sha384, b"k" * 16)
    assert verifier.setCookieGeneratorParameters(mine) is True
    assert verifier.cookieGeneratorParameters() == mine


def test_qdtls_set_cookie_parameters_returns_false_as_qt_but_takes_them() -> None:
    dtls = QDtls(QSslSocket.SslMode.SslServerMode)
    mine = Params(QCryptographicHash.Algorithm.Sha384, b"k" * 16)
    assert dtls.setCookieGeneratorParameters(mine) is False
    assert dtls.cookieGeneratorParameters() == mine


def test_verifier_argument_errors_have_qts_texts() -> None:
    verifier = QDtlsClientVerifier()
    assert verifier.verifyClient(None, b"x", QHostAddress("127.0.0.1"), 1) is False
    assert verifier.dtlsError() is QDtlsError.InvalidInputParameters
    assert verifier.dtlsErrorString() == (
        "A valid UDP socket, non-empty datagram, and valid address/port were expected")
    assert verifier.verifiedHello() == QByteArray()


def test_new_qdtls_defaults() -> None:
    dtls = QDtls(QSslSocket.SslMode.SslClientMode)
    assert dtls.sslMode() is QSslSocket.SslMode.SslClientMode
    assert dtls.handshakeState() is QDtls.HandshakeState.HandshakeNotStarted
    assert dtls.peerAddress().isNull() and dtls.peerPort() == 0
    assert dtls.peerVerificationName() == "" and dtls.mtuHint() == 0
    assert dtls.dtlsConfiguration().protocol() is QSsl.SslProtocol.DtlsV1_2OrLater
    assert dtls.dtlsError() is QDtlsError.NoError and dtls.dtlsErrorString() == ""
    assert not dtls.isConnectionEncrypted()
    assert dtls.sessionCipher().isNull()
    assert dtls.sessionProtocol() is QSsl.SslProtocol.UnknownProtocol
    assert dtls.peerVerificationErrors() == []
    with pytest.raises(TypeError):
        QDtls(0)  # type: ignore[arg-type]


def test_set_peer_refuses_null_broadcast_and_multicast() -> None:
    dtls = QDtls(QSslSocket.SslMode.SslClientMode)
    assert not dtls.setPeer(QHostAddress(), 1)
    assert (dtls.dtlsError(), dtls.dtlsErrorString()) == (
        QDtlsError.InvalidInputParameters, "Invalid address")
    for address in (QHostAddress.SpecialAddress.Broadcast, QHostAddress("224.0.0.1")):
        assert not dtls.setPeer(address, 1)
        assert dtls.dtlsErrorString() == "Multicast and broadcast addresses are not supported"
    assert dtls.setPeer(QHostAddress("127.0.0.1"), 4433, "localhost")
    assert dtls.dtlsError() is QDtlsError.NoError
    assert (dtls.peerAddress().toString(), dtls.peerPort(), dtls.peerVerificationName()) == (
        "127.0.0.1", 4433, "localhost")
    assert dtls.setPeerVerificationName("example.org")
    assert dtls.peerVerificationName() == "example.org"


def test_operations_in_the_wrong_state_report_invalid_operation() -> None:
    dtls = QDtls(QSslSocket.SslMode.SslClientMode)
    token = object()  # never used for I/O: every call below fails its checks first
    checks = [
        (lambda: dtls.resumeHandshake(token), "Cannot resume, not in VerificationError state"),
        (lambda: dtls.abortHandshake(token), "No handshake in progress, nothing to abort"),
        (lambda: dtls.shutdown(token), "Cannot send shutdown alert, not encrypted"),
        (lambda: dtls.writeDatagramEncrypted(token, b"x"),
         "Cannot write a datagram, not in encrypted state"),
        (lambda: dtls.decryptDatagram(token, b"x"),
         "Cannot read a datagram, not in encrypted state"),
        (lambda: dtls.doHandshake(token),
         "To start a handshake you must set peer's address and port first"),
    ]
    for call, text in checks:
        result = call()
        assert result in (False, -1) or result == QByteArray()
        assert dtls.dtlsError() is QDtlsError.InvalidOperation
        assert dtls.dtlsErrorString() == text


def test_null_socket_is_invalid_input() -> None:
    dtls = QDtls(QSslSocket.SslMode.SslClientMode)
    for call in (dtls.handleTimeout, dtls.resumeHandshake, dtls.abortHandshake, dtls.shutdown):
        assert call(None) is False
        assert (dtls.dtlsError(), dtls.dtlsErrorString()) == (
            QDtlsError.InvalidInputParameters, "Invalid (nullptr) socket")


def test_server_needs_a_client_hello_to_start() -> None:
    dtls = QDtls(QSslSocket.SslMode.SslServerMode)
    dtls.setPeer(QHostAddress("127.0.0.1"), 5000)
    assert dtls.doHandshake(object(), b"") is False
    assert dtls.dtlsErrorString() == (
        "To start a handshake, DTLS server requires non-empty datagram (client hello)")


def test_a_tls_protocol_is_a_tls_initialization_error() -> None:
    dtls = QDtls(QSslSocket.SslMode.SslClientMode)
    config = QSslConfiguration.defaultConfiguration()
    config.setProtocol(QSsl.SslProtocol.TlsV1_2)
    assert dtls.setDtlsConfiguration(config)
    dtls.setPeer(QHostAddress("127.0.0.1"), 5000)
    assert dtls.doHandshake(object()) is False
    assert dtls.dtlsError() is QDtlsError.TlsInitializationError
    assert dtls.dtlsErrorString() == "Invalid protocol version, DTLS protocol expected"
    assert dtls.handshakeState() is QDtls.HandshakeState.HandshakeNotStarted


def test_mtu_hint_is_a_quint16() -> None:
    dtls = QDtls(QSslSocket.SslMode.SslClientMode)
    dtls.setMtuHint(1200)
    assert dtls.mtuHint() == 1200
    with pytest.raises(OverflowError):
        dtls.setMtuHint(70000)
