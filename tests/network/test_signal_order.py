"""State sequences and signal order of QTcpSocket, recorded in qtls and in PyQt6 and compared.

Each scenario is written once against a ``Flavor`` (the library's QtNetwork classes and a way
to run its event loop) and run twice; the recorded sequences must be identical. The qtls
runs alone also pin the sequence, so the tests fail if qtls changes even without PyQt6.

Connecting by name depends on Qt's host cache (60 s, keyed by the exact name, see
``qtls.network.hostlookup``): a name resolved recently connects synchronously inside
connectToHost, a new one after a lookup thread. So every name-based scenario runs in two
explicit modes, whatever ran before in the same process: "cold" uses a spelling of
``localhost`` that no lookup in this process has used yet (``fresh_name``: the cache compares
names exactly, the resolver ignores case), "warm" first resolves that same name through a
connect in the library under test, so its cache holds it.
"""

from __future__ import annotations

import socket
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

import qtls.QtNetwork as qtls_network
from qtls.network.hostlookup import host_cache
from tests.network.helpers import free_port, raw_listener, record
from tests.network.helpers import run_until as qtls_run_until


@dataclass
class Flavor:
    net: Any
    run_until: Callable[[Callable[[], bool], int], bool]

    def spin(self, ms: int) -> None:
        self.run_until(lambda: False, ms)


def _pyqt_flavor() -> Flavor:
    network = pytest.importorskip("PyQt6.QtNetwork")
    core = pytest.importorskip("PyQt6.QtCore")
    app = core.QCoreApplication.instance() or core.QCoreApplication([])

    def run_until(condition: Callable[[], bool], timeout_ms: int = 3000) -> bool:
        timer = core.QElapsedTimer()
        timer.start()
        while not condition() and timer.elapsed() < timeout_ms:
            app.processEvents(core.QEventLoop.ProcessEventsFlag.AllEvents, 5)
        return condition()

    return Flavor(network, run_until)


QTLS = Flavor(qtls_network, qtls_run_until)


def _spellings(base: str) -> Iterator[str]:
    # The spellings of ``base`` that start in lowercase, but the all-lowercase one (which
    # other tests use); test_hostlookup takes those that start in uppercase.
    for bits in range(2, 2 ** len(base), 2):
        yield "".join(c.upper() if bits >> i & 1 else c for i, c in enumerate(base))


_FRESH = _spellings("localhost")


def fresh_name() -> str:
    """A name of 127.0.0.1 that no lookup in this process has used, so no cache holds it."""
    name = next(_FRESH)
    assert name not in host_cache
    return name


def warm(f: Flavor, host: str) -> None:
    """Resolve ``host`` through a real connect in ``f`` (its cache stores it if it resolves)."""
    server = _listening_server(f)
    client = f.net.QTcpSocket()
    done: list[str] = []
    client.connected.connect(lambda: done.append("connected"))
    client.errorOccurred.connect(lambda _error: done.append("error"))
    client.connectToHost(host, server.serverPort())
    assert f.run_until(lambda: bool(done), 10000)
    client.abort()
    server.close()


def _listening_server(f: Flavor) -> Any:
    server = f.net.QTcpServer()
    assert server.listen(f.net.QHostAddress(f.net.QHostAddress.SpecialAddress.Any), 0)
    return server


def _connected_pair(f: Flavor) -> tuple[Any, Any, Any, list[str]]:
    """(server, client, accepted peer, client log) with the log cleared after connecting."""
    server = _listening_server(f)
    client = f.net.QTcpSocket()
    log: list[str] = []
    record(client, log)
    client.connectToHost(f.net.QHostAddress("127.0.0.1"), server.serverPort())
    assert f.run_until(lambda: client.state().name == "ConnectedState"
                       and server.hasPendingConnections(), 3000)
    peer = server.nextPendingConnection()
    log.clear()
    return server, client, peer, log


def scenario_connect_by_address(f: Flavor) -> list[str]:
    server = _listening_server(f)
    client = f.net.QTcpSocket()
    log: list[str] = []
    record(client, log)
    client.connectToHost(f.net.QHostAddress("127.0.0.1"), server.serverPort())
    log.append(f"returned:{client.state().name}")
    f.run_until(lambda: "connected" in log, 3000)
    log.append(f"peerName={client.peerName()}")
    client.abort()
    return log


def scenario_refused(f: Flavor) -> list[str]:
    client = f.net.QTcpSocket()
    log: list[str] = []
    record(client, log)
    client.connectToHost("127.0.0.1", free_port())
    f.run_until(lambda: any(e.startswith("errorOccurred") for e in log), 3000)
    log.append(f"state={client.state().name} open={client.isOpen()} error={client.error().name}")
    return log


def scenario_peer_closes_after_sending(f: Flavor) -> list[str]:
    _server, client, peer, log = _connected_pair(f)
    peer.write(b"hello")
    peer.flush()
    f.run_until(lambda: client.bytesAvailable() == 5, 3000)
    peer.close()
    f.run_until(lambda: "disconnected" in log, 3000)
    log.append(f"state={client.state().name} available={client.bytesAvailable()} "
               f"open={client.isOpen()} data={bytes(client.readAll())!r}")
    client.close()
    return log


def scenario_disconnect_with_pending_data(f: Flavor) -> list[str]:
    _server, client, peer, log = _connected_pair(f)
    client.write(b"x" * 10)
    client.disconnectFromHost()
    log.append(f"returned:{client.state().name}")
    f.run_until(lambda: "disconnected" in log, 3000)
    log.append(f"write after={client.write(b'y')}")
    f.run_until(lambda: peer.bytesAvailable() == 10, 3000)
    log.append(f"peer got={bytes(peer.readAll())!r}")
    return log


def scenario_abort_with_pending_data(f: Flavor) -> list[str]:
    _server, client, _peer, log = _connected_pair(f)
    client.write(b"abc")
    client.abort()
    log.append(f"returned:{client.state().name} toWrite={client.bytesToWrite()} "
               f"open={client.isOpen()}")
    f.spin(50)
    return log


def scenario_close_with_pending_data(f: Flavor) -> list[str]:
    _server, client, peer, log = _connected_pair(f)
    client.write(b"abc")
    client.close()
    log.append(f"returned:{client.state().name}")
    f.run_until(lambda: "disconnected" in log, 3000)
    f.run_until(lambda: peer.bytesAvailable() == 3, 3000)
    log.append(f"peer got={bytes(peer.readAll())!r} open={client.isOpen()}")
    return log


def scenario_peer_reset(f: Flavor) -> list[str]:
    _server, client, peer, log = _connected_pair(f)
    raw = socket.socket(fileno=socket.dup(int(peer.socketDescriptor())))
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    raw.close()
    peer.abort()  # the last descriptor goes: the kernel sends RST
    f.run_until(lambda: "disconnected" in log, 3000)
    log.append(f"error={client.error().name}")
    return log


def scenario_connect_while_connected(f: Flavor) -> list[str]:
    server, client, _peer, log = _connected_pair(f)
    client.connectToHost("127.0.0.1", server.serverPort())
    log.append(f"state={client.state().name} error={client.error().name}")
    client.abort()
    return log


def scenario_write_before_connect(f: Flavor) -> list[str]:
    client = f.net.QTcpSocket()
    log: list[str] = []
    record(client, log)
    log.append(f"write={client.write(b'x')} error={client.error().name}")
    return log


def scenario_blocking_waits(f: Flavor) -> list[str]:
    listener = raw_listener()
    client = f.net.QTcpSocket()
    log: list[str] = []
    record(client, log)
    client.connectToHost("127.0.0.1", listener.getsockname()[1])
    log.append(f"waitForConnected={client.waitForConnected(3000)}")
    peer, _ = listener.accept()
    log.append(f"waitForReadyRead={client.waitForReadyRead(30)} {client.error().name}")
    peer.sendall(b"abc")
    log.append(f"waitForReadyRead={client.waitForReadyRead(3000)}")
    client.write(b"hello")
    log.append(f"waitForBytesWritten={client.waitForBytesWritten(3000)}")
    log.append(f"waitForBytesWritten(empty)={client.waitForBytesWritten(30)}")
    peer.sendall(b"zz")
    peer.close()
    log.append(f"waitForDisconnected={client.waitForDisconnected(3000)} "
               f"data={bytes(client.readAll())!r}")
    log.append(f"waitForDisconnected(again)={client.waitForDisconnected(30)}")
    listener.close()
    return log


def scenario_adopt_descriptor(f: Flavor) -> list[str]:
    listener = raw_listener()
    raw = socket.create_connection(listener.getsockname())
    peer, _ = listener.accept()
    client = f.net.QTcpSocket()
    log: list[str] = []
    record(client, log)
    log.append(f"set={client.setSocketDescriptor(raw.detach())} state={client.state().name} "
               f"name={client.peerName()!r} mode={client.openMode().name}")
    peer.sendall(b"hi")
    f.run_until(lambda: client.bytesAvailable() == 2, 3000)
    peer.close()
    f.run_until(lambda: "disconnected" in log, 3000)
    listener.close()
    return log


def scenario_server_max_pending(f: Flavor) -> list[str]:
    server = f.net.QTcpServer()
    server.setMaxPendingConnections(1)
    assert server.listen(f.net.QHostAddress("127.0.0.1"), 0)
    log: list[str] = []
    server.newConnection.connect(lambda: log.append("newConnection"))
    server.pendingConnectionAvailable.connect(lambda: log.append("pendingConnectionAvailable"))
    clients = [socket.create_connection(("127.0.0.1", server.serverPort())) for _ in range(3)]
    f.run_until(lambda: len(log) >= 2, 3000)
    f.spin(50)
    for _ in range(3):
        log.append(f"take={server.nextPendingConnection() is not None}")
        f.run_until(lambda: len(log) >= 8, 200)
    log.append(f"more={server.hasPendingConnections()}")
    for client in clients:
        client.close()
    server.close()
    return log


def scenario_literal_of_wrong_protocol(f: Flavor) -> list[str]:
    client = f.net.QTcpSocket()
    log: list[str] = []
    record(client, log)
    client.connectToHost("127.0.0.1", 9, f.net.QAbstractSocket.OpenModeFlag.ReadWrite,
                         f.net.QAbstractSocket.NetworkLayerProtocol.IPv6Protocol)
    log.append(f"returned:{client.state().name}")
    f.spin(20)
    return log


# ------------------------------------------------------------------ scenarios by name

def scenario_connect_by_name(f: Flavor, host: str) -> list[str]:
    server = _listening_server(f)
    client = f.net.QTcpSocket()
    log: list[str] = []
    record(client, log)
    client.connectToHost(host, server.serverPort())
    log.append(f"returned:{client.state().name}")
    f.run_until(lambda: "connected" in log, 3000)
    client.abort()
    return log


def scenario_host_not_found(f: Flavor, host: str) -> list[str]:
    client = f.net.QTcpSocket()
    log: list[str] = []
    record(client, log)
    client.connectToHost(host, 80)
    log.append(f"returned:{client.state().name}")
    f.run_until(lambda: any(e.startswith("errorOccurred") for e in log), 10000)
    return log


def scenario_write_while_connecting_is_flushed(f: Flavor, host: str) -> list[str]:
    server = _listening_server(f)
    client = f.net.QTcpSocket()
    log: list[str] = []
    record(client, log)
    client.connectToHost(host, server.serverPort())
    log.append(f"write={client.write(b'early')}")
    f.run_until(lambda: any(e.startswith("bytesWritten") for e in log), 3000)
    client.abort()
    return log


def scenario_disconnect_while_connecting(f: Flavor, host: str) -> list[str]:
    server = _listening_server(f)
    client = f.net.QTcpSocket()
    log: list[str] = []
    record(client, log)
    client.connectToHost(host, server.serverPort())
    client.disconnectFromHost()
    log.append(f"returned:{client.state().name}")
    f.run_until(lambda: "disconnected" in log, 3000)
    return log


def scenario_abort_during_lookup(f: Flavor, host: str) -> list[str]:
    server = _listening_server(f)
    client = f.net.QTcpSocket()
    log: list[str] = []
    record(client, log)
    client.connectToHost(host, server.serverPort())
    client.abort()
    log.append(f"returned:{client.state().name}")
    f.spin(100)
    return log


def scenario_wait_for_connected_by_name(f: Flavor, host: str) -> list[str]:
    server = _listening_server(f)
    client = f.net.QTcpSocket()
    log: list[str] = []
    record(client, log)
    client.connectToHost(host, server.serverPort())
    log.append(f"returned:{client.state().name}")
    log.append(f"waitForConnected={client.waitForConnected(5000)}")
    client.abort()
    return log


def scenario_connect_by_name_with_ipv4_protocol(f: Flavor, host: str) -> list[str]:
    """The cache holds every address of a name; the socket filters by protocol afterwards,
    so a name warmed by an any-protocol connect is a hit for an IPv4 connect."""
    server = _listening_server(f)
    client = f.net.QTcpSocket()
    log: list[str] = []
    record(client, log)
    protocol = f.net.QAbstractSocket.NetworkLayerProtocol
    # localhost has an IPv4 address everywhere, an IPv6 one not always: compare with Qt.
    client.connectToHost(host, server.serverPort(),
                         f.net.QAbstractSocket.OpenModeFlag.ReadWrite, protocol.IPv4Protocol)
    log.append(f"returned:{client.state().name}")
    f.run_until(lambda: "connected" in log or any("error" in e for e in log), 5000)
    client.abort()
    return log


SCENARIOS = [
    scenario_blocking_waits, scenario_adopt_descriptor, scenario_server_max_pending,
    scenario_connect_by_address, scenario_refused, scenario_peer_closes_after_sending,
    scenario_disconnect_with_pending_data, scenario_abort_with_pending_data,
    scenario_close_with_pending_data, scenario_peer_reset, scenario_connect_while_connected,
    scenario_write_before_connect, scenario_literal_of_wrong_protocol,
]

NAME_SCENARIOS = [
    scenario_connect_by_name, scenario_host_not_found,
    scenario_write_while_connecting_is_flushed, scenario_disconnect_while_connecting,
    scenario_abort_during_lookup, scenario_wait_for_connected_by_name,
    scenario_connect_by_name_with_ipv4_protocol,
]


def _host_for(scenario: Callable[..., list[str]]) -> str:
    name = fresh_name()
    return f"{name}.invalid" if scenario is scenario_host_not_found else name


def run_by_name(f: Flavor, scenario: Callable[[Flavor, str], list[str]], mode: str) -> list[str]:
    """Run a name-based scenario in ``f`` with a cold or a warm host cache."""
    host = _host_for(scenario)
    if mode == "warm":
        warm(f, host)
    return scenario(f, host)


@pytest.mark.pyqt6
@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.__name__)
def test_signal_sequence_matches_pyqt6(qtls_app: Any, scenario: Callable[[Flavor], list[str]]
                                       ) -> None:
    expected = scenario(_pyqt_flavor())
    assert scenario(QTLS) == expected


@pytest.mark.pyqt6
@pytest.mark.parametrize("mode", ["cold", "warm"])
@pytest.mark.parametrize("scenario", NAME_SCENARIOS, ids=lambda s: s.__name__)
def test_signal_sequence_by_name_matches_pyqt6(
    qtls_app: Any, scenario: Callable[[Flavor, str], list[str]], mode: str
) -> None:
    expected = run_by_name(_pyqt_flavor(), scenario, mode)
    assert run_by_name(QTLS, scenario, mode) == expected


# The same sequences pinned without PyQt6 (what Qt 6.11 emits).
def test_connect_by_new_name_emits_connecting_and_host_found_after_returning(
        qtls_app: Any) -> None:
    assert run_by_name(QTLS, scenario_connect_by_name, "cold") == [
        "stateChanged(HostLookupState)", "returned:HostLookupState",
        "stateChanged(ConnectingState)", "hostFound", "stateChanged(ConnectedState)",
        "connected", "aboutToClose", "stateChanged(UnconnectedState)", "readChannelFinished",
        "disconnected",
    ]


def test_connect_by_cached_name_emits_connecting_and_host_found_before_returning(
        qtls_app: Any) -> None:
    assert run_by_name(QTLS, scenario_connect_by_name, "warm") == [
        "stateChanged(HostLookupState)", "stateChanged(ConnectingState)", "hostFound",
        "returned:ConnectingState", "stateChanged(ConnectedState)",
        "connected", "aboutToClose", "stateChanged(UnconnectedState)", "readChannelFinished",
        "disconnected",
    ]


def test_failed_name_is_looked_up_again_not_cached(qtls_app: Any) -> None:
    log = run_by_name(QTLS, scenario_host_not_found, "warm")
    assert log == ["stateChanged(HostLookupState)", "returned:HostLookupState",
                   "stateChanged(UnconnectedState)", "errorOccurred(HostNotFoundError)"]


def test_abort_with_cached_name_closes_from_connecting(qtls_app: Any) -> None:
    log = run_by_name(QTLS, scenario_abort_during_lookup, "warm")
    assert log[:3] == ["stateChanged(HostLookupState)", "stateChanged(ConnectingState)",
                       "hostFound"]
    assert "returned:UnconnectedState" in log
    assert "connected" not in log


def test_literal_of_wrong_protocol_fails_inside_connect_to_host(qtls_app: Any) -> None:
    assert scenario_literal_of_wrong_protocol(QTLS) == [
        "stateChanged(HostLookupState)", "stateChanged(UnconnectedState)",
        "errorOccurred(HostNotFoundError)", "returned:UnconnectedState",
    ]


def test_refused_connection_goes_unconnected_before_error(qtls_app: Any) -> None:
    log = scenario_refused(QTLS)
    assert log[-3:-1] == ["stateChanged(UnconnectedState)",
                          "errorOccurred(ConnectionRefusedError)"]


def test_peer_close_reports_remote_closed_then_goes_down(qtls_app: Any) -> None:
    log = scenario_peer_closes_after_sending(QTLS)
    assert log[:6] == [
        "readyRead", "errorOccurred(RemoteHostClosedError)", "stateChanged(ClosingState)",
        "stateChanged(UnconnectedState)", "readChannelFinished", "disconnected",
    ]
    assert log[6] == "state=UnconnectedState available=5 open=True data=b'hello'"


def test_refused_error_string_names_the_peer(qtls_app: Any) -> None:
    client = qtls_network.QTcpSocket()
    port = free_port()
    client.connectToHost("127.0.0.1", port)
    assert not client.waitForConnected(3000)
    assert client.errorString() == f"Connection refused by 127.0.0.1:{port}"


def test_host_not_found_error_string_names_the_host(qtls_app: Any) -> None:
    client = qtls_network.QTcpSocket()
    client.connectToHost("nonexistent.invalid", 80)
    assert not client.waitForConnected(10000)
    assert client.error() is qtls_network.QAbstractSocket.SocketError.HostNotFoundError
    assert client.errorString() == "Host not found: nonexistent.invalid"
