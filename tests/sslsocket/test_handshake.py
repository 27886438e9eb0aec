"""Handshakes: immediate and delayed (STARTTLS), both sides, Qt's signal order and session info."""

from __future__ import annotations

import functools
from typing import Any

import pytest

from qtls.QtNetwork import QAbstractSocket, QHostAddress, QSsl, QSslSocket, QTcpServer
from tests.sslsocket.helpers import Pki, Recorder, TlsServer, client_for, run_until

pytestmark = pytest.mark.timeout(30)

S = QAbstractSocket.SocketState


def _encrypted_pair(pki: Pki, qtls_app: Any, protocol: Any = None, identity: Any = None
                    ) -> tuple[TlsServer, QSslSocket]:
    server = TlsServer(pki.server_config(identity))
    client = client_for(pki, protocol=protocol)
    client.connectToHostEncrypted("localhost", server.port())
    assert run_until(lambda: client.isEncrypted() and bool(server.sockets)
                     and server.sockets[0].isEncrypted(), 5000), client.errorString()
    return server, client


def test_client_signal_order_matches_pyqt6_on_success(pki: Pki, qtls_app: Any) -> None:
    # Order pinned from PyQt6 6.11 (/work/scratch/pyqt_tls_ref.out, scenario "trusted").
    server = TlsServer(pki.server_config())
    client = client_for(pki)
    rec = Recorder(client)
    early: list[Any] = []
    client.encrypted.connect(lambda: early.append((client.bytesToWrite(), client.state())))
    client.connectToHostEncrypted("localhost", server.port())
    # PyQt6 is in HostLookupState here on a first lookup, ConnectingState once it is cached.
    assert client.state() in (S.HostLookupState, S.ConnectingState)
    assert client.mode() is QSslSocket.SslMode.UnencryptedMode
    assert client.write(b"early") == 5
    assert run_until(lambda: "bytesWritten(n)" in rec.log, 5000), rec.log
    assert rec.log[:9] == [
        "stateChanged(HostLookupState)", "stateChanged(ConnectingState)", "hostFound",
        "stateChanged(ConnectedState)", "modeChanged(SslClientMode)", "connected",
        "encryptedBytesWritten(n)", "encrypted", "bytesWritten(n)",
    ]
    # Data written before the handshake is still queued when encrypted() is emitted.
    assert early == [(5, S.ConnectedState)]
    server.shutdown()


def test_early_data_is_sent_after_encryption(pki: Pki, qtls_app: Any) -> None:
    server = TlsServer(pki.server_config())
    client = client_for(pki)
    client.connectToHostEncrypted("localhost", server.port())
    client.write(b"early")
    client.write(b"ping")
    got = bytearray()
    assert run_until(lambda: bool(server.sockets), 5000)
    sock = server.sockets[0]
    sock.readyRead.connect(lambda: got.extend(bytes(sock.readAll())))
    assert run_until(lambda: bytes(got) == b"earlyping", 5000)
    server.shutdown()


@pytest.mark.parametrize("kind", ["ecdsa", "rsa"])
def test_session_protocol_and_cipher_are_negotiated(pki: Pki, qtls_app: Any, protocol: Any,
                                                     kind: str) -> None:
    server, client = _encrypted_pair(pki, qtls_app, protocol, getattr(pki, kind))
    sock = server.sockets[0]
    assert client.sessionProtocol() is protocol
    assert sock.sessionProtocol() is protocol
    assert not client.sessionCipher().isNull()
    assert client.sessionCipher() == sock.sessionCipher()
    assert client.sessionCipher().protocol() is protocol
    if protocol is QSsl.SslProtocol.TlsV1_2:
        assert ("ECDSA" if kind == "ecdsa" else "RSA") in client.sessionCipher().name()
    assert client.mode() is QSslSocket.SslMode.SslClientMode
    assert sock.mode() is QSslSocket.SslMode.SslServerMode
    server.shutdown()


def test_peer_and_local_certificates_on_both_sides(pki: Pki, qtls_app: Any) -> None:
    server = TlsServer(pki.server_config())
    server.config.setPeerVerifyMode(QSslSocket.PeerVerifyMode.VerifyPeer)
    server.config.setCaCertificates([pki.ca_cert])
    client = client_for(pki)
    client.setLocalCertificateChain(pki.client.chain)
    client.setPrivateKey(pki.client.key)
    client.connectToHostEncrypted("localhost", server.port())
    assert run_until(lambda: bool(server.sockets) and server.sockets[0].isEncrypted(), 5000)
    sock = server.sockets[0]
    assert client.peerCertificate() == pki.ecdsa.cert
    assert client.peerCertificateChain()[0] == pki.ecdsa.cert
    assert sock.peerCertificate() == pki.client.cert
    assert sock.peerCertificateChain()[0] == pki.client.cert
    assert client.localCertificate() == pki.client.cert
    assert sock.localCertificate() == pki.ecdsa.cert
    assert sock.localCertificateChain() == pki.ecdsa.chain
    assert sock.privateKey() == pki.ecdsa.key
    server.shutdown()


def test_ssl_configuration_is_a_copy_reflecting_the_session(pki: Pki, qtls_app: Any) -> None:
    server, client = _encrypted_pair(pki, qtls_app)
    conf = client.sslConfiguration()
    assert conf.peerCertificate() == pki.ecdsa.cert
    assert conf.sessionProtocol() is client.sessionProtocol()
    assert conf.sessionCipher() == client.sessionCipher()
    conf.setPeerVerifyDepth(7)
    assert client.peerVerifyDepth() == 0  # a copy: changing it changes nothing
    server.shutdown()


def test_server_side_signal_order_after_adopting_a_descriptor(pki: Pki, qtls_app: Any) -> None:
    # PyQt6: setSocketDescriptor emits stateChanged(Connected); startServerEncryption emits
    # modeChanged(SslServerMode); encrypted comes once the client's Finished arrived.
    recorders: list[Recorder] = []
    steps: list[tuple[str, Any, Any]] = []
    server = TlsServer(pki.server_config(), start=False,
                       on_socket=lambda s: recorders.append(Recorder(s)))
    client = client_for(pki)
    # The client connects in plain mode and says hello only once the server side has started:
    # a ClientHello arriving before startServerEncryption would (rightly) add a readyRead.
    client.connectToHost("localhost", server.port())
    assert run_until(lambda: bool(server.sockets) and client.state() is S.ConnectedState, 5000)
    sock = server.sockets[0]
    steps.append(("adopted", sock.state(), sock.mode()))
    sock.startServerEncryption()
    steps.append(("started", sock.state(), sock.mode()))
    client.startClientEncryption()
    assert run_until(lambda: sock.isEncrypted() and client.isEncrypted(), 5000)
    assert steps == [("adopted", S.ConnectedState, QSslSocket.SslMode.UnencryptedMode),
                     ("started", S.ConnectedState, QSslSocket.SslMode.SslServerMode)]
    assert recorders[0].without("encryptedBytesWritten", "newSession") == [
        "stateChanged(ConnectedState)", "modeChanged(SslServerMode)", "encrypted"]
    server.shutdown()


def test_connect_to_host_encrypted_with_ssl_peer_name_verifies_that_name(
        pki: Pki, qtls_app: Any) -> None:
    # The server presents a certificate for client.example only; the client connects by
    # address and verifies (and sends SNI) as client.example: no errors.
    server = TlsServer(pki.server_config(pki.client))
    client = client_for(pki)
    errors: list[Any] = []
    client.sslErrors.connect(errors.extend)
    client.connectToHostEncrypted("127.0.0.1", server.port(), "client.example")
    assert run_until(client.isEncrypted, 5000), client.errorString()
    assert errors == []
    assert client.peerVerifyName() == "client.example"
    server.shutdown()


def test_starttls_upgrade_of_a_plain_connection(pki: Pki, qtls_app: Any) -> None:
    """Plain text first, then both sides start TLS on the same connection."""
    plain_server = QTcpServer()
    assert plain_server.listen(QHostAddress("127.0.0.1"), 0)
    accepted: list[QSslSocket] = []

    def incoming(handle: int) -> None:
        sock = QSslSocket()
        sock.setSslConfiguration(pki.server_config())
        sock.setSocketDescriptor(handle)
        accepted.append(sock)

    plain_server.incomingConnection = incoming  # type: ignore[method-assign]
    client = client_for(pki)
    modes: list[Any] = []
    client.modeChanged.connect(modes.append)
    client.connectToHost("localhost", plain_server.serverPort())
    assert run_until(lambda: bool(accepted) and client.state() is S.ConnectedState, 5000)
    sock = accepted[0]
    client.write(b"STARTTLS\r\n")
    assert run_until(lambda: sock.canReadLine(), 5000)
    assert bytes(sock.readLine()) == b"STARTTLS\r\n"
    sock.write(b"OK\r\n")
    assert run_until(lambda: client.canReadLine(), 5000)
    assert bytes(client.readLine()) == b"OK\r\n"
    assert not client.isEncrypted() and client.mode() is QSslSocket.SslMode.UnencryptedMode
    sock.startServerEncryption()
    client.startClientEncryption()
    assert run_until(lambda: client.isEncrypted() and sock.isEncrypted(), 5000), client.errorString()
    assert modes == [QSslSocket.SslMode.SslClientMode]
    client.write(b"secret")
    assert run_until(lambda: sock.bytesAvailable() >= 6, 5000)
    assert bytes(sock.readAll()) == b"secret"
    client.abort()
    sock.abort()
    plain_server.close()


def test_unread_plaintext_bytes_are_handed_to_the_handshake(pki: Pki, qtls_app: Any) -> None:
    """QSslServer's pattern: peek at the ClientHello's first byte, then start the handshake."""
    first: list[bytes] = []

    def on_socket(sock: QSslSocket) -> None:
        def check() -> None:
            if sock.mode() is QSslSocket.SslMode.UnencryptedMode and sock.bytesAvailable():
                first.append(bytes(sock.peek(1) or b""))
                sock.startServerEncryption()
        sock.readyRead.connect(check)

    server = TlsServer(pki.server_config(), start=False, on_socket=on_socket)
    client = client_for(pki)
    client.connectToHostEncrypted("localhost", server.port())
    assert run_until(lambda: client.isEncrypted() and server.sockets[0].isEncrypted(), 5000)
    assert first == [b"\x16"]
    server.shutdown()


def test_start_client_encryption_requires_a_connection(qtls_app: Any) -> None:
    sock = QSslSocket()
    sock.startClientEncryption()
    assert sock.mode() is QSslSocket.SslMode.UnencryptedMode
    assert not sock.isEncrypted()
    assert sock.waitForEncrypted(10) is False


def test_wait_for_encrypted_is_false_when_already_encrypted(pki: Pki, qtls_app: Any) -> None:
    server, client = _encrypted_pair(pki, qtls_app)
    assert client.waitForEncrypted(100) is False  # Qt returns false once encrypted
    server.shutdown()


def test_statics_report_the_backend() -> None:
    assert QSslSocket.supportsSsl() is True
    assert QSslSocket.sslLibraryVersionString().startswith("OpenSSL")
    assert QSslSocket.sslLibraryVersionNumber() > 0x30000000
    assert QSslSocket.activeBackend() == "openssl"
    assert "openssl" in QSslSocket.availableBackends()
    assert QSslSocket.isProtocolSupported(QSsl.SslProtocol.TlsV1_3)
    assert QSsl.SslProtocol.TlsV1_2 in QSslSocket.supportedProtocols()
    assert QSslSocket.isClassImplemented(QSsl.ImplementedClass.Socket)
    assert QSsl.ImplementedClass.Socket in QSslSocket.implementedClasses()
    assert QSslSocket.isFeatureSupported(QSsl.SupportedFeature.ClientSideAlpn)
    assert QSsl.SupportedFeature.CertificateVerification in QSslSocket.supportedFeatures()
    assert QSslSocket.setActiveBackend("schannel") is False


def test_enums_are_attached_to_the_class() -> None:
    assert QSslSocket.SslMode.SslServerMode.value == 2
    assert QSslSocket.PeerVerifyMode.AutoVerifyPeer.value == 3


def _has_bytes(sock: QSslSocket, size: int) -> bool:
    return sock.bytesAvailable() == size


def test_a_socket_can_be_reused_for_a_second_connection(pki: Pki, qtls_app: Any) -> None:
    server = TlsServer(pki.server_config())
    client = client_for(pki)
    for round_trip in (b"first", b"second"):
        client.connectToHostEncrypted("localhost", server.port())
        assert run_until(client.isEncrypted, 5000), client.errorString()
        client.write(round_trip)
        sock = server.sockets[-1]
        assert run_until(functools.partial(_has_bytes, sock, len(round_trip)), 5000)
        assert bytes(sock.readAll()) == round_trip
        client.disconnectFromHost()
        assert run_until(lambda: client.state() is S.UnconnectedState, 5000)
        assert not client.isEncrypted()
        assert client.mode() is QSslSocket.SslMode.SslClientMode  # kept until the next connection
    assert len(server.sockets) == 2
    server.shutdown()


def test_connection_refused_is_reported_like_qtcpsocket(pki: Pki, qtls_app: Any) -> None:
    import socket as _socket
    with _socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = client_for(pki)
    rec = Recorder(client)
    client.connectToHostEncrypted("127.0.0.1", port)
    assert run_until(lambda: client.state() is S.UnconnectedState, 5000)
    assert client.error() is QAbstractSocket.SocketError.ConnectionRefusedError
    assert client.mode() is QSslSocket.SslMode.UnencryptedMode
    assert rec.log[-2:] == ["stateChanged(UnconnectedState)", "errorOccurred(ConnectionRefusedError)"]


def test_connections_with_one_configuration_share_one_openssl_context(
        pki: Pki, qtls_app: Any) -> None:
    server = TlsServer(pki.server_config())
    conf = pki.client_config()
    clients = []
    for _ in range(3):
        client = QSslSocket()
        client.setSslConfiguration(conf)
        client.connectToHostEncrypted("localhost", server.port())
        clients.append(client)
    assert run_until(lambda: all(c.isEncrypted() for c in clients) and len(server.sockets) == 3
                     and all(s.isEncrypted() for s in server.sockets), 5000)
    client_contexts = {id(c._tls.engine.context) for c in clients}  # type: ignore[union-attr]
    server_contexts = {id(s._tls.engine.context) for s in server.sockets}  # type: ignore[union-attr]
    assert len(client_contexts) == 1 and len(server_contexts) == 1
    # A different configuration gets its own context.
    other = QSslSocket()
    other_conf = pki.client_config()
    other_conf.setProtocol(QSsl.SslProtocol.TlsV1_3)
    other.setSslConfiguration(other_conf)
    other.connectToHostEncrypted("localhost", server.port())
    assert run_until(other.isEncrypted, 5000)
    assert id(other._tls.engine.context) not in client_contexts  # type: ignore[union-attr]
    server.shutdown()
