"""QSslServer's signals, in order, against PyQt6's QSslServer on the same scenarios.

Each scenario runs twice — once with ``qtls.QtNetwork``, once with ``PyQt6.QtNetwork`` — with
the same peer (a stdlib ``ssl`` client or a raw socket in a thread) and the same certificates;
the server's signal sequences (names and enum arguments, not message texts) must be equal.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

import qtls.QtCore
import qtls.QtNetwork
from tests.sslserver.helpers import (
    EC_CA,
    EC_SERVER_CERT,
    OTHER_CA,
    STRANGER_CERT,
    _is_rsa,
    client_context,
    record_server,
)

PARTIAL_CLIENT_HELLO = b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"


def _tls_peer(ctx: ssl.SSLContext) -> Callable[[int], None]:
    def run(port: int) -> None:
        with socket.create_connection(("127.0.0.1", port), timeout=3) as raw:
            try:
                with ctx.wrap_socket(raw, server_hostname="localhost") as tls:
                    tls.sendall(b"ping")
                    tls.recv(100)
            except (ssl.SSLError, OSError):
                pass
    return run


def _raw_peer(payload: bytes, linger: float = 0.0) -> Callable[[int], None]:
    def run(port: int) -> None:
        with socket.create_connection(("127.0.0.1", port), timeout=3) as raw:
            if payload:
                raw.sendall(payload)
            time.sleep(linger)
            if not linger:
                try:
                    while raw.recv(4096):
                        pass
                except OSError:
                    pass
    return run


def _with_cert(leaf: Any) -> ssl.SSLContext:
    ctx = client_context()
    leaf.configure_cert(ctx)
    return ctx


def _server_conf(net: ModuleType, scenario: str) -> Any:
    conf = net.QSslConfiguration.defaultConfiguration()
    conf.setLocalCertificate(net.QSslCertificate(EC_SERVER_CERT.cert_chain_pems[0].bytes()))
    pem = EC_SERVER_CERT.private_key_pem.bytes()
    algorithm = net.QSsl.KeyAlgorithm.Rsa if _is_rsa(pem) else net.QSsl.KeyAlgorithm.Ec
    if scenario != "no_key":
        conf.setPrivateKey(net.QSslKey(pem, algorithm))
    if scenario.startswith("mtls"):
        conf.setPeerVerifyMode(net.QSslSocket.PeerVerifyMode.VerifyPeer)
        conf.setCaCertificates([net.QSslCertificate(EC_CA.cert_pem.bytes())])
    if scenario == "query_peer_without_cert":
        conf.setPeerVerifyMode(net.QSslSocket.PeerVerifyMode.QueryPeer)
    if scenario == "disjoint":
        conf.setProtocol(net.QSsl.SslProtocol.TlsV1_3)
    return conf


SCENARIOS: dict[str, Callable[[], Callable[[int], None]]] = {
    "success": lambda: _tls_peer(client_context()),
    "plain_http": lambda: _raw_peer(b"GET / HTTP/1.0\r\n\r\n"),
    "garbage_record": lambda: _raw_peer(b"\x16\x03\x01\x00\x05hello"),
    "vanish_mid_handshake": lambda: _raw_peer(PARTIAL_CLIENT_HELLO, linger=0.1),
    "silent_client_timeout": lambda: _raw_peer(b""),
    "mtls_unknown_ca": lambda: _tls_peer(_with_cert(STRANGER_CERT)),
    "mtls_missing_cert": lambda: _tls_peer(client_context()),
    "disjoint": lambda: _tls_peer(client_context(maximum=ssl.TLSVersion.TLSv1_2)),
    "client_rejects_server": lambda: _tls_peer(client_context(OTHER_CA)),
    "no_key": lambda: _tls_peer(client_context()),
    "stall_after_partial_hello": lambda: _raw_peer(PARTIAL_CLIENT_HELLO, linger=0.6),
    "mtls_errors_ignored_in_slot": lambda: _tls_peer(_with_cert(STRANGER_CERT)),
    "query_peer_without_cert": lambda: _tls_peer(client_context()),
}


def _run(core: ModuleType, net: ModuleType, scenario: str) -> list[str]:
    server = net.QSslServer()
    server.setSslConfiguration(_server_conf(net, scenario))
    server.setHandshakeTimeout(250)
    assert server.listen(net.QHostAddress(net.QHostAddress.SpecialAddress.LocalHost), 0)
    log: list[str] = []
    record_server(server, log)
    if scenario == "mtls_errors_ignored_in_slot":
        server.sslErrors.connect(lambda sock, errors: sock.ignoreSslErrors())
    kept: list[Any] = []

    def take() -> None:
        while (sock := server.nextPendingConnection()) is not None:
            kept.append(sock)
            sock.readyRead.connect(lambda s=sock: s.write(bytes(s.readAll()).upper()))

    server.pendingConnectionAvailable.connect(take)
    done = threading.Event()
    peer = SCENARIOS[scenario]()

    def run_peer() -> None:
        try:
            peer(server.serverPort())
        finally:
            done.set()

    threading.Thread(target=run_peer, daemon=True).start()
    loop = core.QEventLoop()
    poll = core.QTimer()
    poll.setInterval(5)
    poll.timeout.connect(lambda: loop.quit() if done.is_set() else None)
    guard = core.QTimer()
    guard.setSingleShot(True)
    guard.timeout.connect(loop.quit)
    guard.start(5000)
    poll.start()
    loop.exec()
    poll.stop()
    guard.stop()
    assert done.is_set(), f"{scenario}: the peer did not finish"
    settle = core.QEventLoop()
    core.QTimer.singleShot(150, settle.quit)  # trailing signals (deleteLater, alerts)
    settle.exec()
    server.close()
    for sock in kept:
        sock.abort()
    return log


@pytest.mark.pyqt6
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_server_signal_order_matches_pyqt6(qtls_app: Any, pyqt_network: Any,
                                           scenario: str) -> None:
    pyqt_core = pytest.importorskip("PyQt6.QtCore")
    theirs = _run(pyqt_core, pyqt_network, scenario)
    ours = _run(qtls.QtCore, qtls.QtNetwork, scenario)
    assert ours == theirs
