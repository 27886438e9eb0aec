"""The classic TLS server, from before QSslServer: a QTcpServer subclass whose
incomingConnection() wraps each descriptor in a QSslSocket and calls startServerEncryption().

    python examples/tcpserver.py certs/server.pem certs/server.key 4433

Useful when the server must decide per connection (another certificate, plain text first): see
examples/starttls.py. Echoes each line in upper case. --clients N stops it after N clients.
"""

from __future__ import annotations

import argparse
import sys

from qtls.QtCore import QCoreApplication
from qtls.QtNetwork import (
    QHostAddress,
    QSsl,
    QSslCertificate,
    QSslConfiguration,
    QSslKey,
    QSslSocket,
    QTcpServer,
)


def read_key(path: str) -> QSslKey:
    """The private key in a PEM file, whatever its algorithm."""
    with open(path, "rb") as stream:
        data = stream.read()
    for algorithm in (QSsl.KeyAlgorithm.Rsa, QSsl.KeyAlgorithm.Ec, QSsl.KeyAlgorithm.Dsa):
        key = QSslKey(data, algorithm)
        if not key.isNull():
            return key
    raise SystemExit(f"{path}: no RSA, EC or DSA private key that QSslKey can read")


class TlsServer(QTcpServer):
    """Each accepted connection becomes a QSslSocket in server mode."""

    def __init__(self, configuration: QSslConfiguration, clients: int | None) -> None:
        super().__init__()
        self.configuration = configuration
        self.clients_left = clients

    def incomingConnection(self, handle: int) -> None:
        socket = QSslSocket(self)
        if not socket.setSocketDescriptor(handle):
            socket.deleteLater()
            return
        socket.setSslConfiguration(self.configuration)
        socket.encrypted.connect(lambda: print("encrypted:", socket.sessionProtocol().name,
                                               flush=True))
        socket.sslErrors.connect(lambda errors: print("errors:", errors, flush=True))
        socket.readyRead.connect(lambda: self.echo(socket))
        socket.disconnected.connect(lambda: self.finished(socket))
        socket.startServerEncryption()

    def echo(self, socket: QSslSocket) -> None:
        while socket.canReadLine():
            socket.write(bytes(socket.readLine()).upper())

    def finished(self, socket: QSslSocket) -> None:
        socket.deleteLater()
        if self.clients_left is not None:
            self.clients_left -= 1
            if self.clients_left <= 0:
                QCoreApplication.quit()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("certificate")
    parser.add_argument("key")
    parser.add_argument("port", type=int, nargs="?", default=4433, help="0: any free port")
    parser.add_argument("--clients", type=int, help="stop after this many clients")
    args = parser.parse_args()

    app = QCoreApplication(sys.argv)
    configuration = QSslConfiguration.defaultConfiguration()
    configuration.setLocalCertificateChain(QSslCertificate.fromPath(args.certificate))
    configuration.setPrivateKey(read_key(args.key))
    server = TlsServer(configuration, args.clients)
    if not server.listen(QHostAddress(QHostAddress.SpecialAddress.LocalHost), args.port):
        raise SystemExit(f"cannot listen: {server.errorString()}")
    print(f"listening on 127.0.0.1:{server.serverPort()}", flush=True)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
