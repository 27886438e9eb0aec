"""QTcpSocket: blocking API, errors, descriptors, options, state table, protected setters."""

from __future__ import annotations

import socket
import threading
from typing import Any

import pytest

from qtls.network.socketstate import TRANSITIONS, SocketStateError
from qtls.QtCore import QIODevice, Qt
from qtls.QtNetwork import QAbstractSocket, QHostAddress, QTcpServer, QTcpSocket
from tests.network.helpers import free_port, raw_listener, record, run_until

State = QAbstractSocket.SocketState
Error = QAbstractSocket.SocketError
Option = QAbstractSocket.SocketOption


def _blocking_client_session(port: int, results: dict[str, Any]) -> None:
    """A whole client life with the blocking API only (runs in a thread without a loop)."""
    client = QTcpSocket()
    log: list[str] = []
    record(client, log)
    client.connectToHost("localhost", port)
    results["connected"] = client.waitForConnected(3000)
    client.write(b"ping\n")
    results["written"] = client.waitForBytesWritten(3000)
    results["ready"] = client.waitForReadyRead(3000)
    results["line"] = bytes(client.readLine())
    results["disconnected"] = client.waitForDisconnected(3000)
    results["log"] = log
    results["thread_has_running_loop"] = _has_running_loop()


def _has_running_loop() -> bool:
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def test_blocking_api_works_in_a_thread_without_an_event_loop() -> None:
    listener = raw_listener()
    results: dict[str, Any] = {}
    worker = threading.Thread(target=_blocking_client_session,
                              args=(listener.getsockname()[1], results))
    worker.start()
    peer, _ = listener.accept()
    peer.settimeout(5)
    assert peer.recv(5) == b"ping\n"
    peer.sendall(b"pong\n")
    peer.close()
    worker.join(10)
    listener.close()
    assert not worker.is_alive()
    assert results["connected"] and results["written"] and results["ready"]
    assert results["line"] == b"pong\n"
    assert results["disconnected"]
    assert not results["thread_has_running_loop"]
    # The waits emitted the same signals the loop would have, in Qt's order.
    assert results["log"][:5] == ["stateChanged(HostLookupState)",
                                  "stateChanged(ConnectingState)", "hostFound",
                                  "stateChanged(ConnectedState)", "connected"]
    assert results["log"][-4:] == ["stateChanged(ClosingState)", "stateChanged(UnconnectedState)",
                                   "readChannelFinished", "disconnected"]


def test_wait_for_ready_read_times_out_with_socket_timeout_error_and_stays_connected() -> None:
    listener = raw_listener()
    client = QTcpSocket()
    log: list[str] = []
    client.connectToHost(QHostAddress("127.0.0.1"), listener.getsockname()[1])
    assert client.waitForConnected(3000)
    record(client, log)
    peer, _ = listener.accept()
    assert not client.waitForReadyRead(30)
    assert client.error() is Error.SocketTimeoutError
    assert client.errorString() == "Network operation timed out"
    assert client.state() is State.ConnectedState
    assert log == ["errorOccurred(SocketTimeoutError)"]
    peer.close()
    listener.close()
    client.abort()


def test_wait_for_connected_times_out_and_abandons_the_attempt() -> None:
    # A listener whose backlog is full leaves further SYNs unanswered: connect hangs.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    client = QTcpSocket()
    try:
        for _ in range(8):
            filler = socket.socket()
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", port))
            fillers.append(filler)
        client.connectToHost(QHostAddress("127.0.0.1"), port)
        connected = client.waitForConnected(200)
        if connected:
            pytest.skip("the kernel accepted the connection despite the full backlog")
        assert client.state() is State.UnconnectedState
        assert client.error() is Error.SocketTimeoutError
        assert client.errorString() == "Socket operation timed out"
    finally:
        client.abort()
        for filler in fillers:
            filler.close()
        listener.close()


def test_waits_on_an_unconnected_socket_return_false_at_once() -> None:
    client = QTcpSocket()
    assert not client.waitForConnected(10)
    assert not client.waitForReadyRead(10)
    assert not client.waitForBytesWritten(10)
    assert not client.waitForDisconnected(10)
    assert client.error() is Error.UnknownSocketError


def test_write_on_unconnected_socket_returns_minus_one() -> None:
    client = QTcpSocket()
    assert client.write(b"data") == -1
    assert client.errorString() == "Unknown error"  # the device is not even open


def test_write_after_disconnect_returns_minus_one_socket_not_connected() -> None:
    listener = raw_listener()
    client = QTcpSocket()
    client.connectToHost("127.0.0.1", listener.getsockname()[1])
    assert client.waitForConnected(3000)
    peer, _ = listener.accept()
    client.disconnectFromHost()
    assert client.state() is State.UnconnectedState
    assert client.write(b"late") == -1
    assert client.errorString() == "Socket is not connected"
    peer.close()
    listener.close()


def test_refused_port_reports_connection_refused() -> None:
    client = QTcpSocket()
    client.connectToHost(QHostAddress("127.0.0.1"), free_port())
    assert not client.waitForConnected(3000)
    assert client.error() is Error.ConnectionRefusedError
    assert client.state() is State.UnconnectedState


def test_connect_tries_every_resolved_address_until_one_accepts() -> None:
    # "localhost" resolves to ::1 and 127.0.0.1 here; only the IPv4 one listens.
    listener = raw_listener("127.0.0.1")
    client = QTcpSocket()
    client.connectToHost("localhost", listener.getsockname()[1])
    assert client.waitForConnected(3000)
    assert client.peerAddress() == QHostAddress("127.0.0.1")
    assert client.peerName() == "localhost"
    client.abort()
    listener.close()


def test_connect_over_ipv6_loopback() -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6")
    server = QTcpServer()
    assert server.listen(QHostAddress("::1"), 0)
    client = QTcpSocket()
    client.connectToHost(QHostAddress(QHostAddress.SpecialAddress.LocalHostIPv6),
                         server.serverPort())
    assert client.waitForConnected(3000)
    assert client.peerAddress().toString() == "::1"
    assert client.localAddress().protocol() is QAbstractSocket.NetworkLayerProtocol.IPv6Protocol
    assert server.waitForNewConnection(3000) == (True, False)
    client.abort()
    server.close()


def test_peer_reset_is_reported_as_remote_host_closed() -> None:
    listener = raw_listener()
    client = QTcpSocket()
    client.connectToHost("127.0.0.1", listener.getsockname()[1])
    assert client.waitForConnected(3000)
    peer, _ = listener.accept()
    peer.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    peer.close()
    assert not client.waitForReadyRead(3000)
    assert client.error() is Error.RemoteHostClosedError
    assert client.state() is State.UnconnectedState
    listener.close()


def test_set_socket_descriptor_adopts_a_connected_socket() -> None:
    listener = raw_listener()
    raw = socket.create_connection(listener.getsockname())
    peer, _ = listener.accept()
    client = QTcpSocket()
    log: list[str] = []
    record(client, log)
    fd = raw.detach()
    assert client.setSocketDescriptor(fd)
    assert log == ["stateChanged(ConnectedState)"]
    assert client.socketDescriptor() == fd
    assert client.openMode() == QIODevice.OpenModeFlag.ReadWrite
    assert client.peerPort() == listener.getsockname()[1]
    assert client.peerName() == ""
    peer.sendall(b"hi")
    assert client.waitForReadyRead(3000) and client.readAll() == b"hi"
    client.abort()
    assert client.socketDescriptor() == -1
    peer.close()
    listener.close()


def test_set_socket_descriptor_rejects_an_invalid_descriptor() -> None:
    spare = socket.socket()
    bogus = spare.fileno()
    spare.close()  # now certainly not an open descriptor
    client = QTcpSocket()
    assert client.setSocketDescriptor(bogus) is False
    assert client.error() is Error.UnsupportedSocketOperationError
    assert client.errorString() == "Invalid socket descriptor"
    assert client.state() is State.UnconnectedState
    assert client.setSocketDescriptor(-1) is False


def test_socket_options_are_applied_to_the_socket() -> None:
    listener = raw_listener()
    client = QTcpSocket()
    assert client.socketOption(Option.LowDelayOption) is None
    client.setSocketOption(Option.KeepAliveOption, True)  # before connecting: kept for later
    client.connectToHost("127.0.0.1", listener.getsockname()[1])
    assert client.waitForConnected(3000)
    assert client.socketOption(Option.KeepAliveOption) == 1
    assert client.socketOption(Option.LowDelayOption) == 0
    client.setSocketOption(Option.LowDelayOption, 1)
    assert client.socketOption(Option.LowDelayOption) == 1
    client.setSocketOption(Option.ReceiveBufferSizeSocketOption, 65536)
    assert client.socketOption(Option.ReceiveBufferSizeSocketOption) >= 65536
    client.abort()
    listener.close()


def test_wrong_argument_types_raise_type_error() -> None:
    client = QTcpSocket()
    with pytest.raises(TypeError):
        client.connectToHost(1234, 80)
    with pytest.raises(TypeError):
        client.connectToHost("localhost", "80")
    with pytest.raises(TypeError):
        client.setReadBufferSize("big")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        client.socketOption(3)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        client.waitForReadyRead(1.5)  # type: ignore[arg-type]


def test_state_table_allows_qt_paths_and_rejects_the_rest() -> None:
    client = QTcpSocket()
    client.setSocketState(State.HostLookupState)
    client.setSocketState(State.ConnectingState)
    client.setSocketState(State.ConnectedState)
    with pytest.raises(SocketStateError):
        client.setSocketState(State.HostLookupState)
    client.setSocketState(State.ClosingState)
    with pytest.raises(SocketStateError):
        client.setSocketState(State.ConnectedState)
    client.setSocketState(State.UnconnectedState)
    # Every state can always fall back to Unconnected (errors, abort).
    assert all(State.UnconnectedState in targets
               for state, targets in TRANSITIONS.items() if state is not State.UnconnectedState)


def test_protected_setters_change_what_getters_report() -> None:
    client = QTcpSocket()
    client.setLocalAddress(QHostAddress("10.0.0.1"))
    client.setLocalPort(1234)
    client.setPeerAddress(QHostAddress.SpecialAddress.LocalHostIPv6)
    client.setPeerPort(443)
    client.setPeerName("example.test")
    client.setSocketError(Error.SslHandshakeFailedError)
    client.setErrorString("handshake failed")
    client.setOpenMode(QIODevice.OpenModeFlag.ReadOnly)
    assert (client.localAddress().toString(), client.localPort()) == ("10.0.0.1", 1234)
    assert (client.peerAddress().toString(), client.peerPort()) == ("::1", 443)
    assert client.peerName() == "example.test"
    assert client.error() is Error.SslHandshakeFailedError
    assert client.errorString() == "handshake failed"
    assert client.openMode() == QIODevice.OpenModeFlag.ReadOnly


def test_defaults_match_qt() -> None:
    client = QTcpSocket()
    assert client.state() is State.UnconnectedState
    assert client.error() is Error.UnknownSocketError
    assert client.errorString() == "Unknown error"
    assert client.socketType() is QAbstractSocket.SocketType.TcpSocket
    assert client.socketDescriptor() == -1
    assert client.readBufferSize() == 0
    assert client.pauseMode() == QAbstractSocket.PauseMode.PauseNever
    assert client.protocolTag() == "" and not client.isValid() and client.isSequential()
    assert client.localAddress().isNull() and client.peerAddress().isNull()


def test_flush_sends_buffered_data_without_an_event_loop() -> None:
    listener = raw_listener()
    client = QTcpSocket()
    client.connectToHost("127.0.0.1", listener.getsockname()[1])
    assert client.waitForConnected(3000)
    peer, _ = listener.accept()
    written: list[int] = []
    client.bytesWritten.connect(written.append)
    assert client.write(b"flushed") == 7
    assert client.bytesToWrite() == 7
    assert client.flush() is True
    assert client.bytesToWrite() == 0 and written == [7]
    assert peer.recv(16) == b"flushed"
    assert client.flush() is False  # nothing left to write
    client.abort()
    peer.close()
    listener.close()


def test_wait_inside_ready_read_slot_returns_on_new_data_without_recursing() -> None:
    listener = raw_listener()
    client = QTcpSocket()
    client.connectToHost("127.0.0.1", listener.getsockname()[1])
    assert client.waitForConnected(3000)
    peer, _ = listener.accept()
    depth = [0, 0]  # current, deepest
    inner: list[Any] = []

    def on_ready_read() -> None:
        depth[0] += 1
        depth[1] = max(depth)
        if client.bytesAvailable() < 6:
            threading.Timer(0.05, lambda: peer.sendall(b"def")).start()
            inner.append(client.waitForReadyRead(3000))  # as Qt: True, readyRead not re-emitted
            inner.append(client.bytesAvailable())
        depth[0] -= 1

    client.readyRead.connect(on_ready_read)
    peer.sendall(b"abc")
    assert client.waitForReadyRead(3000)
    assert inner == [True, 6] and depth[1] == 1
    assert client.error() is Error.UnknownSocketError
    assert bytes(client.readAll()) == b"abcdef"
    client.abort()
    peer.close()
    listener.close()


def test_socket_moved_to_a_worker_thread_is_served_by_that_threads_loop() -> None:
    from tests.network.helpers import run_until

    listener = raw_listener()
    client = QTcpSocket()
    client.connectToHost("127.0.0.1", listener.getsockname()[1])
    assert client.waitForConnected(3000)
    peer, _ = listener.accept()
    client.write(b"queued before the move")  # a registered writer must move along too
    got: list[tuple[str, bytes]] = []
    client.readyRead.connect(  # Direct: a lambda's own home is the connecting (main) thread
        lambda: got.append((threading.current_thread().name, bytes(client.readAll()))),
        Qt.ConnectionType.DirectConnection)

    worker = threading.Thread(target=lambda: run_until(lambda: bool(got), 3000), name="worker")
    client.moveToThread(worker)
    worker.start()
    assert peer.recv(64) == b"queued before the move"
    peer.sendall(b"to the worker")
    worker.join(5)
    assert got == [("worker", b"to the worker")]
    peer.close()
    listener.close()


def test_connect_to_host_honours_the_network_layer_protocol() -> None:
    listener = raw_listener("127.0.0.1")
    port = listener.getsockname()[1]
    Protocol = QAbstractSocket.NetworkLayerProtocol
    ipv4 = QTcpSocket()
    ipv4.connectToHost("localhost", port, QIODevice.OpenModeFlag.ReadWrite, Protocol.IPv4Protocol)
    assert ipv4.waitForConnected(3000)
    assert ipv4.peerAddress().protocol() is Protocol.IPv4Protocol
    ipv4.abort()
    if socket.has_ipv6:
        ipv6 = QTcpSocket()
        ipv6.connectToHost("localhost", port, protocol=Protocol.IPv6Protocol)
        assert not ipv6.waitForConnected(3000)  # only ::1 is tried, and nobody listens there
        assert ipv6.error() in (Error.ConnectionRefusedError, Error.HostNotFoundError)
    listener.close()


def test_sockets_run_on_a_plain_asyncio_loop_without_qcoreapplication() -> None:
    import asyncio

    async def main() -> tuple[bytes, list[str]]:
        server = QTcpServer()
        assert server.listen(QHostAddress("127.0.0.1"), 0)
        client = QTcpSocket()
        log: list[str] = []
        record(client, log)
        done = asyncio.Event()
        echoed = bytearray()

        def on_new_connection() -> None:
            connection = server.nextPendingConnection()
            assert connection is not None
            connection.readyRead.connect(lambda: connection.write(bytes(connection.readAll())))

        def on_ready_read() -> None:
            echoed.extend(bytes(client.readAll()))
            if echoed == b"over asyncio":
                done.set()

        server.newConnection.connect(on_new_connection)
        client.readyRead.connect(on_ready_read)
        client.connected.connect(lambda: client.write(b"over asyncio"))
        client.connectToHost("localhost", server.serverPort())
        await asyncio.wait_for(done.wait(), 5)
        client.abort()
        server.close()
        return bytes(echoed), log

    echoed, log = asyncio.run(main())
    assert echoed == b"over asyncio"
    assert log[:5] == ["stateChanged(HostLookupState)", "stateChanged(ConnectingState)",
                       "hostFound", "stateChanged(ConnectedState)", "connected"]


def test_nested_event_loop_in_a_ready_read_slot_keeps_reading(
        qtls_app: Any, caplog: pytest.LogCaptureFixture) -> None:
    # As PyQt6: the nested loop runs until its timer, the echo that arrives meanwhile is
    # buffered without a recursive readyRead, and nothing is logged (asyncio used to refuse
    # to re-enter the running reader's context on every turn, and the loop spun).
    from qtls.QtCore import QEventLoop, QTimer
    from tests.network.helpers import run_until

    server = QTcpServer()
    assert server.listen(QHostAddress("127.0.0.1"), 0)
    accepted: list[Any] = []

    def on_new() -> None:
        sock = server.nextPendingConnection()
        accepted.append(sock)
        sock.readyRead.connect(lambda: sock.write(sock.readAll()))

    server.newConnection.connect(on_new)
    client = QTcpSocket()
    got: list[bytes] = []
    turns: list[int] = []

    def on_ready_read() -> None:
        got.append(bytes(client.readAll()))
        if len(got) == 1:
            loop = QEventLoop()
            QTimer.singleShot(300, loop.quit)
            client.write(b"second")
            loop.exec()
            turns.append(1)

    client.readyRead.connect(on_ready_read)
    client.connected.connect(lambda: client.write(b"first"))
    client.connectToHost("127.0.0.1", server.serverPort())
    assert run_until(lambda: bool(turns), 5000)
    assert got == [b"first"]
    assert client.bytesAvailable() == len(b"second")
    assert not [r for r in caplog.records if "cannot enter context" in r.getMessage()]
    client.abort()
    server.close()


def test_disconnect_with_more_buffered_than_the_kernel_takes_delivers_every_byte(
        qtls_app: Any) -> None:
    # The close drains the buffer as writes do (no writer until the kernel refuses some), so
    # a slow reader still gets it all, then the socket goes Closing -> Unconnected as in Qt.
    listener = raw_listener()
    payload = bytes(range(256)) * (32 * 1024)  # 8 MiB: more than loopback's socket buffers
    received = bytearray()

    def slow_reader() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.settimeout(10)
            while True:
                data = conn.recv(65536)
                if not data:
                    return
                received.extend(data)

    thread = threading.Thread(target=slow_reader, daemon=True)
    thread.start()
    client = QTcpSocket()
    log: list[str] = []
    client.connectToHost("127.0.0.1", listener.getsockname()[1])
    assert client.waitForConnected(3000)
    record(client, log)
    assert client.write(payload) == len(payload)
    client.disconnectFromHost()
    assert client.state() is State.ClosingState
    assert run_until(lambda: client.state() is State.UnconnectedState, 10000), log[-5:]
    thread.join(10)
    assert bytes(received) == payload
    assert sum(int(entry[len("bytesWritten("):-1]) for entry in log
               if entry.startswith("bytesWritten(")) == len(payload)
    assert log[-3:] == ["stateChanged(UnconnectedState)", "readChannelFinished", "disconnected"]
    listener.close()


def _validity_along_a_life(network: Any) -> list[tuple[str, bool, bool]]:
    """isValid() and isOpen() at each step of a socket's life, with blocking calls only."""
    listener = raw_listener()
    port = listener.getsockname()[1]
    sock = network.QTcpSocket()
    seen = [("new", sock.isValid(), sock.isOpen())]
    sock.connectToHost("127.0.0.1", port)
    assert sock.waitForConnected(3000)
    seen.append(("connected", sock.isValid(), sock.isOpen()))
    sock.disconnectFromHost()
    seen.append(("after disconnectFromHost", sock.isValid(), sock.isOpen()))
    sock.connectToHost("127.0.0.1", port)
    assert sock.waitForConnected(3000)
    sock.abort()
    seen.append(("after abort", sock.isValid(), sock.isOpen()))
    sock.connectToHost("127.0.0.1", port)
    assert sock.waitForConnected(3000)
    sock.close()
    seen.append(("after close", sock.isValid(), sock.isOpen()))
    listener.close()
    refused = network.QTcpSocket()
    refused.connectToHost("127.0.0.1", port)
    refused.waitForConnected(3000)
    seen.append(("refused", refused.isValid(), refused.isOpen()))
    return seen


# Qt: the socket engine's validity while there is one, else isOpen(): a socket stays valid
# after disconnectFromHost() or a refused connection (still open), until close() or abort().
_VALIDITY = [("new", False, False), ("connected", True, True),
             ("after disconnectFromHost", True, True), ("after abort", False, False),
             ("after close", False, False), ("refused", True, True)]


def test_is_valid_follows_qt_once_the_descriptor_is_gone() -> None:
    import qtls.QtNetwork as qtls_network

    assert _validity_along_a_life(qtls_network) == _VALIDITY


def test_is_valid_along_a_life_is_pyqt6s(pyqt_network: Any) -> None:
    assert _validity_along_a_life(pyqt_network) == _VALIDITY
