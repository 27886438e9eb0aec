"""UDP scenarios written once, run on PyQt6 or on qtls: ``python scenarios.py PREFIX [NAME...]``.

Each scenario drives real sockets on loopback and records what an application sees (signals
in order, return values, states, errors and their texts, datagram header fields) as a list of
JSON-able values; ports and other per-run values are recorded as relations ("the sender's
port"), never as numbers. The script prints one JSON object, scenario name -> record, so that
test_pyqt6_parity.py can run it under both libraries in subprocesses and compare.
"""

from __future__ import annotations

import importlib
import json
import os
import socket
import sys
import time
from collections.abc import Callable
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
PREFIX = sys.argv[1] if len(sys.argv) > 1 else "qtls"
net: Any = importlib.import_module(f"{PREFIX}.QtNetwork")
core: Any = importlib.import_module(f"{PREFIX}.QtCore")
app = core.QCoreApplication.instance() or core.QCoreApplication([])

QUdpSocket = net.QUdpSocket
QHostAddress = net.QHostAddress
QNetworkDatagram = net.QNetworkDatagram
QAbstractSocket = net.QAbstractSocket
Special = QHostAddress.SpecialAddress
Option = QAbstractSocket.SocketOption
Bind = QAbstractSocket.BindFlag
LOCAL = QHostAddress("127.0.0.1")
LOCAL6 = QHostAddress("::1")

Log = list[Any]
SCENARIOS: dict[str, Callable[[Log], None]] = {}


def scenario(function: Callable[[Log], None]) -> Callable[[Log], None]:
    SCENARIOS[function.__name__] = function
    return function


def spin(ms: int = 60) -> None:
    loop = core.QEventLoop()
    core.QTimer.singleShot(ms, loop.quit)
    loop.exec()


def spin_until(condition: Callable[[], bool], ms: int = 2000) -> bool:
    deadline = time.monotonic() + ms / 1000
    while not condition() and time.monotonic() < deadline:
        spin(5)
    return condition()


def record(sock: Any, log: Log, tag: str) -> None:
    """Every signal of ``sock``, in order; readyRead with the pending datagram size."""
    sock.stateChanged.connect(lambda s: log.append([tag, "stateChanged", s.name]))
    sock.hostFound.connect(lambda: log.append([tag, "hostFound"]))
    sock.connected.connect(lambda: log.append([tag, "connected"]))
    sock.disconnected.connect(lambda: log.append([tag, "disconnected"]))
    sock.errorOccurred.connect(
        lambda e: log.append([tag, "errorOccurred", e.name, sock.errorString()]))
    sock.readyRead.connect(lambda: log.append([tag, "readyRead", sock.pendingDatagramSize()]))
    sock.bytesWritten.connect(lambda n: log.append([tag, "bytesWritten", n]))
    sock.readChannelFinished.connect(lambda: log.append([tag, "readChannelFinished"]))
    sock.aboutToClose.connect(lambda: log.append([tag, "aboutToClose"]))


def status(sock: Any) -> list[Any]:
    return [sock.state().name, sock.error().name, sock.errorString(), sock.isValid(),
            int(sock.openMode().value)]


def address(a: Any) -> list[Any]:
    return [a.toString(), a.protocol().name]


def header(d: Any, local: Any = None, peer: Any = None) -> list[Any]:
    """A datagram's fields; ports as relations to the sockets given."""
    def port_of(value: int) -> Any:
        if local is not None and value == local.localPort():
            return "local"
        if peer is not None and value == peer.localPort():
            return "peer"
        return value if value in (-1, 0) else "other"
    return [bytes(d.data()).decode("latin-1"), d.isNull(), d.isValid(), address(d.senderAddress()),
            port_of(d.senderPort()), address(d.destinationAddress()),
            port_of(d.destinationPort()), d.hopLimit(), d.interfaceIndex() > 0]


def bound(log: Log, tag: str, where: Any = LOCAL, port: int = 0, mode: Any = None) -> Any:
    sock = QUdpSocket()
    record(sock, log, tag)
    ok = sock.bind(where, port) if mode is None else sock.bind(where, port, mode)
    log.append([tag, "bind", ok])
    return sock


def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --------------------------------------------------------------------------- scenarios

@scenario
def bind_write_read(log: Log) -> None:
    a = QUdpSocket()
    record(a, log, "a")
    log.append(["init", status(a), a.hasPendingDatagrams(), a.pendingDatagramSize()])
    log.append(["bind", a.bind(LOCAL, 0), status(a), address(a.localAddress()),
                address(a.peerAddress()), a.peerPort(), a.bytesAvailable()])
    log.append(["rebind", a.bind(LOCAL, 0), status(a)])
    b = QUdpSocket()
    record(b, log, "b")
    log.append(["write", b.writeDatagram(b"hello", LOCAL, a.localPort()),
                address(b.localAddress()), status(b)])
    log.append(["write2", b.writeDatagram(b"world!", LOCAL, a.localPort())])
    spin_until(lambda: any(e[1:2] == ["readyRead"] for e in log if isinstance(e, list)))
    spin()
    log.append(["pending", a.hasPendingDatagrams(), a.pendingDatagramSize(), a.bytesAvailable()])
    data, host, port = a.readDatagram(100)
    log.append(["readDatagram", data, address(host), port == b.localPort()])
    spin()
    d = a.receiveDatagram()
    log.append(["receiveDatagram", header(d, a, b)])
    log.append(["empty", a.hasPendingDatagrams(), a.pendingDatagramSize()])
    data, host, port = a.readDatagram(10)
    log.append(["readDatagram empty", data, address(host), port, status(a)])
    log.append(["receive empty", a.receiveDatagram().isNull(), status(a)])
    log.append(["receive empty 10", a.receiveDatagram(10).isNull(), status(a)])
    log.append(["readDatagram 0", a.readDatagram(0)[0], status(a)])
    a.close()
    log.append(["closed", status(a), a.localPort(), address(a.localAddress())])


@scenario
def truncation_and_empty(log: Log) -> None:
    a = bound(log, "a")
    b = bound(log, "b")
    for payload in (b"0123456789", b"abcdefghij", b""):
        log.append(["write", b.writeDatagram(payload, LOCAL, a.localPort())])
    spin_until(lambda: a.pendingDatagramSize() == 10)
    spin()
    log.append(["read4", a.readDatagram(4)[0]])
    log.append(["recv3", header(a.receiveDatagram(3), a, b)])
    spin_until(a.hasPendingDatagrams)
    log.append(["empty pending", a.hasPendingDatagrams(), a.pendingDatagramSize(),
                a.bytesAvailable()])
    log.append(["empty datagram", header(a.receiveDatagram(), a, b)])
    spin()


@scenario
def slot_reads_one(log: Log) -> None:
    a = bound(log, "a")
    b = bound(log, "b")
    a.readyRead.connect(lambda: log.append(["slot", a.readDatagram(100)[0]]))
    for i in range(3):
        b.writeDatagram(b"m%d" % i, LOCAL, a.localPort())
    spin_until(lambda: sum(1 for e in log if e[0] == "slot") == 3)
    spin()


@scenario
def slot_reads_all(log: Log) -> None:
    a = bound(log, "a")
    b = bound(log, "b")

    def drain() -> None:
        while a.hasPendingDatagrams():
            log.append(["slot", bytes(a.receiveDatagram().data())])
    a.readyRead.connect(drain)
    for i in range(3):
        b.writeDatagram(b"n%d" % i, LOCAL, a.localPort())
    time.sleep(0.05)  # all three queued before the loop looks
    spin_until(lambda: sum(1 for e in log if e[0] == "slot") == 3)
    spin()


@scenario
def slot_reads_nothing(log: Log) -> None:
    a = bound(log, "a")
    b = bound(log, "b")
    b.writeDatagram(b"x", LOCAL, a.localPort())
    spin(80)
    b.writeDatagram(b"y", LOCAL, a.localPort())
    spin(80)
    log.append(["pending", a.pendingDatagramSize()])


@scenario
def wait_inside_slot(log: Log) -> None:
    a = bound(log, "a")
    b = bound(log, "b")
    state = {"done": False}

    def slot() -> None:
        if state["done"]:
            return
        state["done"] = True
        b.writeDatagram(b"inner", LOCAL, a.localPort())
        log.append(["wait in slot", a.waitForReadyRead(1000)])
        log.append(["read", a.readDatagram(100)[0]])
        log.append(["wait in slot 2", a.waitForReadyRead(1000)])
        log.append(["read", a.readDatagram(100)[0]])
    a.readyRead.connect(slot)
    b.writeDatagram(b"outer", LOCAL, a.localPort())
    spin_until(lambda: state["done"])
    spin()


@scenario
def blocking_waits(log: Log) -> None:
    s = bound(log, "s")
    log.append(["wfrr timeout", s.waitForReadyRead(30), status(s)])
    log.append(["wfbw", s.waitForBytesWritten(30)])
    log.append(["wfd", s.waitForDisconnected(30), status(s)])
    p = s.localPort()
    s.writeDatagram(b"1", LOCAL, p)
    s.writeDatagram(b"2", LOCAL, p)
    log.append(["wfrr data", s.waitForReadyRead(2000)])
    log.append(["wfrr pending", s.waitForReadyRead(2000)])
    log.append(["read", s.readDatagram(10)[0]])
    log.append(["wfrr next", s.waitForReadyRead(2000)])
    log.append(["read", s.readDatagram(10)[0]])
    log.append(["wfc bound", s.waitForConnected(30), status(s), s.localPort() == p])
    u = QUdpSocket()
    log.append(["unconnected waits", u.waitForReadyRead(10), u.waitForBytesWritten(10),
                u.waitForDisconnected(10), u.waitForConnected(10)])


@scenario
def errors(log: Log) -> None:
    a = bound(log, "a")
    log.append(["oversize", a.writeDatagram(b"x" * 70000, LOCAL, a.localPort()), status(a)])
    log.append(["max", a.writeDatagram(b"y" * 65507, LOCAL, a.localPort()), status(a)])
    log.append(["max+1", a.writeDatagram(b"y" * 65508, LOCAL, a.localPort()), status(a)])
    spin_until(a.hasPendingDatagrams)
    log.append(["big pending", a.pendingDatagramSize(), len(a.readDatagram(100000)[0] or b"")])
    c = QUdpSocket()
    record(c, log, "c")
    log.append(["in use", c.bind(LOCAL, a.localPort()), status(c)])
    log.append(["in use shared", c.bind(LOCAL, a.localPort(), Bind.ShareAddress), status(c)])
    d = QUdpSocket()
    record(d, log, "d")
    log.append(["not available", d.bind(QHostAddress("192.0.2.254"), 0), status(d)])
    f = QUdpSocket()
    record(f, log, "f")
    log.append(["port 0", f.writeDatagram(b"x", LOCAL, 0), status(f)])
    log.append(["null address", f.writeDatagram(b"x", QHostAddress(), closed_port()), status(f)])
    log.append(["no destination", f.writeDatagram(QNetworkDatagram(b"x")), status(f)])
    g = QUdpSocket()
    record(g, log, "g")
    log.append(["unbound read", g.readDatagram(10)[0], g.receiveDatagram().isNull(),
                g.hasPendingDatagrams(), g.pendingDatagramSize(), status(g)])
    log.append(["unbound write()", g.write(b"x"), status(g)])
    log.append(["closed port", g.writeDatagram(b"x", LOCAL, closed_port()), status(g)])
    spin()


@scenario
def special_addresses(log: Log) -> None:
    for spec in (Special.Any, Special.AnyIPv4, Special.AnyIPv6, Special.LocalHost,
                 Special.LocalHostIPv6):
        s = QUdpSocket()
        ok = s.bind(QHostAddress(spec), 0)
        log.append([spec.name, ok, address(s.localAddress()),
                    s.socketOption(Option.MulticastTtlOption),
                    s.socketOption(Option.MulticastLoopbackOption)])
    s = QUdpSocket()
    log.append(["bind(port)", s.bind(0), address(s.localAddress())])
    s = QUdpSocket()
    log.append(["bind()", s.bind(), address(s.localAddress())])
    s = QUdpSocket()
    log.append(["bind(special)", s.bind(Special.LocalHost, 0), address(s.localAddress())])
    s = QUdpSocket()
    log.append(["bind(null)", s.bind(QHostAddress(), 0), address(s.localAddress())])


@scenario
def ipv6_and_dual_stack(log: Log) -> None:
    a = bound(log, "a", LOCAL6)
    b = QUdpSocket()
    record(b, log, "b")
    log.append(["write6", b.writeDatagram(b"six", LOCAL6, a.localPort()),
                address(b.localAddress())])
    log.append(["wait", a.waitForReadyRead(2000)])
    log.append(["v6", header(a.receiveDatagram(), a, b)])
    any_ = bound(log, "any", QHostAddress(Special.Any))
    c = bound(log, "c")
    c.writeDatagram(b"v4", LOCAL, any_.localPort())
    log.append(["wait", any_.waitForReadyRead(2000)])
    log.append(["any<-v4", header(any_.receiveDatagram(), any_, c)])
    c6 = bound(log, "c6", LOCAL6)
    c6.writeDatagram(b"v6", LOCAL6, any_.localPort())
    log.append(["wait", any_.waitForReadyRead(2000)])
    data, host, port = any_.readDatagram(100)
    log.append(["any<-v6", data, address(host), port == c6.localPort()])


@scenario
def datagram_header_out(log: Log) -> None:
    rx = bound(log, "rx")
    tx = bound(log, "tx")
    dg = QNetworkDatagram(b"hop", LOCAL, rx.localPort())
    dg.setHopLimit(7)
    log.append(["send hop", tx.writeDatagram(dg)])
    log.append(["wait", rx.waitForReadyRead(2000)])
    log.append(["hop", header(rx.receiveDatagram(), rx, tx)])
    dg = QNetworkDatagram(b"from", LOCAL, rx.localPort())
    dg.setSender(QHostAddress("127.0.0.5"))
    log.append(["send from", tx.writeDatagram(dg)])
    log.append(["wait", rx.waitForReadyRead(2000)])
    request = rx.receiveDatagram()
    log.append(["from", header(request, rx, tx)])
    reply = request.makeReply(b"back")
    log.append(["reply", header(reply, rx, tx)])
    log.append(["send reply", rx.writeDatagram(reply), status(rx)])
    log.append(["wait", tx.waitForReadyRead(2000)])
    log.append(["got reply", header(tx.receiveDatagram(), tx, rx)])
    dual = bound(log, "dual", QHostAddress(Special.Any))
    dg = QNetworkDatagram(b"dual-hop", LOCAL, rx.localPort())
    dg.setHopLimit(9)
    log.append(["dual send hop", dual.writeDatagram(dg)])
    log.append(["wait", rx.waitForReadyRead(2000)])
    log.append(["dual hop", header(rx.receiveDatagram(), rx, dual)])


@scenario
def connected_socket(log: Log) -> None:
    srv = bound(log, "srv")
    a = QUdpSocket()
    record(a, log, "a")
    a.connectToHost(LOCAL, srv.localPort())
    log.append(["connected", status(a), address(a.localAddress()), address(a.peerAddress()),
                a.peerPort() == srv.localPort(), a.peerName()])
    log.append(["write", a.write(b"abc")])
    log.append(["writeDatagram", a.writeDatagram(b"zz", LOCAL, srv.localPort())])
    spin_until(srv.hasPendingDatagrams)
    spin()
    log.append(["srv got", header(srv.receiveDatagram(), srv, a)])
    spin()
    log.append(["srv got", header(srv.receiveDatagram(), srv, a)])
    srv.writeDatagram(b"reply1", LOCAL, a.localPort())
    srv.writeDatagram(b"reply2", LOCAL, a.localPort())
    spin_until(lambda: a.bytesAvailable() > 0)
    spin()
    log.append(["available", a.bytesAvailable(), a.hasPendingDatagrams()])
    log.append(["read3", a.read(3)])
    spin()
    log.append(["readAll", bytes(a.readAll()), a.bytesAvailable()])
    spin()
    a.disconnectFromHost()
    log.append(["after disconnect", status(a), a.localPort()])


@scenario
def connected_to_closed_port(log: Log) -> None:
    c = QUdpSocket()
    record(c, log, "c")
    c.connectToHost(LOCAL, closed_port())
    log.append(["write", c.write(b"x"), status(c)])
    spin(80)
    log.append(["after icmp", status(c), c.hasPendingDatagrams(), c.pendingDatagramSize()])
    c.write(b"x")
    time.sleep(0.05)
    log.append(["readDatagram after icmp", c.readDatagram(10)[0], status(c)])
    c.write(b"x")
    time.sleep(0.05)
    log.append(["wait after icmp", c.waitForReadyRead(200), status(c)])
    c.write(b"x")
    time.sleep(0.05)
    log.append(["read after icmp", c.read(10), status(c)])
    c.abort()
    log.append(["aborted", status(c)])


@scenario
def bind_then_connect_and_close(log: Log) -> None:
    srv = bound(log, "srv")
    b = bound(log, "b")
    port = b.localPort()
    b.connectToHost(LOCAL, srv.localPort())
    log.append(["connected", status(b), b.localPort() == port])
    b.abort()
    log.append(["aborted", status(b)])
    c = bound(log, "c")
    c.disconnectFromHost()
    log.append(["disconnected bound", status(c)])
    d = bound(log, "d")
    d.abort()
    log.append(["aborted bound", status(d)])


@scenario
def connect_by_name(log: Log) -> None:
    srv = bound(log, "srv")
    n = QUdpSocket()
    record(n, log, "n")
    n.connectToHost("localhost", srv.localPort(), protocol=QAbstractSocket.NetworkLayerProtocol.IPv4Protocol)
    spin_until(lambda: n.state() is QAbstractSocket.SocketState.ConnectedState)
    log.append(["by name", status(n), address(n.peerAddress()), n.peerName()])


@scenario
def adopt_descriptor(log: Log) -> None:
    raw = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    raw.bind(("127.0.0.1", 0))
    s = QUdpSocket()
    record(s, log, "s")
    log.append(["adopt bound", s.setSocketDescriptor(raw.detach(),
                                                     QAbstractSocket.SocketState.BoundState),
                status(s), address(s.localAddress())])
    t = QUdpSocket()
    t.writeDatagram(b"abc", LOCAL, s.localPort())
    log.append(["wait", s.waitForReadyRead(2000)])
    log.append(["adopted header", header(s.receiveDatagram(), s, t)])
    raw2 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    raw2.connect(("127.0.0.1", s.localPort()))
    c = QUdpSocket()
    record(c, log, "c")
    log.append(["adopt connected", c.setSocketDescriptor(raw2.detach()), status(c),
                address(c.peerAddress()), c.peerPort() == s.localPort()])
    log.append(["write", c.write(b"xyz")])
    log.append(["wait", s.waitForReadyRead(2000), s.readDatagram(10)[0]])
    u = QUdpSocket()
    record(u, log, "u")
    log.append(["bad descriptor", u.setSocketDescriptor(99999), status(u)])


@scenario
def connected_big_datagrams(log: Log) -> None:
    s = bound(log, "s")
    big = QUdpSocket()
    big.connectToHost(LOCAL, s.localPort())
    s.writeDatagram(b"z" * 30000, LOCAL, big.localPort())
    log.append(["wait", big.waitForReadyRead(2000), len(big.readAll())])
    s.writeDatagram(b"z" * 30000, LOCAL, big.localPort())
    s.writeDatagram(b"q" * 10, LOCAL, big.localPort())
    time.sleep(0.05)
    log.append(["read", len(big.read(100000) or b""), len(big.readAll())])
    log.append(["canReadLine", big.canReadLine(), big.atEnd()])


@scenario
def connect_by_name_blocking(log: Log) -> None:
    srv = bound(log, "srv")
    n = QUdpSocket()
    record(n, log, "n")
    n.connectToHost("localhost", srv.localPort(), QUdpSocket.OpenModeFlag.ReadWrite,
                    QAbstractSocket.NetworkLayerProtocol.IPv4Protocol)
    log.append(["wait", n.waitForConnected(5000), status(n), address(n.peerAddress())])
    log.append(["write", n.write(b"by name"), srv.waitForReadyRead(2000),
                header(srv.receiveDatagram(), srv, n)])
    log.append(["connect again", status(n)])
    n.connectToHost(LOCAL, srv.localPort())
    log.append(["after", status(n)])


@scenario
def bad_arguments(log: Log) -> None:
    s = bound(log, "s")
    calls: list[tuple[str, Callable[[], Any]]] = [
        ("writeDatagram str", lambda: s.writeDatagram("text", LOCAL, 1)),
        ("writeDatagram port", lambda: s.writeDatagram(b"x", LOCAL, 70000)),
        ("writeDatagram negative port", lambda: s.writeDatagram(b"x", LOCAL, -1)),
        ("writeDatagram address str", lambda: s.writeDatagram(b"x", "127.0.0.1", 1)),
        ("writeDatagram two args", lambda: s.writeDatagram(b"x", LOCAL)),
        ("readDatagram str", lambda: s.readDatagram("10")),
        ("readDatagram negative", lambda: s.readDatagram(-1)),
        ("receiveDatagram str", lambda: s.receiveDatagram("10")),
        ("bind port", lambda: QUdpSocket().bind(LOCAL, 70000)),
        ("bind str", lambda: QUdpSocket().bind("127.0.0.1", 0)),
        ("bind mode", lambda: QUdpSocket().bind(LOCAL, 0, 1)),
        ("join str", lambda: s.joinMulticastGroup("239.1.1.1")),
        ("setMulticastInterface", lambda: s.setMulticastInterface(None)),
        ("setHopLimit str", lambda: QNetworkDatagram().setHopLimit("3")),
        ("setInterfaceIndex negative", lambda: QNetworkDatagram().setInterfaceIndex(-1)),
        ("waitForReadyRead str", lambda: s.waitForReadyRead("10")),
    ]
    for name, call in calls:
        try:
            result = call()
            log.append([name, "returned", result if isinstance(result, (int, bool)) else
                        type(result).__name__])
        except Exception as exc:  # noqa: BLE001  (the exception type is what is compared)
            log.append([name, "raised", type(exc).__name__])


@scenario
def datagram_values(log: Log) -> None:
    def fields(d: Any) -> list[Any]:
        data = d.data()
        return [bytes(data).decode("latin-1"), data.isNull(), d.isNull(), d.isValid(),
                address(d.senderAddress()), d.senderPort(), address(d.destinationAddress()),
                d.destinationPort(), d.hopLimit(), d.interfaceIndex()]
    log.append(["default", fields(QNetworkDatagram())])
    log.append(["data", fields(QNetworkDatagram(b"x"))])
    log.append(["null data", fields(QNetworkDatagram(core.QByteArray()))])
    log.append(["full", fields(QNetworkDatagram(b"x", LOCAL, 5))])
    log.append(["special", fields(QNetworkDatagram(b"x", Special.LocalHost, 5))])
    e = QNetworkDatagram(b"y")
    e.setSender(LOCAL)
    log.append(["sender", fields(e)])
    e.setSender(LOCAL, 7)
    e.setDestination(LOCAL6, 9)
    e.setHopLimit(3)
    e.setInterfaceIndex(2)
    log.append(["all set", fields(e)])
    f = QNetworkDatagram(e)
    f.setData(b"zz")
    log.append(["copy", fields(f), fields(e)])
    g = QNetworkDatagram()
    f.swap(g)
    log.append(["swap", fields(f), fields(g)])
    g.clear()
    log.append(["clear", fields(g)])
    m = QNetworkDatagram(b"q")
    m.setSender(LOCAL, 40)
    m.setDestination(QHostAddress("239.1.2.3"), 5000)
    m.setHopLimit(4)
    m.setInterfaceIndex(1)
    log.append(["multicast reply", fields(m.makeReply(b"r"))])
    m.setDestination(QHostAddress("255.255.255.255"), 5000)
    log.append(["broadcast reply", fields(m.makeReply(b"r"))])
    for bad in (lambda: QNetworkDatagram(b"a", LOCAL, 70000), lambda: QNetworkDatagram("s"),
                lambda: e.setDestination(LOCAL, -1), lambda: e.setSender(1)):
        try:
            bad()
            log.append(["accepted"])
        except Exception as exc:  # noqa: BLE001  (the exception type is what is compared)
            log.append(["raised", type(exc).__name__])


@scenario
def multicast_rules(log: Log) -> None:
    lo = net.QNetworkInterface.interfaceFromName("lo")
    group = QHostAddress("239.255.43.1")
    u = QUdpSocket()
    log.append(["unbound", u.joinMulticastGroup(group), u.multicastInterface().isValid()])
    r = bound(log, "r", QHostAddress(Special.AnyIPv4), 0, Bind.ShareAddress | Bind.ReuseAddressHint)
    log.append(["join", r.joinMulticastGroup(group), status(r)])
    log.append(["join lo", r.joinMulticastGroup(QHostAddress("239.255.43.2"), lo), status(r)])
    log.append(["join again", r.joinMulticastGroup(QHostAddress("239.255.43.2"), lo), status(r)])
    log.append(["join unicast", r.joinMulticastGroup(LOCAL), status(r)])
    log.append(["join v6 group", r.joinMulticastGroup(QHostAddress("ff12::1")), status(r)])
    log.append(["join null", r.joinMulticastGroup(QHostAddress()), status(r)])
    log.append(["leave unjoined", r.leaveMulticastGroup(QHostAddress("239.255.43.9")), status(r)])
    log.append(["interface", r.multicastInterface().isValid()])
    s = bound(log, "s", QHostAddress(Special.AnyIPv4))
    s.setMulticastInterface(lo)
    log.append(["interface lo", s.multicastInterface().name()])
    s.setSocketOption(Option.MulticastTtlOption, 4)
    s.setSocketOption(Option.MulticastLoopbackOption, 1)
    log.append(["options", s.socketOption(Option.MulticastTtlOption),
                s.socketOption(Option.MulticastLoopbackOption)])
    log.append(["send", s.writeDatagram(b"mc", QHostAddress("239.255.43.2"), r.localPort())])
    log.append(["wait", r.waitForReadyRead(1000)])
    log.append(["got", header(r.receiveDatagram(), r, s)])
    log.append(["leave", r.leaveMulticastGroup(QHostAddress("239.255.43.2"), lo)])
    a = bound(log, "a", QHostAddress(Special.Any))
    log.append(["v4 group on dual stack", a.joinMulticastGroup(group), status(a)])
    a6 = bound(log, "a6", QHostAddress(Special.AnyIPv6))
    log.append(["v6 join", a6.joinMulticastGroup(QHostAddress("ff12::4321"), lo)])
    log.append(["v6 interface", a6.multicastInterface().isValid()])
    a6.setMulticastInterface(lo)
    log.append(["v6 interface lo", a6.multicastInterface().name()])


@scenario
def network_interfaces(log: Log) -> None:
    interface = net.QNetworkInterface
    for iface in interface.allInterfaces():
        log.append([iface.name(), iface.index(), iface.isValid(), int(iface.flags().value),
                    iface.type().name, iface.maximumTransmissionUnit(),
                    iface.hardwareAddress(),
                    [[address(e.ip()), address(e.netmask()), e.prefixLength(),
                      address(e.broadcast())] for e in iface.addressEntries()]])
    log.append(["lookups", interface.interfaceIndexFromName("lo"),
                interface.interfaceNameFromIndex(1), interface.interfaceIndexFromName("nope0"),
                interface.interfaceNameFromIndex(9999), interface.interfaceFromIndex(9999).isValid(),
                interface.interfaceFromName("nope0").isValid()])
    log.append(["all addresses", sorted(a.toString() for a in interface.allAddresses())])


def main(names: list[str]) -> None:
    chosen = names or list(SCENARIOS)
    result: dict[str, Any] = {}
    for name in chosen:
        log: Log = []
        try:
            SCENARIOS[name](log)
        except Exception as exc:  # noqa: BLE001  (reported, and compared, as a result)
            log.append(["exception", type(exc).__name__, str(exc)])
        result[name] = log
    print(json.dumps(result, default=lambda v: v.decode("latin-1") if isinstance(v, bytes)
                     else repr(v)))


if __name__ == "__main__":
    main(sys.argv[2:])
