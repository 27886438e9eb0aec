"""The pattern from Qt's QSslSocket documentation, before QSslServer existed.

Subclass QTcpServer, override ``incomingConnection(socketDescriptor)``, wrap the descriptor in
a QSslSocket with ``setSocketDescriptor``, give it a certificate and key, then call
``startServerEncryption()``; hand the socket on with ``addPendingConnection`` once encrypted.
"""

from __future__ import annotations

from typing import Any

from qtls.QtNetwork import QHostAddress, QSslConfiguration, QSslSocket, QTcpServer
from tests.sslserver.helpers import EC_SERVER_CERT as LEAF
from tests.sslserver.helpers import (
    client_context,
    qt_certificate,
    qt_key,
    run_until,
    stdlib_client,
)


class ClassicServer(QTcpServer):
    """Qt's documented server: encryption starts at once on each accepted descriptor."""

    def __init__(self) -> None:
        super().__init__()
        self.conf = QSslConfiguration.defaultConfiguration()
        self.conf.setLocalCertificate(qt_certificate(LEAF.cert_chain_pems[0].bytes()))
        self.conf.setPrivateKey(qt_key(LEAF))
        self.adopted: list[QSslSocket] = []
        self.descriptors: list[int] = []
        self.adopted_descriptors: list[int] = []
        self.peers: list[str] = []
        self.modes: list[Any] = []

    def incomingConnection(self, handle: int) -> None:
        sock = QSslSocket(self)
        self.descriptors.append(handle)
        if not sock.setSocketDescriptor(handle):
            sock.deleteLater()
            return
        self.adopted.append(sock)
        self.adopted_descriptors.append(sock.socketDescriptor())
        self.peers.append(sock.peerAddress().toString())
        sock.setSslConfiguration(self.conf)
        sock.encrypted.connect(lambda: self.addPendingConnection(sock))
        sock.startServerEncryption()
        self.modes.append(sock.mode())


def test_incoming_connection_override_with_start_server_encryption(qtls_app: Any) -> None:
    server = ClassicServer()
    assert server.listen(QHostAddress(QHostAddress.SpecialAddress.LocalHost), 0)
    replies: list[bytes] = []

    def on_pending() -> None:
        while (sock := server.nextPendingConnection()) is not None:
            assert isinstance(sock, QSslSocket)
            assert sock.isEncrypted()
            sock.readyRead.connect(lambda s=sock: reply_reversed(s))

    def reply_reversed(sock: QSslSocket) -> None:
        replies.append(bytes(sock.peek(100) or b""))
        sock.write(bytes(sock.readAll())[::-1])

    server.pendingConnectionAvailable.connect(on_pending)
    peer = stdlib_client(server.serverPort(), client_context(), payload=b"classic")
    assert peer.wait()
    assert peer.error is None, peer.error
    assert peer.reply == b"cissalc"
    assert replies == [b"classic"]
    (sock,) = server.adopted
    assert server.adopted_descriptors == server.descriptors
    assert server.modes == [QSslSocket.SslMode.SslServerMode]
    assert server.peers == ["127.0.0.1"]
    server.close()


def test_classic_server_serves_several_clients_at_once(qtls_app: Any) -> None:
    server = ClassicServer()
    assert server.listen(QHostAddress(QHostAddress.SpecialAddress.LocalHost), 0)

    def on_pending() -> None:
        while (sock := server.nextPendingConnection()) is not None:
            sock.readyRead.connect(lambda s=sock: s.write(bytes(s.readAll()).upper()))

    server.pendingConnectionAvailable.connect(on_pending)
    peers = [stdlib_client(server.serverPort(), client_context(), payload=f"client {i}".encode())
             for i in range(4)]
    assert run_until(lambda: all(p.done.is_set() for p in peers), 8000)
    assert [p.reply for p in peers] == [f"CLIENT {i}".encode() for i in range(4)]
    assert all(p.error is None for p in peers)
    server.close()
