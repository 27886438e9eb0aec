"""Bad peers and bad configurations end in Qt's error states, with messages naming the cause."""

from __future__ import annotations

import socket
import threading
from typing import Any

import pytest

from qtls.QtNetwork import QAbstractSocket, QSsl, QSslCipher, QSslSocket
from tests.sslsocket.helpers import Pki, Recorder, TlsServer, client_for, run_until

pytestmark = pytest.mark.timeout(30)

SE = QAbstractSocket.SocketError
S = QAbstractSocket.SocketState


class RawPeer:
    """A plain TCP server thread that answers the first bytes it gets with ``reply``."""

    def __init__(self, reply: bytes, close_after: bool = True) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(10)
        self.port = self.listener.getsockname()[1]
        self.reply = reply
        self.close_after = close_after
        self.received = b""
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        conn, _ = self.listener.accept()
        with conn:
            conn.settimeout(5)
            try:
                self.received = conn.recv(65536)
                if self.reply:
                    conn.sendall(self.reply)
                if not self.close_after:
                    conn.recv(65536)
            except OSError:
                pass

    def join(self) -> None:
        self.thread.join(10)
        self.listener.close()


def _finished(client: QSslSocket) -> bool:
    return client.state() is S.UnconnectedState


def test_garbage_instead_of_server_hello(pki: Pki, qtls_app: Any) -> None:
    peer = RawPeer(b"\x00garbage that is not a TLS record" * 4)
    client = client_for(pki)
    rec = Recorder(client)
    client.connectToHostEncrypted("localhost", peer.port)
    assert run_until(lambda: _finished(client), 5000)
    assert client.error() is SE.SslHandshakeFailedError
    assert client.errorString().startswith("Error during SSL handshake: ")
    assert "wrong version number" in client.errorString() or "record" in client.errorString()
    assert "stateChanged(ClosingState)" not in rec.log  # Qt aborts after a failed handshake
    assert peer.received.startswith(b"\x16\x03")  # the ClientHello went out
    peer.join()


def test_plain_http_answer_to_client_hello(pki: Pki, qtls_app: Any) -> None:
    peer = RawPeer(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
    client = client_for(pki)
    client.connectToHostEncrypted("localhost", peer.port)
    assert run_until(lambda: _finished(client), 5000)
    assert client.error() is SE.SslHandshakeFailedError
    assert "Error during SSL handshake" in client.errorString()
    peer.join()


def test_peer_vanishing_mid_handshake(pki: Pki, qtls_app: Any) -> None:
    peer = RawPeer(b"")  # reads the ClientHello, then closes
    client = client_for(pki)
    client.connectToHostEncrypted("localhost", peer.port)
    assert run_until(lambda: _finished(client), 5000)
    assert client.error() is SE.RemoteHostClosedError
    assert client.errorString() == "The remote host closed the connection"
    assert not client.isEncrypted()
    peer.join()


def test_client_hello_garbage_to_a_server_keeps_the_server_serving(pki: Pki, qtls_app: Any) -> None:
    recs: list[Recorder] = []
    server = TlsServer(pki.server_config(), on_socket=lambda s: recs.append(Recorder(s)))
    raw = socket.create_connection(("127.0.0.1", server.port()), timeout=5)
    raw.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert run_until(lambda: bool(server.sockets) and server.sockets[0].state() is S.UnconnectedState, 5000)
    assert server.sockets[0].error() is SE.SslHandshakeFailedError
    raw.close()
    # Another client is served normally.
    client = client_for(pki)
    client.connectToHostEncrypted("localhost", server.port())
    assert run_until(client.isEncrypted, 5000), client.errorString()
    server.shutdown()


def test_disjoint_protocol_ranges(pki: Pki, qtls_app: Any) -> None:
    conf = pki.server_config()
    conf.setProtocol(QSsl.SslProtocol.TlsV1_3)
    recs: list[Recorder] = []
    server = TlsServer(conf, on_socket=lambda s: recs.append(Recorder(s)))
    client = client_for(pki, protocol=QSsl.SslProtocol.TlsV1_2)
    rec = Recorder(client)
    client.connectToHostEncrypted("localhost", server.port())
    assert run_until(lambda: _finished(client), 5000)
    assert client.error() is SE.SslHandshakeFailedError
    assert "protocol version" in client.errorString()
    assert "alertReceived(Fatal,ProtocolVersion,protocol version)" in rec.log
    assert run_until(lambda: "alertSent(Fatal,ProtocolVersion,protocol version)" in recs[0].log, 5000)
    server.shutdown()


def test_no_shared_cipher(pki: Pki, qtls_app: Any) -> None:
    conf = pki.server_config(pki.rsa)
    conf.setProtocol(QSsl.SslProtocol.TlsV1_2)
    conf.setCiphers([QSslCipher("ECDHE-RSA-AES128-GCM-SHA256")])
    recs: list[Recorder] = []
    server = TlsServer(conf, on_socket=lambda s: recs.append(Recorder(s)))
    client = client_for(pki, protocol=QSsl.SslProtocol.TlsV1_2)
    cc = client.sslConfiguration()
    cc.setCiphers([QSslCipher("ECDHE-RSA-AES256-GCM-SHA384")])
    client.setSslConfiguration(cc)
    client.connectToHostEncrypted("localhost", server.port())
    assert run_until(lambda: _finished(client), 5000)
    assert client.error() is SE.SslHandshakeFailedError
    assert run_until(lambda: bool(server.sockets) and _finished(server.sockets[0]), 5000)
    assert "no shared cipher" in server.sockets[0].errorString()
    server.shutdown()


def test_certificate_without_key_is_invalid_user_data(pki: Pki, qtls_app: Any) -> None:
    # PyQt6 (scenario "nokey"): errorOccurred(SslInvalidUserDataError), then SslInternalError
    # "Unable to init SSL Context: ..."; the TCP connection stays up.
    conf = pki.server_config()
    conf.setPrivateKey(type(pki.ecdsa.key)())
    recs: list[Recorder] = []
    server = TlsServer(conf, on_socket=lambda s: recs.append(Recorder(s)))
    client = client_for(pki)
    client.connectToHostEncrypted("localhost", server.port())
    assert run_until(lambda: bool(recs) and len(recs[0].log) >= 4, 5000)
    sock = server.sockets[0]
    assert recs[0].log[:4] == ["stateChanged(ConnectedState)", "modeChanged(SslServerMode)",
                               "errorOccurred(SslInvalidUserDataError)",
                               "errorOccurred(SslInternalError)"]
    assert "certificate with no key" in sock.errorString()
    assert sock.state() is S.ConnectedState and not sock.isEncrypted()
    client.abort()
    server.shutdown()


def test_unsupported_protocol_fails_before_connecting(pki: Pki, qtls_app: Any) -> None:
    client = client_for(pki, protocol=QSsl.SslProtocol.DtlsV1_2)
    rec = Recorder(client)
    client.connectToHostEncrypted("localhost", 9)
    assert rec.log == ["errorOccurred(SslInvalidUserDataError)"]
    assert client.state() is S.UnconnectedState
    assert "DTLS" in client.errorString()


def test_tls10_is_refused_as_invalid_user_data(pki: Pki, qtls_app: Any) -> None:
    if QSslSocket.isProtocolSupported(QSsl.SslProtocol.TlsV1_0):
        pytest.skip("this OpenSSL still negotiates TLS 1.0")
    client = client_for(pki, protocol=QSsl.SslProtocol.TlsV1_0)
    client.connectToHostEncrypted("localhost", 9)
    assert client.error() is SE.SslInvalidUserDataError
    assert "TLS 1.0" in client.errorString()


def test_connect_to_host_encrypted_twice_is_ignored(pki: Pki, qtls_app: Any) -> None:
    server = TlsServer(pki.server_config())
    client = client_for(pki)
    client.connectToHostEncrypted("localhost", server.port())
    client.connectToHostEncrypted("localhost", 9)
    assert run_until(client.isEncrypted, 5000)
    assert client.peerPort() == server.port()
    server.shutdown()


def test_wrong_argument_types_raise_type_error(qtls_app: Any) -> None:
    sock = QSslSocket()
    with pytest.raises(TypeError):
        sock.connectToHostEncrypted(42, 443)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        sock.setSslConfiguration("conf")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        sock.ignoreSslErrors([1])
    with pytest.raises(TypeError):
        sock.setPeerVerifyName(3)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        sock.setPeerVerifyMode(2)  # type: ignore[arg-type]
