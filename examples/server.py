"""A TLS echo server on QSslServer: it hands over connections that are already encrypted.

    python examples/make_certs.py certs/
    python examples/server.py certs/server.pem certs/server.key 4433

then, in another terminal, `python examples/client.py localhost 4433 --cafile certs/ca.pem`
or `qtls connect localhost:4433 --cafile certs/ca.pem -`. The key may be RSA, EC or DSA: the
file is read with each algorithm in turn (QSslKey needs to be told which). Ctrl-C stops it;
--clients N stops it after N clients.
"""

from __future__ import annotations

import argparse
import signal
import sys

from qtls.QtCore import QCoreApplication
from qtls.QtNetwork import (
    QHostAddress,
    QSsl,
    QSslCertificate,
    QSslConfiguration,
    QSslKey,
    QSslServer,
    QSslSocket,
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


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("certificate", help="the server's certificate chain (PEM, leaf first)")
    parser.add_argument("key", help="its private key (PEM)")
    parser.add_argument("port", type=int, nargs="?", default=4433, help="0: any free port")
    parser.add_argument("--clients", type=int, help="stop after this many clients")
    args = parser.parse_args()

    app = QCoreApplication(sys.argv)
    signal.signal(signal.SIGINT, lambda *_: app.quit())

    configuration = QSslConfiguration.defaultConfiguration()
    chain = QSslCertificate.fromPath(args.certificate)
    if not chain:
        raise SystemExit(f"{args.certificate}: no certificate")
    configuration.setLocalCertificateChain(chain)
    configuration.setPrivateKey(read_key(args.key))

    server = QSslServer()
    server.setSslConfiguration(configuration)
    if not server.listen(QHostAddress(QHostAddress.SpecialAddress.LocalHost), args.port):
        raise SystemExit(f"cannot listen: {server.errorString()}")
    print(f"listening on 127.0.0.1:{server.serverPort()}", flush=True)

    served = 0

    def on_disconnected(client: QSslSocket) -> None:
        nonlocal served
        served += 1
        client.deleteLater()
        if args.clients is not None and served >= args.clients:
            app.quit()

    def on_pending_connection() -> None:
        while (client := server.nextPendingConnection()) is not None:
            assert isinstance(client, QSslSocket)  # QSslServer hands out QSslSockets
            print("client from", client.peerAddress().toString(), "using",
                  client.sessionProtocol().name, flush=True)
            client.readyRead.connect(lambda c=client: c.write(c.readAll()))  # echo
            client.disconnected.connect(lambda c=client: on_disconnected(c))

    server.pendingConnectionAvailable.connect(on_pending_connection)
    server.errorOccurred.connect(
        lambda client, error: print("handshake failed:", client.errorString(), flush=True))
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
