"""The same TLS scenarios run with PyQt6 and with qtls must emit the same signals, in order.

Both implementations run a client and a classic server (QTcpServer.incomingConnection +
setSocketDescriptor + startServerEncryption) in this process, each on its own event loop, with
the same recorder. Byte counts are left out (OpenSSL versions differ in record sizes), and so is
``encryptedBytesWritten`` (how many writes a ciphertext flight takes is not behaviour).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.sslsocket.helpers import Pki, Recorder

pytestmark = [pytest.mark.pyqt6, pytest.mark.timeout(60)]

SCENARIOS = ["trusted", "tls12_trusted", "untrusted", "ignore_in_slot", "wrong_host",
             "verify_none", "interrupt", "interrupt_continue", "pause", "disjoint",
             "client_disconnect", "client_close", "client_abort", "client_delayed",
             "client_missing_cert"]


def _run_until(core: Any, condition: Callable[[], bool], timeout: float) -> None:
    app = core.QCoreApplication.instance()
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        if hasattr(app, "processEvents"):
            app.processEvents(core.QEventLoop.ProcessEventsFlag.AllEvents, 5)
            time.sleep(0.001)
        else:
            from tests.network.helpers import spin
            spin(2)


def run_scenario(net: Any, core: Any, pki: Pki, scenario: str) -> tuple[list[str], list[str]]:
    """Run ``scenario`` with the classes of ``net``; return (client log, server log)."""
    cert = net.QSslCertificate(pki.ecdsa.leaf.cert_chain_pems[0].bytes())
    key = net.QSslKey(pki.ecdsa.leaf.private_key_pem.bytes(), net.QSsl.KeyAlgorithm.Ec)
    conf = net.QSslConfiguration.defaultConfiguration()
    conf.setLocalCertificate(cert)
    conf.setPrivateKey(key)
    if scenario == "disjoint":
        conf.setProtocol(net.QSsl.SslProtocol.TlsV1_3)
    if scenario == "client_missing_cert":
        conf.setPeerVerifyMode(net.QSslSocket.PeerVerifyMode.VerifyPeer)
    sockets: list[Any] = []
    server_logs: list[Recorder] = []

    class Server(net.QTcpServer):  # type: ignore[misc, name-defined]
        def incomingConnection(self, handle: Any) -> None:
            sock = net.QSslSocket(self)
            sock.setSslConfiguration(conf)
            server_logs.append(Recorder(sock, signals=(
                "stateChanged", "modeChanged", "encrypted", "errorOccurred", "sslErrors",
                "alertSent", "alertReceived", "disconnected")))
            sockets.append(sock)
            sock.setSocketDescriptor(handle)
            sock.startServerEncryption()
            sock.readyRead.connect(sock.readAll)
            if scenario in ("trusted", "tls12_trusted", "pause"):
                sock.encrypted.connect(lambda: (sock.write(b"pong"), sock.disconnectFromHost()))

    server = Server()
    assert server.listen(net.QHostAddress("127.0.0.1"), 0)
    client = net.QSslSocket()
    cconf = client.sslConfiguration()
    if scenario in ("trusted", "tls12_trusted", "wrong_host", "disjoint") or scenario.startswith(
            "client_"):
        cconf.addCaCertificate(net.QSslCertificate(pki.ca.cert_pem.bytes()))
    if scenario in ("tls12_trusted", "disjoint"):
        cconf.setProtocol(net.QSsl.SslProtocol.TlsV1_2)
    if scenario == "verify_none":
        cconf.setPeerVerifyMode(net.QSslSocket.PeerVerifyMode.VerifyNone)
    if scenario in ("interrupt", "interrupt_continue"):
        cconf.setHandshakeMustInterruptOnError(True)
    client.setSslConfiguration(cconf)
    rec = Recorder(client, signals=(
        "stateChanged", "hostFound", "connected", "disconnected", "errorOccurred", "encrypted",
        "modeChanged", "sslErrors", "peerVerifyError", "readyRead", "alertSent",
        "alertReceived", "readChannelFinished", "handshakeInterruptedOnError", "aboutToClose"))
    if scenario == "ignore_in_slot":
        client.sslErrors.connect(lambda errors: client.ignoreSslErrors())
    if scenario == "client_disconnect":
        client.encrypted.connect(lambda: (client.write(b"x" * 100_000), client.disconnectFromHost()))
    if scenario == "client_close":
        client.encrypted.connect(client.close)
    if scenario == "client_abort":
        client.encrypted.connect(client.abort)
    if scenario == "interrupt_continue":
        client.handshakeInterruptedOnError.connect(
            lambda error: client.continueInterruptedHandshake())
    if scenario == "pause":
        client.setPauseMode(net.QAbstractSocket.PauseMode.PauseOnSslErrors)

        def later() -> None:
            client.ignoreSslErrors()
            client.resume()

        client.sslErrors.connect(lambda errors: core.QTimer.singleShot(30, later))
    if scenario == "client_delayed":
        client.connected.connect(client.startClientEncryption)
        client.encrypted.connect(client.disconnectFromHost)
        client.connectToHost("localhost", server.serverPort())
    elif scenario in ("wrong_host", "verify_none"):
        client.connectToHostEncrypted("localhost", server.serverPort(), "wrong.example")
    else:
        client.connectToHostEncrypted("localhost", server.serverPort())
    unconnected = net.QAbstractSocket.SocketState.UnconnectedState

    def finished() -> bool:
        if scenario in ("ignore_in_slot", "verify_none"):
            return client.isEncrypted() and bool(sockets) and sockets[0].isEncrypted()
        return client.state() == unconnected and bool(sockets) and sockets[0].state() == unconnected

    _run_until(core, finished, 10)
    assert finished(), (scenario, rec.log)
    client.abort()
    for sock in sockets:
        sock.abort()
    server.close()
    return rec.log, server_logs[0].log if server_logs else []


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_signal_sequence_matches_pyqt6(pki: Pki, qtls_app: Any, pyqt_network: Any,
                                       scenario: str) -> None:
    import PyQt6.QtCore as pyqt_core

    import qtls.QtCore as qtls_core
    import qtls.QtNetwork as qtls_net

    expected_client, expected_server = run_scenario(pyqt_network, pyqt_core, pki, scenario)
    got_client, got_server = run_scenario(qtls_net, qtls_core, pki, scenario)
    # Signals after the scenario's end (abort() in the clean-up) are not compared.
    assert got_client == expected_client
    assert got_server == expected_server


def _raw_peer(reply: bytes) -> int:
    """A TCP peer that reads the ClientHello, answers ``reply`` (maybe nothing) and closes."""
    import socket
    import threading

    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(5)

    def run() -> None:
        try:
            conn, _ = listener.accept()
            with conn:
                conn.settimeout(3)
                conn.recv(65536)
                if reply:
                    conn.sendall(reply)
                time.sleep(0.2)  # let the client read the reply before the FIN
        except OSError:
            pass
        finally:
            listener.close()

    threading.Thread(target=run, daemon=True).start()
    return int(listener.getsockname()[1])


def _unconnected(net: Any, client: Any) -> bool:
    return bool(client.state() == net.QAbstractSocket.SocketState.UnconnectedState)


@pytest.mark.parametrize("reply", [b"", b"\x00garbage" * 8, b"HTTP/1.1 400 Bad Request\r\n\r\n"],
                         ids=["vanishing", "garbage", "http"])
def test_bad_peer_sequence_matches_pyqt6(qtls_app: Any, pyqt_network: Any, reply: bytes) -> None:
    import PyQt6.QtCore as pyqt_core

    import qtls.QtCore as qtls_core
    import qtls.QtNetwork as qtls_net

    logs = []
    for net, core in ((pyqt_network, pyqt_core), (qtls_net, qtls_core)):
        client = net.QSslSocket()
        rec = Recorder(client, signals=(
            "stateChanged", "connected", "disconnected", "errorOccurred", "encrypted",
            "modeChanged", "alertSent", "alertReceived", "readChannelFinished"))
        client.connectToHostEncrypted("127.0.0.1", _raw_peer(reply))
        _run_until(core, functools.partial(_unconnected, net, client), 5)
        logs.append((rec.log, client.errorString().rsplit(":", 1)[-1].strip()))
    assert logs[1] == logs[0]  # same signals, same cause ("wrong version number", ...)
