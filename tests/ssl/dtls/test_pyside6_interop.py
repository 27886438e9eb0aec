"""qtls's QDtls against Qt's own (PySide6's QDtls, in another process), both directions:
Qt's cookie exchange, handshake, one echoed datagram and shutdown. Skipped without PySide6
(an optional, test-only reference: pip install PySide6-Essentials)."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.loops import run_until

from .conftest import CA, SERVER_CERT
from .harness import EchoClient, EchoServer, client_configuration, server_configuration

pytestmark = [
    pytest.mark.usefixtures("qtls_app"),
    pytest.mark.skipif(importlib.util.find_spec("PySide6") is None,
                       reason="PySide6 is not installed (optional reference: "
                       "pip install PySide6-Essentials)"),
]
PEER = Path(__file__).with_name("pyside_peer.py")
ENV = dict(os.environ, QT_QPA_PLATFORM="offscreen")


def test_qtls_client_with_a_qt_dtls_server(tmp_path: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.write_bytes(b"".join(b.bytes() for b in SERVER_CERT.cert_chain_pems))
    key.write_bytes(SERVER_CERT.private_key_pem.bytes())
    proc = subprocess.Popen([sys.executable, str(PEER), "server", str(cert), str(key)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=ENV)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        match = re.match(r"listening on (\d+)", first)
        assert match, first
        lines: list[str] = []
        threading.Thread(target=lambda: lines.extend(proc.stdout or []), daemon=True).start()
        client = EchoClient(client_configuration(CA), int(match.group(1)))
        assert client.start()
        assert run_until(lambda: client.encrypted() or bool(client.failures), 10000), lines
        assert client.encrypted(), client.failures
        client.dtls.writeDatagramEncrypted(client.socket, b"from qtls")
        assert run_until(lambda: client.echoes == [b"FROM QTLS"], 5000), lines
        assert client.dtls.shutdown(client.socket)
        assert proc.wait(timeout=10) == 0
        assert any("peer shut down" in line for line in lines), lines
        client.close()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=5)


def test_qt_dtls_client_with_a_qtls_server(tmp_path: Path) -> None:
    cafile = tmp_path / "ca.pem"
    cafile.write_bytes(CA.cert_pem.bytes())
    server = EchoServer(server_configuration(SERVER_CERT))
    try:
        proc = subprocess.Popen([sys.executable, str(PEER), "client", str(server.port),
                                 str(cafile), "from qt"], stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, env=ENV)
        assert run_until(lambda: proc.poll() is not None, 20000)
        output = proc.stdout.read() if proc.stdout else ""
        assert proc.returncode == 0, (output, server.errors)
        assert "echo: FROM QT" in output
        assert server.hello_verify_requests >= 1
        assert run_until(lambda: not server.peers, 5000)  # Qt's close_notify arrived
    finally:
        if proc.poll() is None:
            proc.kill()
        server.close()


def _error_script(network: object, core: object) -> list[tuple[str, str, str]]:
    """The same calls, without a network, on qtls's or PySide6's classes: (result, error, text)."""
    QDtls = network.QDtls  # type: ignore[attr-defined]
    QSslSocket = network.QSslSocket  # type: ignore[attr-defined]
    QHostAddress = network.QHostAddress  # type: ignore[attr-defined]
    QSslConfiguration = network.QSslConfiguration  # type: ignore[attr-defined]
    QSsl = network.QSsl  # type: ignore[attr-defined]
    QUdpSocket = network.QUdpSocket  # type: ignore[attr-defined]
    Verifier = network.QDtlsClientVerifier  # type: ignore[attr-defined]
    out: list[tuple[str, str, str]] = []
    client = QDtls(QSslSocket.SslMode.SslClientMode)
    server = QDtls(QSslSocket.SslMode.SslServerMode)
    sock = QUdpSocket()

    def record(obj: object, result: object) -> None:
        value = bytes(result) if not isinstance(result, (bool, int)) else result  # type: ignore[call-overload]
        out.append((repr(value), obj.dtlsError().name, obj.dtlsErrorString()))  # type: ignore[attr-defined]

    record(client, client.setPeer(QHostAddress(), 1))
    record(client, client.setPeer(QHostAddress("255.255.255.255"), 1))
    record(client, client.doHandshake(sock))
    record(client, client.shutdown(sock))
    record(client, client.writeDatagramEncrypted(sock, b"x"))
    record(client, client.decryptDatagram(sock, b"x"))
    record(client, client.resumeHandshake(sock))
    record(client, client.abortHandshake(sock))
    record(server, server.setPeer(QHostAddress("127.0.0.1"), 4000))
    record(server, server.doHandshake(sock, b""))
    record(server, server.doHandshake(sock, b"\x16\xfe\xfd" + bytes(60)))
    config = QSslConfiguration.defaultConfiguration()
    config.setProtocol(QSsl.SslProtocol.TlsV1_2)
    client.setDtlsConfiguration(config)
    client.setPeer(QHostAddress("127.0.0.1"), 4000)
    record(client, client.doHandshake(sock))
    verifier = Verifier()
    record(verifier, verifier.verifyClient(sock, b"", QHostAddress("127.0.0.1"), 1))
    record(verifier, verifier.verifyClient(sock, b"junk", QHostAddress("224.0.0.1"), 1))
    record(verifier, verifier.verifyClient(sock, b"junk", QHostAddress("127.0.0.1"), 1))
    record(verifier, verifier.verifiedHello())
    return out


def test_error_values_and_texts_match_pyside6(qtls_app: object) -> None:
    from PySide6 import QtCore as pyside_core
    from PySide6 import QtNetwork as pyside_network

    import qtls.QtCore
    import qtls.QtNetwork

    _app = pyside_core.QCoreApplication.instance() or pyside_core.QCoreApplication([])
    theirs = _error_script(pyside_network, pyside_core)
    ours = _error_script(qtls.QtNetwork, qtls.QtCore)
    assert ours == theirs
