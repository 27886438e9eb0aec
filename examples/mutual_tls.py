"""Mutual TLS: a QSslServer that requires a client certificate from its CA, and a client that
presents one, in one program over 127.0.0.1.

    python examples/mutual_tls.py certs/

Then the same client without its certificate, to show the refusal. Exits 0 when the first
client was accepted (and the server saw who it was) and the second one refused.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from qtls.QtCore import QCoreApplication, QEventLoop, QTimer
from qtls.QtNetwork import (
    QHostAddress,
    QSsl,
    QSslCertificate,
    QSslConfiguration,
    QSslKey,
    QSslServer,
    QSslSocket,
)


def read_key(path: Path) -> QSslKey:
    """The private key in a PEM file, whatever its algorithm."""
    data = path.read_bytes()
    for algorithm in (QSsl.KeyAlgorithm.Rsa, QSsl.KeyAlgorithm.Ec, QSsl.KeyAlgorithm.Dsa):
        key = QSslKey(data, algorithm)
        if not key.isNull():
            return key
    raise SystemExit(f"{path}: no RSA, EC or DSA private key that QSslKey can read")


def run_client(port: int, certs: Path, with_certificate: bool) -> bool:
    """Connect, send a line, wait for the echo: True when it came back."""
    client = QSslSocket()
    configuration = client.sslConfiguration()
    configuration.setCaCertificates(QSslCertificate.fromPath(str(certs / "ca.pem")))
    if with_certificate:
        configuration.setLocalCertificateChain(
            QSslCertificate.fromPath(str(certs / "client.pem")))
        configuration.setPrivateKey(read_key(certs / "client.key"))
    client.setSslConfiguration(configuration)

    loop = QEventLoop()
    echoed: list[bytes] = []

    def on_ready_read() -> None:
        echoed.append(bytes(client.readAll()))
        print("  client got:", echoed[-1].decode())
        loop.quit()

    client.encrypted.connect(lambda: client.write(b"who am I?\n"))
    client.readyRead.connect(on_ready_read)
    client.disconnected.connect(loop.quit)
    client.errorOccurred.connect(lambda error: print("  client:", client.errorString()))
    QTimer.singleShot(5000, loop.quit)
    client.connectToHostEncrypted("localhost", port)
    loop.exec()
    client.abort()
    return bool(echoed)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("certs", type=Path, help="folder written by examples/make_certs.py")
    args = parser.parse_args()
    QCoreApplication(sys.argv)

    configuration = QSslConfiguration.defaultConfiguration()
    configuration.setLocalCertificateChain(QSslCertificate.fromPath(str(args.certs / "server.pem")))
    configuration.setPrivateKey(read_key(args.certs / "server.key"))
    configuration.setPeerVerifyMode(QSslSocket.PeerVerifyMode.VerifyPeer)  # require one
    configuration.setCaCertificates(QSslCertificate.fromPath(str(args.certs / "ca.pem")))
    server = QSslServer()
    server.setSslConfiguration(configuration)
    if not server.listen(QHostAddress(QHostAddress.SpecialAddress.LocalHost), 0):
        raise SystemExit(f"cannot listen: {server.errorString()}")

    def on_pending_connection() -> None:
        while (peer := server.nextPendingConnection()) is not None:
            assert isinstance(peer, QSslSocket)  # QSslServer hands out QSslSockets
            names = peer.peerCertificate().subjectInfo(QSslCertificate.SubjectInfo.CommonName)
            print("  server: accepted", names)
            answer = b"you are " + ", ".join(names).encode()
            peer.readyRead.connect(lambda p=peer, a=answer: p.write(a))

    server.pendingConnectionAvailable.connect(on_pending_connection)
    server.errorOccurred.connect(
        lambda peer, error: print("  server: refused,", peer.errorString()))

    print("client with its certificate:")
    accepted = run_client(server.serverPort(), args.certs, with_certificate=True)
    print("client without a certificate:")
    refused = not run_client(server.serverPort(), args.certs, with_certificate=False)
    print("accepted:", accepted, "refused:", refused)
    return 0 if accepted and refused else 1


if __name__ == "__main__":
    sys.exit(main())
