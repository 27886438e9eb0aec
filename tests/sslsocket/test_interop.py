"""The qtls client against other TLS implementations: ``openssl s_server`` and CPython's ``ssl``.

(The server side's interop runs with QSslServer's tests.)
"""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from qtls.QtNetwork import QAbstractSocket, QSsl, QSslSocket
from tests.sslsocket.helpers import Pki, StdlibServer, client_for, run_until

pytestmark = pytest.mark.timeout(60)

S = QAbstractSocket.SocketState
OPENSSL = shutil.which("openssl")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SServer:
    """``openssl s_server -rev`` on 127.0.0.1 (echoes each line reversed)."""

    def __init__(self, pki: Pki, tmp: Path, *extra: str, naccept: int = 1) -> None:
        assert OPENSSL is not None
        cert, key, ca = tmp / "cert.pem", tmp / "key.pem", tmp / "ca.pem"
        pki.ecdsa.leaf.cert_chain_pems[0].write_to_path(str(cert))
        pki.ecdsa.leaf.private_key_pem.write_to_path(str(key))
        pki.ca.cert_pem.write_to_path(str(ca))
        self.port = _free_port()
        self.proc = subprocess.Popen(
            [OPENSSL, "s_server", "-accept", f"127.0.0.1:{self.port}", "-cert", str(cert),
             "-key", str(key), "-CAfile", str(ca), "-rev", "-naccept", str(naccept), *extra],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise AssertionError("openssl s_server did not start") from None
                time.sleep(0.05)

    def stop(self, wait: float = 0.0) -> str:
        """Stop the server (after ``wait`` seconds for it to finish by itself) and return its
        output."""
        try:
            out, _ = self.proc.communicate(timeout=wait) if wait else (None, None)
        except subprocess.TimeoutExpired:
            out = None
        if out is None:
            if self.proc.poll() is None:
                self.proc.terminate()
            out, _ = self.proc.communicate(timeout=10)
        return out.decode(errors="replace")


@pytest.fixture
def s_server_factory(pki: Pki, tmp_path: Path) -> Iterator[Any]:
    if OPENSSL is None:
        pytest.skip("openssl is not installed")
    servers: list[SServer] = []

    def make(*extra: str, naccept: int = 1) -> SServer:
        # The probe connection above counts as one accept.
        server = SServer(pki, tmp_path, *extra, naccept=naccept + 1)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


def _exchange(client: QSslSocket, line: bytes) -> bytes:
    client.write(line)
    assert run_until(lambda: client.canReadLine(), 5000), client.errorString()
    return bytes(client.readLine())


@pytest.mark.parametrize("flag,protocol", [("-tls1_2", QSsl.SslProtocol.TlsV1_2),
                                           ("-tls1_3", QSsl.SslProtocol.TlsV1_3)])
def test_client_against_openssl_s_server(pki: Pki, qtls_app: Any, s_server_factory: Any,
                                         flag: str, protocol: Any) -> None:
    server = s_server_factory(flag)
    client = client_for(pki)
    client.connectToHostEncrypted("localhost", server.port)
    assert run_until(client.isEncrypted, 5000), client.errorString()
    assert client.sessionProtocol() is protocol
    assert _exchange(client, b"hello\n") == b"olleh\n"
    client.disconnectFromHost()
    assert run_until(lambda: client.state() is S.UnconnectedState, 5000)


def test_mutual_tls_and_alpn_against_openssl_s_server(pki: Pki, qtls_app: Any,
                                                      s_server_factory: Any) -> None:
    server = s_server_factory("-Verify", "1", "-alpn", "h2,http/1.1")
    client = client_for(pki)
    client.setLocalCertificateChain(pki.client.chain)
    client.setPrivateKey(pki.client.key)
    cc = client.sslConfiguration()
    cc.setAllowedNextProtocols([b"http/1.1"])
    client.setSslConfiguration(cc)
    client.connectToHostEncrypted("localhost", server.port)
    assert run_until(client.isEncrypted, 5000), client.errorString()
    assert bytes(client.sslConfiguration().nextNegotiatedProtocol()) == b"http/1.1"
    assert _exchange(client, b"mtls\n") == b"sltm\n"
    client.abort()
    log = server.stop(wait=5)  # -naccept: s_server exits once the connection ended
    assert "Verification: OK" in log  # s_server verified our client certificate
    assert "ALPN protocols selected: http/1.1" in log


def test_mutual_tls_is_refused_without_a_client_certificate(pki: Pki, qtls_app: Any,
                                                            s_server_factory: Any) -> None:
    server = s_server_factory("-Verify", "1", "-tls1_2")
    client = client_for(pki)
    client.connectToHostEncrypted("localhost", server.port)
    assert run_until(lambda: client.state() is S.UnconnectedState, 5000)
    assert client.error() is QAbstractSocket.SocketError.SslHandshakeFailedError
    assert "handshake failure" in client.errorString()  # the server's fatal alert, named


def test_resumption_against_openssl_s_server(pki: Pki, qtls_app: Any, s_server_factory: Any) -> None:
    server = s_server_factory("-tls1_3", naccept=2)
    first = client_for(pki)
    cc = first.sslConfiguration()
    cc.setSslOption(QSsl.SslOption.SslOptionDisableSessionPersistence, False)
    first.setSslConfiguration(cc)
    first.connectToHostEncrypted("localhost", server.port)
    assert run_until(first.isEncrypted, 5000)
    assert _exchange(first, b"one\n") == b"eno\n"
    ticket = first.sslConfiguration().sessionTicket()
    assert bytes(ticket)
    first.disconnectFromHost()
    assert run_until(lambda: first.state() is S.UnconnectedState, 5000)
    second = client_for(pki)
    cc.setSessionTicket(ticket)
    second.setSslConfiguration(cc)
    second.connectToHostEncrypted("localhost", server.port)
    assert run_until(second.isEncrypted, 5000), second.errorString()
    assert second._session_resumed is True
    assert _exchange(second, b"two\n") == b"owt\n"
    second.abort()


@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3])
def test_client_against_stdlib_ssl_server(pki: Pki, qtls_app: Any, version: Any) -> None:
    ctx = pki.stdlib_server_context(pki.rsa)
    ctx.minimum_version = ctx.maximum_version = version
    ctx.set_alpn_protocols(["h2"])
    ctx.verify_mode = ssl.CERT_REQUIRED
    pki.ca.configure_trust(ctx)
    seen: dict[str, Any] = {}

    def handler(conn: Any) -> None:
        seen["alpn"] = conn.selected_alpn_protocol()
        seen["peer"] = conn.getpeercert()["subjectAltName"]
        conn.sendall(conn.recv(100).upper())
        conn.recv(100)

    srv = StdlibServer(ctx, handler)
    client = client_for(pki)
    client.setLocalCertificateChain(pki.client.chain)
    client.setPrivateKey(pki.client.key)
    cc = client.sslConfiguration()
    cc.setAllowedNextProtocols([b"h2"])
    client.setSslConfiguration(cc)
    client.connectToHostEncrypted("localhost", srv.port)
    assert run_until(client.isEncrypted, 5000), client.errorString()
    client.write(b"shout\n")
    assert run_until(lambda: client.bytesAvailable() == 6, 5000)
    assert bytes(client.readAll()) == b"SHOUT\n"
    client.disconnectFromHost()
    assert run_until(lambda: client.state() is S.UnconnectedState, 5000)
    srv.join()
    assert seen == {"alpn": "h2", "peer": (("DNS", "client.example"),)}


def test_starttls_against_a_stdlib_server(pki: Pki, qtls_app: Any) -> None:
    def handler(raw: socket.socket) -> None:
        assert raw.recv(100) == b"STARTTLS\r\n"
        raw.sendall(b"220 go ahead\r\n")
        conn = pki.stdlib_server_context().wrap_socket(raw, server_side=True)
        conn.sendall(b"secure:" + conn.recv(100))
        conn.recv(100)

    srv = StdlibServer(None, handler)
    client = client_for(pki)
    client.connectToHost("localhost", srv.port)
    assert client.waitForConnected(5000)
    client.write(b"STARTTLS\r\n")
    assert run_until(client.canReadLine, 5000)
    assert bytes(client.readLine()) == b"220 go ahead\r\n"
    client.startClientEncryption()
    assert client.waitForEncrypted(5000), client.errorString()
    client.write(b"data")
    assert run_until(lambda: client.bytesAvailable() == 11, 5000)
    assert bytes(client.readAll()) == b"secure:data"
    client.disconnectFromHost()
    assert run_until(lambda: client.state() is S.UnconnectedState, 5000)
    srv.join()
