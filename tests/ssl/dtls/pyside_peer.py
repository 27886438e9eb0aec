"""A DTLS peer on PySide6's QDtls (Qt's own implementation), run as a separate process by
test_pyside6_interop.py: ``server CERT KEY`` (prints "listening on PORT", echoes upper-cased,
exits after one client shut down), ``client PORT CAFILE MESSAGE`` (prints "echo: ...") or
``errors`` (error_script.py's calls on Qt's classes, as JSON)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtNetwork import (
    QDtls,
    QDtlsClientVerifier,
    QHostAddress,
    QSsl,
    QSslCertificate,
    QSslConfiguration,
    QSslKey,
    QSslSocket,
    QUdpSocket,
)

LOCALHOST = QHostAddress("127.0.0.1")


def server(cert: str, key: str) -> int:
    app = QCoreApplication([])
    config = QSslConfiguration.defaultDtlsConfiguration()
    config.setLocalCertificateChain(QSslCertificate.fromPath(cert))
    with open(key, "rb") as stream:
        config.setPrivateKey(QSslKey(stream.read(), QSsl.KeyAlgorithm.Ec))
    config.setPeerVerifyMode(QSslSocket.PeerVerifyMode.VerifyNone)
    sock = QUdpSocket()
    sock.bind(LOCALHOST, 0)
    print(f"listening on {sock.localPort()}", flush=True)
    verifier = QDtlsClientVerifier()
    peers: dict[tuple[str, int], QDtls] = {}

    def on_ready_read() -> None:
        while sock.hasPendingDatagrams():
            datagram = sock.receiveDatagram()
            address, port, data = datagram.senderAddress(), datagram.senderPort(), datagram.data()
            key = (address.toString(), port)
            dtls = peers.get(key)
            if dtls is None:
                if verifier.verifyClient(sock, data, address, port):
                    dtls = QDtls(QSslSocket.SslMode.SslServerMode)
                    dtls.setDtlsConfiguration(config)
                    dtls.setPeer(address, port)
                    dtls.doHandshake(sock, verifier.verifiedHello())
                    peers[key] = dtls
            elif dtls.isConnectionEncrypted():
                message = dtls.decryptDatagram(sock, data)
                if message.size():
                    dtls.writeDatagramEncrypted(sock, message.toUpper())
                if dtls.handshakeState() == QDtls.HandshakeState.HandshakeNotStarted:
                    print("peer shut down", flush=True)
                    app.quit()
            elif not dtls.doHandshake(sock, data):
                print("handshake failed:", dtls.dtlsErrorString(), flush=True)

    sock.readyRead.connect(on_ready_read)
    QTimer.singleShot(20000, app.quit)
    app.exec()
    return 0


def client(port: int, cafile: str, message: str) -> int:
    app = QCoreApplication([])
    config = QSslConfiguration.defaultDtlsConfiguration()
    config.setCaCertificates(QSslCertificate.fromPath(cafile))
    sock = QUdpSocket()
    sock.bind(LOCALHOST, 0)
    dtls = QDtls(QSslSocket.SslMode.SslClientMode)
    dtls.setDtlsConfiguration(config)
    dtls.setPeer(LOCALHOST, port, "localhost")
    dtls.handshakeTimeout.connect(lambda: dtls.handleTimeout(sock))
    status = [2]

    def on_ready_read() -> None:
        while sock.hasPendingDatagrams():
            data = sock.receiveDatagram().data()
            if dtls.handshakeState() == QDtls.HandshakeState.HandshakeInProgress:
                if not dtls.doHandshake(sock, data):
                    print("handshake failed:", dtls.dtlsErrorString(), flush=True)
                    status[0] = 1
                    app.quit()
                elif dtls.isConnectionEncrypted():
                    print("encrypted", dtls.sessionCipher().name(), flush=True)
                    dtls.writeDatagramEncrypted(sock, message.encode())
            elif dtls.isConnectionEncrypted():
                reply = dtls.decryptDatagram(sock, data)
                if reply.size():
                    print("echo:", bytes(reply.data()).decode(), flush=True)
                    dtls.shutdown(sock)
                    status[0] = 0
                    app.quit()

    sock.readyRead.connect(on_ready_read)
    dtls.doHandshake(sock)
    QTimer.singleShot(15000, app.quit)
    app.exec()
    return status[0]


def errors() -> int:
    import json
    import os

    from PySide6 import QtNetwork

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from error_script import error_script

    _app = QCoreApplication([])
    print(json.dumps(error_script(QtNetwork)))
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "errors":
        sys.exit(errors())
    if sys.argv[1] == "server":
        sys.exit(server(sys.argv[2], sys.argv[3]))
    sys.exit(client(int(sys.argv[2]), sys.argv[3], sys.argv[4]))
