"""QUdpSocket on real sockets over loopback: bind, send, receive, readyRead, errors.

Every expectation here was checked against PyQt6 (tests/network/udp/test_pyqt6_parity.py runs
the same scenarios on both and compares what they record).
"""

from __future__ import annotations

import socket

import pytest

from qtls.QtNetwork import QAbstractSocket, QHostAddress, QNetworkDatagram, QUdpSocket
from tests.network.helpers import run_until, spin

State = QAbstractSocket.SocketState
Error = QAbstractSocket.SocketError
LOCAL = QHostAddress("127.0.0.1")
LOCAL6 = QHostAddress("::1")


def _bound(address: QHostAddress = LOCAL) -> QUdpSocket:
    sock = QUdpSocket()
    assert sock.bind(address, 0), sock.errorString()
    return sock


def _ipv6_available() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


needs_ipv6 = pytest.mark.skipif(not _ipv6_available(), reason="no IPv6 loopback (::1)")


def test_bind_enters_bound_state_with_the_local_endpoint() -> None:
    sock = QUdpSocket()
    states: list[State] = []
    sock.stateChanged.connect(states.append)
    assert sock.bind(LOCAL, 0)
    assert states == [State.BoundState]
    assert sock.state() is State.BoundState
    assert sock.localAddress() == LOCAL and sock.localPort() > 0
    assert sock.peerAddress().isNull() and sock.peerPort() == 0
    assert not sock.isOpen()  # Qt: a bound UDP socket is not an open QIODevice
    assert sock.isValid()


def test_write_datagram_binds_an_unbound_socket_and_emits_bytes_written() -> None:
    receiver = _bound()
    sender = QUdpSocket()
    log: list[object] = []
    sender.stateChanged.connect(lambda s: log.append(s.name))
    sender.bytesWritten.connect(lambda n: log.append(n))
    assert sender.writeDatagram(b"hello", LOCAL, receiver.localPort()) == 5
    assert log == ["BoundState", 5]  # both before writeDatagram returned
    assert sender.localAddress() == QHostAddress(QHostAddress.SpecialAddress.Any)
    assert run_until(receiver.hasPendingDatagrams)
    data, host, port = receiver.readDatagram(100)
    # (An IPv4 receiver sees the dual-stack sender's IPv4 address.)
    assert (data, host.toString(), port) == (b"hello", "127.0.0.1", sender.localPort())


def test_ready_read_once_until_a_datagram_is_read() -> None:
    receiver = _bound()
    sender = _bound()
    ready: list[int] = []
    receiver.readyRead.connect(lambda: ready.append(receiver.pendingDatagramSize()))
    for payload in (b"one", b"three"):
        sender.writeDatagram(payload, LOCAL, receiver.localPort())
    assert run_until(lambda: bool(ready))
    spin(50)
    assert ready == [3]  # not re-emitted while the announced datagram is unread
    assert receiver.readDatagram(100)[0] == b"one"
    assert run_until(lambda: len(ready) == 2)
    assert ready == [3, 5]
    assert receiver.receiveDatagram().data() == b"three"
    spin(30)
    assert len(ready) == 2


def test_a_slot_reading_one_datagram_gets_one_ready_read_per_datagram() -> None:
    receiver = _bound()
    sender = _bound()
    got: list[bytes] = []
    receiver.readyRead.connect(lambda: got.append(receiver.readDatagram(100)[0] or b""))
    for i in range(3):
        sender.writeDatagram(b"m%d" % i, LOCAL, receiver.localPort())
    assert run_until(lambda: len(got) == 3)
    assert got == [b"m0", b"m1", b"m2"]


def test_receive_datagram_fills_the_header_fields() -> None:
    receiver = _bound()
    sender = _bound()
    sender.writeDatagram(b"payload", LOCAL, receiver.localPort())
    assert receiver.waitForReadyRead(3000)
    datagram = receiver.receiveDatagram()
    assert datagram.isValid() and not datagram.isNull()
    assert bytes(datagram.data()) == b"payload"
    assert datagram.senderAddress() == LOCAL
    assert datagram.senderPort() == sender.localPort()
    assert datagram.destinationAddress() == LOCAL
    assert datagram.destinationPort() == receiver.localPort()
    assert datagram.hopLimit() > 0
    assert datagram.interfaceIndex() == socket.if_nametoindex("lo")


def test_truncated_reads_drop_the_rest_of_the_datagram() -> None:
    receiver = _bound()
    sender = _bound()
    for payload in (b"0123456789", b"abcdefghij", b""):
        sender.writeDatagram(payload, LOCAL, receiver.localPort())
    assert run_until(lambda: receiver.pendingDatagramSize() == 10)
    assert receiver.readDatagram(4)[0] == b"0123"
    assert run_until(lambda: receiver.pendingDatagramSize() == 10)
    assert bytes(receiver.receiveDatagram(3).data()) == b"abc"
    assert run_until(receiver.hasPendingDatagrams)
    assert receiver.pendingDatagramSize() == 0
    empty = receiver.receiveDatagram()
    assert empty.isValid() and bytes(empty.data()) == b""


def test_reading_with_nothing_pending_is_a_temporary_error() -> None:
    sock = _bound()
    errors: list[Error] = []
    sock.errorOccurred.connect(errors.append)
    assert sock.readDatagram(10)[0] is None
    assert errors == [Error.TemporaryError]
    assert sock.errorString() == "No datagram available for reading"
    assert sock.receiveDatagram().isNull()
    assert errors == [Error.TemporaryError]  # maxSize -1: no size, no read, no error


def test_unbound_socket_reads_nothing_and_reports_nothing() -> None:
    sock = QUdpSocket()
    assert not sock.hasPendingDatagrams()
    assert sock.pendingDatagramSize() == -1
    data, host, port = sock.readDatagram(10)
    assert data is None and host.isNull() and port == 0
    assert sock.receiveDatagram().isNull()
    assert sock.error() is Error.UnknownSocketError


def test_oversize_datagram_is_datagram_too_large() -> None:
    sock = _bound()
    errors: list[Error] = []
    sock.errorOccurred.connect(errors.append)
    assert sock.writeDatagram(b"x" * 65508, LOCAL, sock.localPort()) == -1
    assert errors == [Error.DatagramTooLargeError]
    assert sock.errorString() == "Datagram was too large to send"
    assert sock.writeDatagram(b"y" * 65507, LOCAL, sock.localPort()) == 65507
    assert sock.waitForReadyRead(3000)
    assert sock.pendingDatagramSize() == 65507


def test_bind_to_a_port_in_use_is_address_in_use() -> None:
    first = _bound()
    second = QUdpSocket()
    errors: list[Error] = []
    second.errorOccurred.connect(errors.append)
    assert not second.bind(LOCAL, first.localPort())
    assert errors == [Error.AddressInUseError]
    assert second.errorString() == "The bound address is already in use"
    assert second.state() is State.UnconnectedState


def test_share_address_lets_two_sockets_bind_one_port() -> None:
    first = QUdpSocket()
    assert first.bind(LOCAL, 0, QAbstractSocket.BindFlag.ShareAddress)
    second = QUdpSocket()
    assert second.bind(LOCAL, first.localPort(), QAbstractSocket.BindFlag.ShareAddress)


def test_binding_twice_fails_without_an_error_of_its_own() -> None:
    sock = _bound()
    errors: list[Error] = []
    sock.errorOccurred.connect(errors.append)
    assert not sock.bind(LOCAL, 0)
    assert errors == [Error.UnknownSocketError]
    assert sock.state() is State.BoundState


@needs_ipv6
def test_ipv6_datagram_carries_scope_and_hop_limit() -> None:
    receiver = _bound(LOCAL6)
    sender = QUdpSocket()
    assert sender.writeDatagram(b"six", LOCAL6, receiver.localPort()) == 3
    assert receiver.waitForReadyRead(3000)
    datagram = receiver.receiveDatagram()
    assert datagram.senderAddress() == LOCAL6
    index = socket.if_nametoindex("lo")
    assert datagram.destinationAddress().toString() == f"::1%{index}"
    assert datagram.interfaceIndex() == index
    assert datagram.hopLimit() > 0


def test_write_datagram_object_with_hop_limit_and_sender() -> None:
    receiver = _bound()
    sender = _bound()
    datagram = QNetworkDatagram(b"hop", LOCAL, receiver.localPort())
    datagram.setHopLimit(7)
    assert sender.writeDatagram(datagram) == 3
    assert receiver.waitForReadyRead(3000)
    assert receiver.receiveDatagram().hopLimit() == 7
    # A source address goes as IPV6_PKTINFO from a dual-stack socket and is honoured...
    dual = _bound(QHostAddress(QHostAddress.SpecialAddress.Any))
    datagram = QNetworkDatagram(b"from", LOCAL, receiver.localPort())
    datagram.setSender(QHostAddress("127.0.0.5"))
    assert dual.writeDatagram(datagram) == 4
    assert receiver.waitForReadyRead(3000)
    assert receiver.receiveDatagram().senderAddress().toString() == "127.0.0.5"
    # ...while from an IPv4 socket Qt puts it where Linux ignores it (ipi_addr): no effect.
    assert sender.writeDatagram(datagram) == 4
    assert receiver.waitForReadyRead(3000)
    assert receiver.receiveDatagram().senderAddress().toString() == "127.0.0.1"


def test_make_reply_goes_back_to_the_sender() -> None:
    server = _bound()
    client = _bound()
    client.writeDatagram(b"ping", LOCAL, server.localPort())
    assert server.waitForReadyRead(3000)
    request = server.receiveDatagram()
    assert server.writeDatagram(request.makeReply(b"pong")) == 4
    assert client.waitForReadyRead(3000)
    reply = client.receiveDatagram()
    assert bytes(reply.data()) == b"pong"
    assert reply.senderPort() == server.localPort()


def test_connected_socket_reads_and_writes_datagrams() -> None:
    server = _bound()
    client = QUdpSocket()
    log: list[str] = []
    client.stateChanged.connect(lambda s: log.append(s.name))
    client.hostFound.connect(lambda: log.append("hostFound"))
    client.connected.connect(lambda: log.append("connected"))
    client.connectToHost(LOCAL, server.localPort())
    assert log == ["HostLookupState", "ConnectingState", "hostFound", "ConnectedState",
                   "connected"]
    assert client.peerPort() == server.localPort()
    assert client.openMode() & QUdpSocket.OpenModeFlag.Unbuffered
    assert client.write(b"abc") == 3
    assert server.waitForReadyRead(3000)
    request = server.receiveDatagram()
    assert request.senderPort() == client.localPort()
    server.writeDatagram(b"reply1", LOCAL, client.localPort())
    server.writeDatagram(b"reply2", LOCAL, client.localPort())
    assert client.waitForReadyRead(3000)
    assert client.bytesAvailable() == 6
    assert client.read(3) == b"rep"  # the rest of reply1 is gone
    assert client.waitForReadyRead(3000)
    assert bytes(client.readAll()) == b"reply2"


def test_connect_keeps_the_bound_port() -> None:
    server = _bound()
    client = _bound()
    port = client.localPort()
    client.connectToHost(LOCAL, server.localPort())
    assert client.state() is State.ConnectedState
    assert client.localPort() == port


def test_close_and_abort_signal_order() -> None:
    sock = _bound()
    log: list[str] = []
    sock.stateChanged.connect(lambda s: log.append(s.name))
    sock.readChannelFinished.connect(lambda: log.append("readChannelFinished"))
    sock.disconnected.connect(lambda: log.append("disconnected"))
    sock.close()
    assert log == ["ClosingState", "UnconnectedState", "readChannelFinished", "disconnected"]
    assert sock.localPort() == 0 and not sock.isValid()
    log.clear()
    sock = _bound()
    sock.stateChanged.connect(lambda s: log.append(s.name))
    sock.readChannelFinished.connect(lambda: log.append("readChannelFinished"))
    sock.disconnected.connect(lambda: log.append("disconnected"))
    sock.abort()
    assert log == ["UnconnectedState", "readChannelFinished"]


def test_wait_for_ready_read_times_out_with_an_error() -> None:
    sock = _bound()
    errors: list[Error] = []
    sock.errorOccurred.connect(errors.append)
    assert not sock.waitForReadyRead(30)
    assert errors == [Error.SocketTimeoutError]
    assert sock.state() is State.BoundState
    assert not sock.waitForBytesWritten(30)


def test_wait_for_ready_read_returns_at_once_while_a_datagram_is_announced() -> None:
    sock = _bound()
    ready: list[int] = []
    sock.readyRead.connect(lambda: ready.append(1))
    sock.writeDatagram(b"1", LOCAL, sock.localPort())
    sock.writeDatagram(b"2", LOCAL, sock.localPort())
    assert sock.waitForReadyRead(3000)
    assert sock.waitForReadyRead(3000)
    assert ready == [1]
    assert sock.readDatagram(10)[0] == b"1"
    assert sock.waitForReadyRead(3000)
    assert ready == [1, 1]


def test_write_to_port_zero_is_a_network_error() -> None:
    sock = _bound()
    assert sock.writeDatagram(b"x", LOCAL, 0) == -1
    assert sock.error() is Error.NetworkError
    assert sock.errorString() == "Unable to send a message"
