"""STARTTLS on the server side: a plain line protocol, then ``startServerEncryption()`` on the
same connection, with a stdlib client and with ``openssl s_client -starttls smtp``."""

from __future__ import annotations

import socket
from typing import Any

from qtls.QtNetwork import QHostAddress, QSslConfiguration, QSslSocket, QTcpServer
from tests.interop.helpers import SClient, needs_openssl, pem_files
from tests.sslserver.helpers import (
    EC_CA,
    PeerResult,
    _in_thread,
    client_context,
    run_until,
    server_config,
)


class StartTlsServer(QTcpServer):
    """A tiny SMTP-like server: greeting, EHLO, STARTTLS, then an encrypted upper-case echo."""

    def __init__(self, conf: QSslConfiguration) -> None:
        super().__init__()
        self.conf = conf
        self.sockets: list[QSslSocket] = []
        self.plain_lines: list[bytes] = []
        self.modes_before_tls: list[Any] = []
        self.protocols: list[str] = []  # each socket's sessionProtocol once encrypted

    def incomingConnection(self, handle: int) -> None:
        sock = QSslSocket(self)
        if not sock.setSocketDescriptor(handle):
            sock.deleteLater()
            return
        sock.setSslConfiguration(self.conf)
        self.sockets.append(sock)
        sock.readyRead.connect(lambda: self._on_ready_read(sock))
        sock.encrypted.connect(lambda: self.protocols.append(sock.sessionProtocol().name))
        sock.encrypted.connect(lambda: self.addPendingConnection(sock))
        sock.write(b"220 qtls ESMTP ready\r\n")

    def _on_ready_read(self, sock: QSslSocket) -> None:
        if sock.isEncrypted():
            sock.write(bytes(sock.readAll()).upper())
            sock.disconnectFromHost()
            return
        while sock.canReadLine():
            line = bytes(sock.readLine())
            self.plain_lines.append(line)
            command = line.strip().split(b" ")[0].upper()
            if command in (b"EHLO", b"HELO"):
                sock.write(b"250-qtls greets you\r\n250 STARTTLS\r\n")
            elif command == b"STARTTLS":
                sock.write(b"220 Ready to start TLS\r\n")
                self.modes_before_tls.append(sock.mode())
                sock.startServerEncryption()
                return
            else:
                sock.write(b"500 say STARTTLS first\r\n")


def _listening_server() -> StartTlsServer:
    server = StartTlsServer(server_config())
    assert server.listen(QHostAddress(QHostAddress.SpecialAddress.LocalHost), 0)
    return server


def _read_reply(f: Any) -> bytes:
    """One SMTP reply (continuation lines have '-' after the code)."""
    lines = b""
    while True:
        line = f.readline()
        lines += line
        if len(line) < 4 or line[3:4] != b"-":
            return lines


def test_stdlib_client_upgrades_a_plain_connection(qtls_app: Any) -> None:
    server = _listening_server()

    def client(result: PeerResult) -> None:
        ctx = client_context()
        with socket.create_connection(("127.0.0.1", server.serverPort()), timeout=5) as raw:
            f = raw.makefile("rb", buffering=0)
            assert _read_reply(f).startswith(b"220 ")
            raw.sendall(b"EHLO me\r\n")
            assert b"STARTTLS" in _read_reply(f)
            raw.sendall(b"STARTTLS\r\n")
            assert _read_reply(f).startswith(b"220 Ready")
            with ctx.wrap_socket(raw, server_hostname="localhost") as tls:
                result.version = tls.version()
                tls.sendall(b"secret hello")
                while chunk := tls.recv(100):
                    result.reply += chunk

    peer = _in_thread(client)
    assert peer.wait()
    assert peer.error is None, peer.error
    assert peer.reply == b"SECRET HELLO"
    assert peer.version == "TLSv1.3"
    assert server.plain_lines == [b"EHLO me\r\n", b"STARTTLS\r\n"]
    assert server.modes_before_tls == [QSslSocket.SslMode.UnencryptedMode]
    (sock,) = server.sockets
    assert sock.mode() == QSslSocket.SslMode.SslServerMode
    assert run_until(lambda: sock.state() == QSslSocket.SocketState.UnconnectedState)
    server.close()


@needs_openssl
def test_s_client_starttls_smtp_upgrades_a_plain_connection(
        qtls_app: Any, s_client: SClient, tmp_path: Any) -> None:
    server = _listening_server()
    ca = pem_files(tmp_path, ca=EC_CA.cert_pem.bytes())["ca"]
    run = s_client(server.serverPort(), "-starttls", "smtp", "-servername", "localhost",
                   "-CAfile", ca, "-verify_return_error", "-ign_eof")
    assert run.wait()
    assert "Verify return code: 0 (ok)" in run.output, run.output
    assert "PING" in run.output
    assert [line.split()[0] for line in server.plain_lines] == [b"EHLO", b"STARTTLS"]
    assert server.protocols == ["TlsV1_3"]
    server.close()
