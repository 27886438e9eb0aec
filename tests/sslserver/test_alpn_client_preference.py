"""ALPN on a QSslServer picks by the client's preference, as Qt's server does.

Qt's server callback runs OpenSSL's ``SSL_select_next_proto`` with the client's list first: the
first protocol the client offered that the server allows. PyQt6 6.11, client [a, b] and server
[b, a]: "a".
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from typing import Any

import pytest

from qtls.QtNetwork import QSslConfiguration
from tests.sslserver.helpers import (
    EC_CA,
    EC_SERVER_CERT,
    client_context,
    run_until,
    server_config,
    start_server,
    stdlib_client,
)

NPS = QSslConfiguration.NextProtocolNegotiationStatus
CASES = [
    (["a", "b"], [b"b", b"a"]),
    (["h2", "http/1.1"], [b"http/1.1", b"h2"]),
    (["x", "http/1.1", "h2"], [b"h2", b"http/1.1"]),
]


def _alpn_context(protocols: list[str]) -> ssl.SSLContext:
    ctx = client_context()
    ctx.set_alpn_protocols(protocols)
    return ctx


@pytest.mark.parametrize(("client", "server"), CASES)
def test_server_picks_the_clients_first_allowed_protocol(
    qtls_app: Any, client: list[str], server: list[bytes]
) -> None:
    conf = server_config()
    conf.setAllowedNextProtocols(server)
    qtls_server, accepted = start_server(conf)
    peer = stdlib_client(qtls_server.serverPort(), _alpn_context(client))
    assert peer.wait() and peer.error is None, peer.error
    expected = next(p for p in client if p.encode() in server)
    assert peer.alpn == expected
    assert run_until(lambda: bool(accepted))
    negotiated = accepted[0].sslConfiguration()
    assert bytes(negotiated.nextNegotiatedProtocol()) == expected.encode()
    assert negotiated.nextProtocolNegotiationStatus() is NPS.NextProtocolNegotiationNegotiated
    qtls_server.close()


def _pyqt6_choice(network: Any, client: list[str], server: list[bytes]) -> str | None:
    from PyQt6.QtCore import QCoreApplication, QEventLoop

    conf = network.QSslConfiguration.defaultConfiguration()
    conf.setLocalCertificate(network.QSslCertificate(EC_SERVER_CERT.cert_chain_pems[0].bytes()))
    conf.setPrivateKey(
        network.QSslKey(EC_SERVER_CERT.private_key_pem.bytes(), network.QSsl.KeyAlgorithm.Ec)
    )
    conf.setAllowedNextProtocols(server)
    qt_server = network.QSslServer()
    qt_server.setSslConfiguration(conf)
    assert qt_server.listen(network.QHostAddress(network.QHostAddress.SpecialAddress.LocalHost), 0)
    port = qt_server.serverPort()
    seen: dict[str, Any] = {}

    def run() -> None:
        ctx = ssl.create_default_context()
        EC_CA.configure_trust(ctx)
        ctx.set_alpn_protocols(client)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
                with ctx.wrap_socket(raw, server_hostname="localhost") as tls:
                    seen["alpn"] = tls.selected_alpn_protocol()
        except (OSError, ssl.SSLError) as exc:
            seen["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 5
    while thread.is_alive() and time.monotonic() < deadline:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
    thread.join(5)
    qt_server.close()
    assert "error" not in seen, seen
    return seen.get("alpn")


@pytest.mark.pyqt6
@pytest.mark.parametrize(("client", "server"), CASES)
def test_alpn_choice_matches_pyqt6(
    qtls_app: Any, pyqt_network: Any, client: list[str], server: list[bytes]
) -> None:
    conf = server_config()
    conf.setAllowedNextProtocols(server)
    qtls_server, _accepted = start_server(conf)
    peer = stdlib_client(qtls_server.serverPort(), _alpn_context(client))
    assert peer.wait() and peer.error is None, peer.error
    qtls_server.close()
    assert peer.alpn == _pyqt6_choice(pyqt_network, client, server)
