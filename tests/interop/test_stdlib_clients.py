"""A qtls QSslServer against stdlib ``ssl`` clients in threads: many at once, large payloads,
mutual TLS, ALPN and session resumption on TLS 1.2 and 1.3."""

from __future__ import annotations

import hashlib
import os
import socket
import ssl
import threading
from typing import Any

import pytest

from qtls.QtNetwork import QHostAddress, QSslServer, QSslSocket
from tests.sslserver.helpers import (
    CA,
    EC_CA,
    RSA_SERVER_CERT,
    client_context,
    run_until,
    server_config,
    start_server,
    stdlib_client,
)

VERSIONS = {"tls1_2": ssl.TLSVersion.TLSv1_2, "tls1_3": ssl.TLSVersion.TLSv1_3}


@pytest.mark.parametrize("version", list(VERSIONS))
def test_many_concurrent_clients_each_get_their_own_echo(qtls_app: Any, version: str) -> None:
    server, accepted = start_server(server_config(RSA_SERVER_CERT))
    tls = VERSIONS[version]
    payloads = [os.urandom(64 * 1024 + i) for i in range(6)]
    peers = [stdlib_client(server.serverPort(), client_context(CA, minimum=tls, maximum=tls),
                           payload=p) for p in payloads]
    assert run_until(lambda: all(p.done.is_set() for p in peers), 15000)
    for peer, payload in zip(peers, payloads, strict=True):
        assert peer.error is None, peer.error
        assert hashlib.sha256(peer.reply).digest() == hashlib.sha256(payload.upper()).digest()
        assert peer.version == {"tls1_2": "TLSv1.2", "tls1_3": "TLSv1.3"}[version]
    assert len(accepted) == len(payloads)
    server.close()


def test_mutual_tls_with_stdlib_client_certificate(qtls_app: Any) -> None:
    conf = server_config(client_ca=EC_CA)
    conf.setPeerVerifyMode(QSslSocket.PeerVerifyMode.VerifyPeer)
    server, accepted = start_server(conf)
    client_cert = EC_CA.issue_cert("stdlib-client@example.org")
    ctx = client_context()
    client_cert.configure_cert(ctx)
    peer = stdlib_client(server.serverPort(), ctx)
    assert peer.wait()
    assert peer.error is None, peer.error
    (sock,) = accepted
    assert bytes(sock.peerCertificate().toPem()).strip() == \
        client_cert.cert_chain_pems[0].bytes().strip()
    server.close()


def test_query_peer_accepts_client_without_certificate(qtls_app: Any) -> None:
    conf = server_config(client_ca=EC_CA)
    conf.setPeerVerifyMode(QSslSocket.PeerVerifyMode.QueryPeer)
    server, accepted = start_server(conf)
    peer = stdlib_client(server.serverPort(), client_context())
    assert peer.wait()
    assert peer.error is None, peer.error
    assert accepted[0].peerCertificate().isNull()
    server.close()


def test_alpn_with_stdlib_client(qtls_app: Any) -> None:
    conf = server_config()
    conf.setAllowedNextProtocols([b"h2", b"http/1.1"])
    server, accepted = start_server(conf)
    ctx = client_context()
    ctx.set_alpn_protocols(["h2", "http/1.1"])
    peer = stdlib_client(server.serverPort(), ctx)
    assert peer.wait()
    assert peer.alpn == "h2"
    assert bytes(accepted[0].sslConfiguration().nextNegotiatedProtocol()) == b"h2"
    server.close()


@pytest.mark.parametrize("version", list(VERSIONS))
def test_stdlib_client_resumes_its_session(qtls_app: Any, version: str) -> None:
    server, accepted = start_server(server_config())
    tls = VERSIONS[version]
    ctx = client_context(minimum=tls, maximum=tls)
    first = stdlib_client(server.serverPort(), ctx)
    assert first.wait()
    assert first.error is None, first.error
    assert not first.resumed
    assert first.session is not None
    second = stdlib_client(server.serverPort(), ctx, session=first.session)
    assert second.wait()
    assert second.error is None, second.error
    assert second.resumed, "the server did not resume the session"
    assert second.reply == b"PING"
    assert len(accepted) == 2
    server.close()


def test_ipv6_loopback_server(qtls_app: Any) -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6 on this machine")
    server = QSslServer()
    server.setSslConfiguration(server_config(RSA_SERVER_CERT))  # its SAN includes ::1
    if not server.listen(QHostAddress(QHostAddress.SpecialAddress.LocalHostIPv6), 0):
        pytest.skip(f"cannot listen on ::1: {server.errorString()}")
    accepted: list[str] = []  # peer addresses, read when the socket is handed over

    def take() -> None:
        while (sock := server.nextPendingConnection()) is not None:
            accepted.append(sock.peerAddress().toString())

    server.pendingConnectionAvailable.connect(take)
    done = threading.Event()
    seen: dict[str, Any] = {}

    def client() -> None:
        try:
            with socket.create_connection(("::1", server.serverPort()), timeout=5) as raw, \
                    client_context(CA).wrap_socket(raw, server_hostname="::1") as tls:
                seen["version"] = tls.version()
        except OSError as exc:
            seen["error"] = exc
        finally:
            done.set()

    threading.Thread(target=client, daemon=True).start()
    assert run_until(done.is_set, 5000)
    assert "error" not in seen, seen
    assert run_until(lambda: bool(accepted))
    assert accepted == ["::1"]
    server.close()
