"""A loop-less blocking server: waitForNewConnection(), then the socket's own waits.

Qt documents the pattern: override ``incomingConnection()``, keep the descriptor in your own
socket (``setSocketDescriptor`` and, for TLS, ``startServerEncryption``). No connection is then
pending, yet Qt's ``waitForNewConnection()`` reports (True, False): the listening socket was
ready and its clients were handed over. PyQt6 6.11 gives the same results as asserted here.
"""

from __future__ import annotations

import socket
import ssl
import threading
from typing import Any

import pytest
import trustme

from qtls.QtNetwork import (
    QHostAddress,
    QSsl,
    QSslCertificate,
    QSslKey,
    QSslServer,
    QSslSocket,
    QTcpServer,
    QTcpSocket,
)

CA = trustme.CA()
LEAF = CA.issue_cert("localhost")
LOCALHOST = QHostAddress.SpecialAddress.LocalHost


def _keeping_server(network: Any, base_name: str, tls: bool) -> Any:
    """A server of ``base_name`` whose incomingConnection keeps the socket itself."""
    base = getattr(network, base_name)
    cert = network.QSslCertificate(LEAF.cert_chain_pems[0].bytes())
    key = network.QSslKey(LEAF.private_key_pem.bytes(), network.QSsl.KeyAlgorithm.Ec)

    class KeepingServer(base):  # type: ignore[misc, valid-type]
        kept: Any = None

        def incomingConnection(self, handle: Any) -> None:
            sock = network.QSslSocket(self) if tls else network.QTcpSocket(self)
            sock.setSocketDescriptor(handle)
            if tls:
                sock.setLocalCertificate(cert)
                sock.setPrivateKey(key)
                sock.startServerEncryption()
            self.kept = sock

    return KeepingServer()


def _client(port: int, tls: bool, replies: list[Any]) -> threading.Thread:
    def run() -> None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
                stream: Any = raw
                if tls:
                    ctx = ssl.create_default_context()
                    CA.configure_trust(ctx)
                    stream = ctx.wrap_socket(raw, server_hostname="localhost")
                stream.sendall(b"ping")
                replies.append(stream.recv(100))
        except OSError as exc:
            replies.append(repr(exc))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def _serve_one_without_loop(network: Any, base_name: str, tls: bool) -> list[Any]:
    server = _keeping_server(network, base_name, tls)
    assert server.listen(network.QHostAddress(network.QHostAddress.SpecialAddress.LocalHost), 0)
    replies: list[Any] = []
    thread = _client(server.serverPort(), tls, replies)
    seen: list[Any] = [server.waitForNewConnection(5000)]
    sock = server.kept
    assert sock is not None
    if tls:
        seen.append(sock.waitForEncrypted(5000))
    seen.append(sock.waitForReadyRead(5000))
    seen.append(bytes(sock.readAll()))
    sock.write(b"PONG")
    seen.append(sock.waitForBytesWritten(5000))
    thread.join(5)
    seen += [replies, server.hasPendingConnections()]
    server.close()
    return seen


SCENARIOS = [("QTcpServer", False), ("QTcpServer", True), ("QSslServer", True)]


@pytest.mark.parametrize(("base_name", "tls"), SCENARIOS)
def test_blocking_server_serves_a_kept_descriptor(base_name: str, tls: bool) -> None:
    import qtls.QtNetwork as network

    seen = _serve_one_without_loop(network, base_name, tls)
    expected: list[Any] = [(True, False)] + ([True] if tls else []) + [True, b"ping", True]
    assert seen == expected + [[b"PONG"], False]


@pytest.mark.pyqt6
@pytest.mark.parametrize(("base_name", "tls"), SCENARIOS)
def test_blocking_server_matches_pyqt6(pyqt_network: Any, base_name: str, tls: bool) -> None:
    import qtls.QtNetwork as network

    assert _serve_one_without_loop(network, base_name, tls) == _serve_one_without_loop(
        pyqt_network, base_name, tls
    )


def test_wait_reports_ready_when_the_pending_list_is_full() -> None:
    server = QTcpServer()
    server.setMaxPendingConnections(1)
    assert server.listen(QHostAddress(LOCALHOST), 0)
    clients = [
        socket.create_connection(("127.0.0.1", server.serverPort()), timeout=5) for _ in range(2)
    ]
    try:
        assert server.waitForNewConnection(2000) == (True, False)
        assert server.hasPendingConnections()
        # Qt: the backlog is readable, nothing more is accepted, and the wait still says so.
        assert server.waitForNewConnection(2000) == (True, False)
        assert isinstance(server.nextPendingConnection(), QTcpSocket)
        assert server.nextPendingConnection() is None
    finally:
        for client in clients:
            client.close()
        server.close()


def test_wait_times_out_without_a_client() -> None:
    server = QTcpServer()
    assert server.listen(QHostAddress(LOCALHOST), 0)
    assert server.waitForNewConnection(50) == (False, True)
    server.close()


def test_ssl_server_default_handling_accepts_and_waits_for_the_loop() -> None:
    # Without an override, QSslServer's handshake needs the loop: the wait says a client was
    # accepted and nothing is pending yet (Qt's behaviour too).
    server = QSslServer()
    conf = server.sslConfiguration()
    conf.setLocalCertificate(QSslCertificate(LEAF.cert_chain_pems[0].bytes()))
    conf.setPrivateKey(QSslKey(LEAF.private_key_pem.bytes(), QSsl.KeyAlgorithm.Ec))
    server.setSslConfiguration(conf)
    assert server.listen(QHostAddress(LOCALHOST), 0)
    client = socket.create_connection(("127.0.0.1", server.serverPort()), timeout=5)
    try:
        assert server.waitForNewConnection(2000) == (True, False)
        assert not server.hasPendingConnections()
        assert len(server.findChildren(QSslSocket)) == 1
    finally:
        client.close()
        server.close()
