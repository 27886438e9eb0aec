"""Getter snapshots along sockets' and servers' lives: ``python lifecycle.py PREFIX [NAME...]``.

Each scenario walks one object (QTcpSocket, QSslSocket plain and encrypted, QTcpServer,
QSslServer, QUdpSocket) through its life with blocking calls and records, at each step, every
deterministic zero-argument getter. Per-run values (ports, descriptors) are recorded as
relations (``!= 0``), never as numbers. The script prints one JSON object, scenario name ->
record, so that test_getter_parity.py can run it under PyQt6 and qtls and compare.
"""

from __future__ import annotations

import enum
import importlib
import json
import os
import socket
import ssl
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from typing import Any

import trustme

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
PREFIX = sys.argv[1] if len(sys.argv) > 1 else "qtls"
net: Any = importlib.import_module(f"{PREFIX}.QtNetwork")
core: Any = importlib.import_module(f"{PREFIX}.QtCore")
app = core.QCoreApplication.instance() or core.QCoreApplication([])

LOCAL = net.QHostAddress("127.0.0.1")
CA = trustme.CA()
LEAF = CA.issue_cert("localhost", "127.0.0.1")

Log = list[Any]
SCENARIOS: dict[str, Callable[[Log], None]] = {}


def scenario(function: Callable[[Log], None]) -> Callable[[Log], None]:
    SCENARIOS[function.__name__] = function
    return function


def spin(ms: int = 30) -> None:
    loop = core.QEventLoop()
    core.QTimer.singleShot(ms, loop.quit)
    loop.exec()


def spin_until(condition: Callable[[], bool], ms: int = 3000) -> bool:
    deadline = time.monotonic() + ms / 1000
    while not condition() and time.monotonic() < deadline:
        spin(5)
    return condition()


# --------------------------------------------------------------------------- normalising

def norm(value: Any) -> Any:
    """A JSON-able form of a getter's value, the same for both libraries."""
    if isinstance(value, enum.Flag):
        return int(value.value)
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [norm(v) for v in value]
    name = type(value).__name__
    if name == "QHostAddress":
        return value.toString()
    if name == "QSslCipher":
        return value.name()
    if name == "QSslError":
        return value.error().name
    if name == "QSslCertificate":
        return ["cert", value.isNull()]
    if name in ("QByteArray", "bytes"):
        return bytes(value).decode("latin-1")
    return ["other", name]


# Getter -> how its value is recorded; a getter an object lacks is left out of its record.
RELATIONS: dict[str, Callable[[Any], Any]] = {
    "localPort": lambda v: v != 0,
    "peerPort": lambda v: v != 0,
    "serverPort": lambda v: v != 0,
    "socketDescriptor": lambda v: int(v) not in (-1, 2**64 - 1),  # PyQt6: an unsigned voidptr
    "encryptedBytesToWrite": lambda v: v > 0,  # the size of a ClientHello differs
    "ocspResponses": len,
    "peerCertificateChain": len,
    "localCertificateChain": len,
    "sessionCipher": lambda v: not v.isNull(),
    "sessionProtocol": lambda v: v.name,
    "peerCertificate": lambda v: v.isNull(),
    "localCertificate": lambda v: v.isNull(),
    "privateKey": lambda v: v.isNull(),
    "sslConfiguration": lambda v: [not v.sessionCipher().isNull(), v.sessionProtocol().name],
    "sslHandshakeErrors": lambda v: [e.error().name for e in v],
}

SOCKET_GETTERS = [
    "state", "error", "errorString", "isValid", "isOpen", "openMode", "bytesAvailable",
    "bytesToWrite", "canReadLine", "atEnd", "isSequential", "isReadable", "isWritable",
    "isTextModeEnabled", "isTransactionStarted", "pos", "size", "readChannelCount",
    "writeChannelCount", "currentReadChannel", "currentWriteChannel", "localPort",
    "localAddress", "peerAddress", "peerPort", "peerName", "socketDescriptor",
    "readBufferSize", "pauseMode", "socketType", "protocolTag",
    # QSslSocket
    "isEncrypted", "mode", "sslConfiguration", "sslHandshakeErrors", "sessionProtocol", "sessionCipher",
    "peerCertificate", "peerCertificateChain", "localCertificate", "localCertificateChain",
    "privateKey", "ocspResponses", "encryptedBytesAvailable", "encryptedBytesToWrite",
    "peerVerifyMode", "peerVerifyDepth", "peerVerifyName", "protocol",
    # QUdpSocket
    "hasPendingDatagrams", "pendingDatagramSize",
]
SERVER_GETTERS = [
    "isListening", "maxPendingConnections", "serverError", "errorString", "serverAddress",
    "serverPort", "socketDescriptor", "hasPendingConnections", "listenBacklogSize",
    "handshakeTimeout",
]

# Qt's UDP datagram getters crash (PyQt6 6.x: a null socket engine) once a connected
# QUdpSocket was disconnected; they are only recorded while the socket is bound.
UNBOUND_CRASHES = {"hasPendingDatagrams", "pendingDatagramSize"}


def snap(obj: Any, getters: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in getters:
        getter = getattr(obj, name, None)
        if getter is None:
            continue
        if name in UNBOUND_CRASHES and obj.state().name not in ("BoundState", "ConnectedState"):
            continue
        try:
            value = getter()
            out[name] = norm(RELATIONS[name](value) if name in RELATIONS else value)
        except Exception as exc:  # a getter that raises is itself a finding
            out[name] = ["raised", type(exc).__name__]
    return out


def step(log: Log, tag: str, obj: Any, server: bool = False) -> None:
    log.append([tag, snap(obj, SERVER_GETTERS if server else SOCKET_GETTERS)])


# --------------------------------------------------------------------------- peers

def raw_listener() -> socket.socket:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(3)
    return listener


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def in_thread(target: Callable[[], None]) -> threading.Thread:
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread


def tls_server(action: Callable[[ssl.SSLSocket], None]) -> tuple[int, threading.Thread]:
    """A stdlib TLS server on 127.0.0.1 taking one client and running ``action`` on it."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    LEAF.configure_cert(context)
    listener = raw_listener()

    def serve() -> None:
        with listener:
            try:
                conn, _ = listener.accept()
                conn.settimeout(3)
                with context.wrap_socket(conn, server_side=True) as tls:
                    action(tls)
            except (OSError, ssl.SSLError):
                pass
    return listener.getsockname()[1], in_thread(serve)


def trusting_config() -> Any:
    conf = net.QSslConfiguration.defaultConfiguration()
    conf.setCaCertificates([net.QSslCertificate(CA.cert_pem.bytes())])
    return conf


def server_config() -> Any:
    conf = net.QSslConfiguration.defaultConfiguration()
    conf.setLocalCertificate(net.QSslCertificate(LEAF.cert_chain_pems[0].bytes()))
    key = net.QSslKey(LEAF.private_key_pem.bytes(), net.QSsl.KeyAlgorithm.Rsa)
    if key.isNull():
        key = net.QSslKey(LEAF.private_key_pem.bytes(), net.QSsl.KeyAlgorithm.Ec)
    conf.setPrivateKey(key)
    return conf


# --------------------------------------------------------------------------- TCP sockets

def tcp_life(log: Log, sock: Any) -> None:
    listener = raw_listener()
    port = listener.getsockname()[1]
    step(log, "new", sock)
    sock.connectToHost("127.0.0.1", port)
    step(log, "connecting", sock)
    log.append(["waitForConnected", sock.waitForConnected(3000)])
    peer, _ = listener.accept()
    peer.settimeout(3)
    step(log, "connected", sock)
    peer.sendall(b"line one\nrest")
    log.append(["waitForReadyRead", sock.waitForReadyRead(3000)])
    spin_until(lambda: sock.bytesAvailable() >= 13)
    step(log, "data arrived", sock)
    log.append(["readLine", bytes(sock.readLine()).decode()])
    step(log, "after readLine", sock)
    log.append(["write", sock.write(b"hello")])
    step(log, "written", sock)
    log.append(["waitForBytesWritten", sock.waitForBytesWritten(3000)])
    step(log, "bytes written", sock)
    log.append(["peer got", peer.recv(100).decode()])
    log.append(["readAll", bytes(sock.readAll()).decode()])
    step(log, "read all", sock)
    peer.close()
    log.append(["waitForDisconnected", sock.waitForDisconnected(3000)])
    step(log, "peer closed", sock)
    sock.close()
    step(log, "closed", sock)

    sock.connectToHost("127.0.0.1", port)
    log.append(["waitForConnected", sock.waitForConnected(3000)])
    peer, _ = listener.accept()
    sock.disconnectFromHost()
    step(log, "disconnectFromHost", sock)
    sock.waitForDisconnected(1000)
    step(log, "after waitForDisconnected", sock)
    peer.close()

    sock.connectToHost("127.0.0.1", port)
    log.append(["waitForConnected", sock.waitForConnected(3000)])
    peer, _ = listener.accept()
    sock.abort()
    step(log, "aborted", sock)
    peer.close()
    listener.close()

    sock.connectToHost("127.0.0.1", closed_port())
    log.append(["waitForConnected refused", sock.waitForConnected(3000)])
    step(log, "refused", sock)
    sock.close()
    step(log, "closed after refusal", sock)


@scenario
def tcp_socket(log: Log) -> None:
    tcp_life(log, net.QTcpSocket())


@scenario
def ssl_socket_plain(log: Log) -> None:
    tcp_life(log, net.QSslSocket())


@scenario
def peer_name_by_hand(log: Log) -> None:
    for cls in (net.QTcpSocket, net.QSslSocket):
        listener = raw_listener()
        sock = cls()
        sock.setPeerName("given")
        log.append([f"{cls.__name__} set when new", {"peerName": sock.peerName()}])
        sock.connectToHost("localhost", listener.getsockname()[1])
        log.append([f"{cls.__name__} connecting", {"peerName": sock.peerName()}])
        log.append([cls.__name__, "waitForConnected", sock.waitForConnected(3000)])
        peer, _ = listener.accept()
        log.append([f"{cls.__name__} connected", {"peerName": sock.peerName()}])
        sock.setPeerName("changed")
        log.append([f"{cls.__name__} set when connected", {"peerName": sock.peerName()}])
        peer.close()
        log.append([cls.__name__, "waitForDisconnected", sock.waitForDisconnected(3000)])
        log.append([f"{cls.__name__} peer closed", {"peerName": sock.peerName()}])
        sock.setPeerName("again")
        log.append([f"{cls.__name__} set when unconnected", {"peerName": sock.peerName()}])
        listener.close()


@scenario
def ssl_socket_encrypted(log: Log) -> None:
    got: list[bytes] = []

    def action(tls: ssl.SSLSocket) -> None:
        tls.sendall(b"line one\nrest")
        got.append(tls.recv(100))
        try:
            tls.unwrap()
        except (OSError, ssl.SSLError):
            pass
    port, thread = tls_server(action)
    sock = net.QSslSocket()
    sock.setSslConfiguration(trusting_config())
    step(log, "new", sock)
    sock.connectToHostEncrypted("127.0.0.1", port)
    step(log, "connecting", sock)
    log.append(["waitForEncrypted", sock.waitForEncrypted(3000)])
    step(log, "encrypted", sock)
    spin_until(lambda: sock.bytesAvailable() >= 13 or sock.waitForReadyRead(100))
    step(log, "data arrived", sock)
    log.append(["readLine", bytes(sock.readLine()).decode()])
    log.append(["write", sock.write(b"hello")])
    step(log, "written", sock)
    log.append(["waitForBytesWritten", sock.waitForBytesWritten(3000)])
    step(log, "bytes written", sock)
    thread.join(3)
    log.append(["peer got", b"".join(got).decode()])
    spin_until(lambda: sock.state().name == "UnconnectedState", 3000)
    step(log, "peer closed", sock)
    sock.close()
    step(log, "closed", sock)


@scenario
def ssl_socket_disconnect_and_abort(log: Log) -> None:
    for how in ("disconnectFromHost", "abort", "close"):
        def action(tls: ssl.SSLSocket) -> None:
            try:
                tls.recv(100)
            except (OSError, ssl.SSLError):
                pass
        port, thread = tls_server(action)
        sock = net.QSslSocket()
        sock.setSslConfiguration(trusting_config())
        sock.connectToHostEncrypted("127.0.0.1", port)
        log.append([how, "waitForEncrypted", sock.waitForEncrypted(3000)])
        getattr(sock, how)()
        step(log, how, sock)
        sock.waitForDisconnected(1000)
        step(log, how + " then waitForDisconnected", sock)
        thread.join(3)


@scenario
def ssl_socket_verification_fails(log: Log) -> None:
    def action(tls: ssl.SSLSocket) -> None:
        pass
    port, thread = tls_server(action)
    sock = net.QSslSocket()
    step(log, "new", sock)
    sock.connectToHostEncrypted("127.0.0.1", port)
    log.append(["waitForEncrypted", sock.waitForEncrypted(3000)])
    step(log, "failed", sock)
    sock.close()
    step(log, "closed", sock)
    thread.join(3)


@scenario
def ssl_socket_refused(log: Log) -> None:
    sock = net.QSslSocket()
    sock.connectToHostEncrypted("127.0.0.1", closed_port())
    log.append(["waitForEncrypted", sock.waitForEncrypted(3000)])
    step(log, "refused", sock)


@scenario
def ssl_socket_start_client_encryption(log: Log) -> None:
    def action(tls: ssl.SSLSocket) -> None:
        tls.recv(100)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    LEAF.configure_cert(context)
    listener = raw_listener()
    port = listener.getsockname()[1]

    def serve() -> None:
        with listener:
            try:
                conn, _ = listener.accept()
                conn.settimeout(3)
                with context.wrap_socket(conn, server_side=True) as tls:
                    action(tls)
            except (OSError, ssl.SSLError):
                pass
    thread = in_thread(serve)
    sock = net.QSslSocket()
    sock.setSslConfiguration(trusting_config())
    sock.setPeerVerifyName("localhost")
    sock.connectToHost("127.0.0.1", port)
    log.append(["waitForConnected", sock.waitForConnected(3000)])
    step(log, "connected plain", sock)
    sock.startClientEncryption()
    step(log, "handshaking", sock)
    log.append(["waitForEncrypted", sock.waitForEncrypted(3000)])
    step(log, "encrypted", sock)
    sock.abort()
    thread.join(3)


# --------------------------------------------------------------------------- servers

@scenario
def tcp_server(log: Log) -> None:
    server = net.QTcpServer()
    step(log, "new", server, server=True)
    log.append(["listen", server.listen(LOCAL, 0)])
    step(log, "listening", server, server=True)
    client = socket.create_connection(("127.0.0.1", server.serverPort()), timeout=3)
    log.append(["waitForNewConnection", server.waitForNewConnection(3000)])
    step(log, "pending", server, server=True)
    accepted = server.nextPendingConnection()
    step(log, "taken", server, server=True)
    step(log, "accepted socket", accepted)
    other = net.QTcpServer()
    log.append(["listen on a used port", other.listen(LOCAL, server.serverPort())])
    step(log, "used port", other, server=True)
    server.pauseAccepting()
    step(log, "paused", server, server=True)
    server.resumeAccepting()
    server.close()
    step(log, "closed", server, server=True)
    client.close()
    log.append(["accepted waitForDisconnected", accepted.waitForDisconnected(3000)])
    step(log, "accepted after the peer closed", accepted)
    # Qt leaves timedOut unset when not listening: only the result is recorded.
    log.append(["waitForNewConnection when closed", server.waitForNewConnection(10)[0]])
    step(log, "wait when closed", server, server=True)


@scenario
def ssl_server(log: Log) -> None:
    server = net.QSslServer()
    step(log, "new", server, server=True)
    server.setSslConfiguration(server_config())
    log.append(["listen", server.listen(LOCAL, 0)])
    step(log, "listening", server, server=True)
    context = ssl.create_default_context(cafile=None)
    CA.configure_trust(context)
    done = threading.Event()
    port = server.serverPort()

    def client() -> None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=3) as raw:
                with context.wrap_socket(raw, server_hostname="localhost") as tls:
                    tls.sendall(b"ping\n")
                    done.wait(3)
        except (OSError, ssl.SSLError):
            pass
    thread = in_thread(client)
    log.append(["pending", spin_until(server.hasPendingConnections)])
    step(log, "pending", server, server=True)
    accepted = server.nextPendingConnection()
    step(log, "taken", server, server=True)
    spin_until(lambda: accepted.bytesAvailable() >= 5 or accepted.waitForReadyRead(100))
    step(log, "accepted socket", accepted)
    done.set()
    thread.join(3)
    spin_until(lambda: accepted.state().name == "UnconnectedState")
    step(log, "accepted after the peer closed", accepted)
    other = net.QSslServer()
    log.append(["listen on a used port", other.listen(LOCAL, port)])
    step(log, "used port", other, server=True)
    server.close()
    step(log, "closed", server, server=True)


@scenario
def ssl_server_handshake_fails(log: Log) -> None:
    server = net.QSslServer()
    server.setSslConfiguration(server_config())
    log.append(["listen", server.listen(LOCAL, 0)])
    errors: list[Any] = []
    server.errorOccurred.connect(lambda s, e: errors.append([e.name, s.errorString()]))
    server.peerVerifyError.connect(lambda s, e: errors.append(["peerVerifyError"]))
    port = server.serverPort()

    def client() -> None:
        context = ssl.create_default_context()  # does not trust our CA: alert unknown_ca
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=3) as raw:
                with context.wrap_socket(raw, server_hostname="localhost"):
                    pass
        except (OSError, ssl.SSLError):
            pass
    thread = in_thread(client)
    spin_until(lambda: bool(errors) or not thread.is_alive())
    spin(100)
    thread.join(3)
    log.append(["errors", [e[0] for e in errors]])
    step(log, "after a failed handshake", server, server=True)
    server.close()


# --------------------------------------------------------------------------- UDP

@scenario
def udp_socket(log: Log) -> None:
    sock = net.QUdpSocket()
    step(log, "new", sock)
    log.append(["bind", sock.bind(LOCAL, 0)])
    step(log, "bound", sock)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as peer:
        peer.bind(("127.0.0.1", 0))
        peer.sendto(b"datagram", ("127.0.0.1", sock.localPort()))
        log.append(["waitForReadyRead", sock.waitForReadyRead(3000)])
        step(log, "datagram arrived", sock)
        log.append(["readDatagram", bytes(sock.receiveDatagram().data()).decode()])
        step(log, "datagram read", sock)
        sock.connectToHost("127.0.0.1", peer.getsockname()[1])
        log.append(["waitForConnected", sock.waitForConnected(3000)])
        step(log, "connected", sock)
        log.append(["write", sock.write(b"x")])
        step(log, "written", sock)
        sock.disconnectFromHost()
        step(log, "disconnected", sock)
    other = net.QUdpSocket()
    sock2 = net.QUdpSocket()
    sock2.bind(LOCAL, 0)
    log.append(["bind on a used port", other.bind(LOCAL, sock2.localPort())])
    step(log, "used port", other)
    sock.close()
    step(log, "closed", sock)
    sock2.abort()
    step(log, "aborted", sock2)


def main() -> None:
    names = sys.argv[2:] or list(SCENARIOS)
    out: dict[str, Log] = {}
    with tempfile.TemporaryDirectory():
        for name in names:
            log: Log = []
            try:
                SCENARIOS[name](log)
            except Exception as exc:  # recorded, so that the comparison shows where it broke
                log.append(["exception", type(exc).__name__, str(exc)])
            out[name] = log
    json.dump(out, sys.stdout, indent=0)


if __name__ == "__main__":
    main()
