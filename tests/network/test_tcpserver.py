"""QTcpServer: listening, pending connections, limits, pausing, errors and robustness."""

from __future__ import annotations

import socket
import struct
from typing import Any

import pytest

from qtls.QtNetwork import QAbstractSocket, QHostAddress, QTcpServer, QTcpSocket
from tests.network.helpers import run_until, spin

S = QHostAddress.SpecialAddress
Error = QAbstractSocket.SocketError


def _connect(port: int, host: str = "127.0.0.1") -> socket.socket:
    return socket.create_connection((host, port), timeout=5)


def test_defaults_before_listening() -> None:
    server = QTcpServer()
    assert not server.isListening()
    assert server.serverAddress().isNull() and server.serverPort() == 0
    assert server.socketDescriptor() == -1
    assert server.serverError() is Error.UnknownSocketError and server.errorString() == ""
    assert server.maxPendingConnections() == 30 and server.listenBacklogSize() == 50
    assert server.nextPendingConnection() is None and not server.hasPendingConnections()


def test_listen_any_is_dual_stack_and_reports_any(qtls_app: Any) -> None:
    server = QTcpServer()
    assert server.listen()
    assert server.serverAddress() == S.Any
    assert server.serverAddress().toString() == "0.0.0.0"
    port = server.serverPort()
    assert port > 0
    order: list[str] = []
    server.pendingConnectionAvailable.connect(lambda: order.append("pending"))
    server.newConnection.connect(lambda: order.append("new"))
    clients = [_connect(port, "127.0.0.1")]
    if socket.has_ipv6:
        clients.append(_connect(port, "::1"))
    assert run_until(lambda: len(order) == 2 * len(clients))
    assert order[:2] == ["pending", "new"]  # Qt's order
    first = server.nextPendingConnection()
    assert first is not None and first.parent() is server
    assert first.peerAddress().toString() == "::ffff:127.0.0.1"
    assert first.state() is QAbstractSocket.SocketState.ConnectedState
    for client in clients:
        client.close()
    server.close()


def test_listen_on_a_port_in_use_fails_with_address_in_use() -> None:
    first = QTcpServer()
    assert first.listen(QHostAddress(S.LocalHost), 0)
    second = QTcpServer()
    assert not second.listen(QHostAddress(S.LocalHost), first.serverPort())
    assert second.serverError() is Error.AddressInUseError
    assert second.errorString() == "The bound address is already in use"
    assert not second.isListening()
    first.close()


def test_listen_on_an_address_not_on_this_host_fails() -> None:
    server = QTcpServer()
    assert not server.listen(QHostAddress("192.0.2.77"), 0)
    assert server.serverError() is Error.SocketAddressNotAvailableError


def test_listen_on_a_null_address_is_unsupported() -> None:
    server = QTcpServer()
    assert not server.listen(QHostAddress(), 0)
    assert server.serverError() is Error.UnsupportedSocketOperationError


def test_listen_twice_returns_false_and_close_stops_listening() -> None:
    server = QTcpServer()
    assert server.listen(QHostAddress(S.LocalHost))
    assert not server.listen(QHostAddress(S.LocalHost))
    server.close()
    assert not server.isListening() and server.serverPort() == 0


def test_wait_for_new_connection_without_a_loop() -> None:
    server = QTcpServer()
    assert server.listen(QHostAddress(S.LocalHost))
    assert server.waitForNewConnection(30) == (False, True)
    client = _connect(server.serverPort())
    assert server.waitForNewConnection(3000) == (True, False)
    accepted = server.nextPendingConnection()
    assert accepted is not None
    client.sendall(b"x")
    assert accepted.waitForReadyRead(3000) and accepted.read(1) == b"x"
    client.close()
    server.close()


def test_max_pending_connections_stops_accepting_until_one_is_taken(qtls_app: Any) -> None:
    server = QTcpServer()
    server.setMaxPendingConnections(1)
    assert server.listen(QHostAddress(S.LocalHost))
    news: list[int] = []
    server.newConnection.connect(lambda: news.append(1))
    clients = [_connect(server.serverPort()) for _ in range(3)]
    assert run_until(lambda: len(news) == 1)
    spin(50)
    assert len(news) == 1  # the others wait in the kernel backlog
    assert server.nextPendingConnection() is not None
    assert run_until(lambda: len(news) == 2)
    assert server.nextPendingConnection() is not None
    assert run_until(lambda: len(news) == 3)
    for client in clients:
        client.close()
    server.close()


def test_pause_and_resume_accepting(qtls_app: Any) -> None:
    server = QTcpServer()
    assert server.listen(QHostAddress(S.LocalHost))
    server.pauseAccepting()
    client = _connect(server.serverPort())
    spin(50)
    assert not server.hasPendingConnections()
    server.resumeAccepting()
    assert run_until(server.hasPendingConnections)
    client.close()
    server.close()


def test_server_keeps_accepting_after_misbehaving_clients(qtls_app: Any) -> None:
    server = QTcpServer()
    assert server.listen(QHostAddress(S.LocalHost))
    port = server.serverPort()
    # A client that connects and resets at once, before the server accepted it.
    rude = socket.socket()
    rude.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    rude.connect(("127.0.0.1", port))
    rude.close()
    # A client that sends garbage and vanishes.
    garbage = _connect(port)
    garbage.sendall(b"\x16\x03\x01garbage" * 100)
    garbage.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    garbage.close()
    spin(50)
    while server.hasPendingConnections():
        connection = server.nextPendingConnection()
        assert connection is not None
        connection.readAll()
        connection.abort()
    # A good client still gets served.
    good = _connect(port)
    assert run_until(server.hasPendingConnections)
    accepted = server.nextPendingConnection()
    assert accepted is not None
    good.sendall(b"hello")
    assert run_until(lambda: accepted.bytesAvailable() == 5)
    assert server.isListening() and server.serverError() is Error.UnknownSocketError
    good.close()
    server.close()


def test_incoming_connection_override_receives_the_descriptor(qtls_app: Any) -> None:
    handles: list[int] = []

    class Server(QTcpServer):
        def incomingConnection(self, handle: int) -> None:
            handles.append(handle)
            connection = QTcpSocket(self)
            connection.setObjectName("custom")
            assert connection.setSocketDescriptor(handle)
            self.addPendingConnection(connection)

    server = Server()
    assert server.listen(QHostAddress(S.LocalHost))
    client = _connect(server.serverPort())
    assert run_until(server.hasPendingConnections)
    accepted = server.nextPendingConnection()
    assert accepted is not None and accepted.objectName() == "custom"
    assert handles == [accepted.socketDescriptor()]
    client.close()
    server.close()


def _endpoints(connection: QTcpSocket) -> tuple[str, int, str, int]:
    return (connection.localAddress().toString(), connection.localPort(),
            connection.peerAddress().toString(), connection.peerPort())


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "any"])
def test_accepted_sockets_know_both_endpoints(host: str) -> None:
    # The server hands the addresses accept() and listen() gave it to setSocketDescriptor
    # (abstractsocket._JustAccepted): they must be what the kernel says on both sides.
    if host == "::1" and not socket.has_ipv6:
        pytest.skip("no IPv6")
    server = QTcpServer()
    assert server.listen(QHostAddress(S.Any) if host == "any" else QHostAddress(host))
    client = _connect(server.serverPort(), "127.0.0.1" if host == "any" else host)
    assert server.waitForNewConnection(3000) == (True, False)
    accepted = server.nextPendingConnection()
    assert accepted is not None
    local, peer = client.getsockname(), client.getpeername()
    expected_peer = local[0] if host != "any" else "::ffff:" + local[0]
    expected_local = peer[0] if host != "any" else "::ffff:" + peer[0]
    assert _endpoints(accepted) == (expected_local, peer[1], expected_peer, local[1])
    client.close()
    server.close()


def test_the_accepted_descriptor_is_announced_only_during_incoming_connection() -> None:
    from qtls.network.abstractsocket import just_accepted

    seen: list[tuple[int, int]] = []

    class Server(QTcpServer):
        def incomingConnection(self, handle: int) -> None:
            seen.append((handle, just_accepted.fd))
            # A different descriptor for the same connection: adopted the long way, and the
            # announcement for ``handle`` is left alone.
            duplicate = socket.dup(handle)
            connection = QTcpSocket(self)
            assert connection.setSocketDescriptor(duplicate)
            assert just_accepted.fd == handle
            socket.close(handle)
            self.addPendingConnection(connection)

    server = Server()
    assert server.listen(QHostAddress(S.LocalHost))
    client = _connect(server.serverPort())
    assert server.waitForNewConnection(3000) == (True, False)
    assert just_accepted.fd == -1  # cleared once incomingConnection returned
    accepted = server.nextPendingConnection()
    assert accepted is not None
    assert seen == [(seen[0][0], seen[0][0])]
    local = client.getsockname()
    assert _endpoints(accepted) == ("127.0.0.1", server.serverPort(), "127.0.0.1", local[1])
    client.close()
    server.close()


def test_a_unix_listener_s_connections_are_still_refused(tmp_path: Any) -> None:
    # A listening descriptor that is not TCP over IP: nothing is announced for its accepted
    # descriptors, and QTcpSocket refuses them as before.
    raw = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    path = str(tmp_path / "s")
    raw.bind(path)
    raw.listen()
    server = QTcpServer()
    assert server.setSocketDescriptor(raw.detach())
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    client.settimeout(5)
    client.connect(path)
    # The listener was ready and its client handed to incomingConnection: Qt's (True, False).
    assert server.waitForNewConnection(3000) == (True, False)
    assert not server.hasPendingConnections()
    assert client.recv(1) == b""  # refused and closed
    client.close()
    server.close()


def test_set_socket_descriptor_adopts_a_listening_socket() -> None:
    raw = socket.socket()
    raw.bind(("127.0.0.1", 0))
    raw.listen()
    port = raw.getsockname()[1]
    server = QTcpServer()
    assert server.setSocketDescriptor(raw.detach())
    assert server.isListening() and server.serverPort() == port
    assert server.serverAddress() == QHostAddress("127.0.0.1")
    client = _connect(port)
    assert server.waitForNewConnection(3000) == (True, False)
    client.close()
    server.close()


def test_set_socket_descriptor_rejects_a_non_listening_socket() -> None:
    plain = socket.socket()
    server = QTcpServer()
    assert not server.setSocketDescriptor(plain.fileno())
    assert server.serverError() is Error.UnsupportedSocketOperationError
    assert server.errorString() == "Invalid socket descriptor"
    plain.close()


def test_close_drops_pending_connections() -> None:
    server = QTcpServer()
    assert server.listen(QHostAddress(S.LocalHost))
    client = _connect(server.serverPort())
    assert server.waitForNewConnection(3000) == (True, False)
    server.close()
    assert not server.hasPendingConnections()
    client.settimeout(3)
    assert client.recv(1) == b""  # the pending connection was closed
    client.close()


def test_listen_backlog_size_is_kept() -> None:
    server = QTcpServer()
    server.setListenBacklogSize(5)
    assert server.listenBacklogSize() == 5


@pytest.mark.pyqt6
def test_server_defaults_match_pyqt6(pyqt_network: Any) -> None:
    theirs = pyqt_network.QTcpServer()
    mine = QTcpServer()
    assert (mine.maxPendingConnections(), mine.listenBacklogSize(), mine.errorString(),
            mine.serverError().name) == (
        theirs.maxPendingConnections(), theirs.listenBacklogSize(), theirs.errorString(),
        theirs.serverError().name)


_ACCEPT_ERROR_SCRIPT = r"""
import resource, socket
from qtls.QtNetwork import QHostAddress, QTcpServer
from qtls.QtCore import QCoreApplication, QTimer
app = QCoreApplication([])
server = QTcpServer()
assert server.listen(QHostAddress("127.0.0.1"), 0)
client = socket.create_connection(("127.0.0.1", server.serverPort()))
errors = []
server.acceptError.connect(lambda e: (errors.append(e.name), app.quit()))
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
probe = socket.socket(); highest = probe.fileno(); probe.close()
resource.setrlimit(resource.RLIMIT_NOFILE, (highest, hard))  # no descriptor left for accept
QTimer.singleShot(3000, app.quit)
app.exec()
resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
print(errors, server.serverError().name, server.isListening(), server.hasPendingConnections())
"""


def test_accept_error_pauses_accepting_and_emits_accept_error() -> None:
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-c", _ACCEPT_ERROR_SCRIPT], capture_output=True,
                            text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "['SocketResourceError']", "SocketResourceError", "True", "False"]
