"""STARTTLS: a connection that starts in plain text and switches to TLS in the middle, both
sides in one program (an SMTP-like server on QTcpServer and a client), over 127.0.0.1.

    python examples/starttls.py certs/

The server greets in plain text; the client sends STARTTLS; the server answers and calls
startServerEncryption(); the client calls startClientEncryption(); then one line goes over TLS.
Exits 0 when the encrypted line came back.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from qtls.QtCore import QCoreApplication, QTimer
from qtls.QtNetwork import (
    QHostAddress,
    QSsl,
    QSslCertificate,
    QSslConfiguration,
    QSslKey,
    QSslSocket,
    QTcpServer,
)


def read_key(path: Path) -> QSslKey:
    """The private key in a PEM file, whatever its algorithm."""
    data = path.read_bytes()
    for algorithm in (QSsl.KeyAlgorithm.Rsa, QSsl.KeyAlgorithm.Ec, QSsl.KeyAlgorithm.Dsa):
        key = QSslKey(data, algorithm)
        if not key.isNull():
            return key
    raise SystemExit(f"{path}: no RSA, EC or DSA private key that QSslKey can read")


class StartTlsServer(QTcpServer):
    """Plain text first; TLS once the client asked for it."""

    def __init__(self, configuration: QSslConfiguration) -> None:
        super().__init__()
        self.configuration = configuration

    def incomingConnection(self, handle: int) -> None:
        socket = QSslSocket(self)
        socket.setSocketDescriptor(handle)
        socket.setSslConfiguration(self.configuration)
        socket.readyRead.connect(lambda: self.on_line(socket))
        socket.write(b"220 example ready\r\n")

    def on_line(self, socket: QSslSocket) -> None:
        while socket.canReadLine():
            line = bytes(socket.readLine()).strip()
            print("server got:", line.decode(), "(encrypted)" if socket.isEncrypted() else
                  "(plain text)")
            if line == b"STARTTLS" and not socket.isEncrypted():
                socket.write(b"220 go ahead\r\n")
                socket.startServerEncryption()  # the reply above still goes out in plain text
            elif socket.isEncrypted():
                socket.write(b"250 " + line.upper() + b"\r\n")
            else:
                socket.write(b"530 say STARTTLS first\r\n")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("certs", type=Path, help="folder written by examples/make_certs.py")
    args = parser.parse_args()
    app = QCoreApplication(sys.argv)

    server_configuration = QSslConfiguration.defaultConfiguration()
    server_configuration.setLocalCertificateChain(
        QSslCertificate.fromPath(str(args.certs / "server.pem")))
    server_configuration.setPrivateKey(read_key(args.certs / "server.key"))
    server = StartTlsServer(server_configuration)
    if not server.listen(QHostAddress(QHostAddress.SpecialAddress.LocalHost), 0):
        raise SystemExit(f"cannot listen: {server.errorString()}")

    client = QSslSocket()
    client_configuration = client.sslConfiguration()
    client_configuration.setCaCertificates(QSslCertificate.fromPath(str(args.certs / "ca.pem")))
    client.setSslConfiguration(client_configuration)
    status = 1

    def on_client_line() -> None:
        nonlocal status
        while client.canReadLine():
            line = bytes(client.readLine()).strip()
            print("client got:", line.decode())
            if line.startswith(b"220 example"):
                client.write(b"STARTTLS\r\n")
            elif line.startswith(b"220 go ahead"):
                client.startClientEncryption()
            elif line.startswith(b"250 "):
                status = 0
                client.disconnectFromHost()

    def on_encrypted() -> None:
        print("client: encrypted,", client.sessionProtocol().name)
        client.write(b"hello in private\r\n")

    client.readyRead.connect(on_client_line)
    client.encrypted.connect(on_encrypted)
    client.errorOccurred.connect(lambda error: print("client error:", client.errorString()))
    client.errorOccurred.connect(app.quit)
    client.disconnected.connect(app.quit)
    QTimer.singleShot(10_000, app.quit)  # never wait for ever
    client.connectToHost("localhost", server.serverPort())
    app.exec()
    return status


if __name__ == "__main__":
    sys.exit(main())
