"""An event-driven TLS client: signals and slots on a running event loop, as in a Qt program.

    python examples/client.py localhost 4433 --cafile certs/ca.pem

Sends one line, prints what comes back, and quits. It quits on every way a connection can end:
the answer, an error (errorOccurred: refused, unreachable, a failed verification) and a timeout.
Works against `qtls serve --write-ca certs/ca.pem` (an echo server) or examples/server.py.
"""

from __future__ import annotations

import argparse
import sys

from qtls.QtCore import QCoreApplication, QTimer
from qtls.QtNetwork import QSslCertificate, QSslSocket


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    parser.add_argument("--cafile", help="trust this CA (PEM) instead of the system's")
    args = parser.parse_args()

    app = QCoreApplication(sys.argv)
    socket = QSslSocket()
    if args.cafile:
        configuration = socket.sslConfiguration()
        configuration.setCaCertificates(QSslCertificate.fromPath(args.cafile))
        socket.setSslConfiguration(configuration)

    def on_encrypted() -> None:
        print("encrypted with", socket.sessionCipher().name())
        socket.write(b"hello over TLS\n")

    def on_ready_read() -> None:
        if socket.canReadLine():
            print("received:", bytes(socket.readLine()).decode().rstrip())
            socket.disconnectFromHost()

    def on_ssl_errors(errors: list) -> None:
        for error in errors:  # not ignored, so the handshake fails after this slot
            print(f"verification error {error.error().name}: {error.errorString()}")

    status = 0

    def on_error(error: object) -> None:
        nonlocal status
        if error == QSslSocket.SocketError.RemoteHostClosedError:
            return  # the server closed first: disconnected() follows and ends the program
        print("error:", socket.errorString())
        status = 1
        app.exit(status)

    def on_timeout() -> None:
        print("timed out")
        app.exit(1)

    socket.encrypted.connect(on_encrypted)
    socket.readyRead.connect(on_ready_read)
    socket.sslErrors.connect(on_ssl_errors)
    socket.errorOccurred.connect(on_error)
    socket.disconnected.connect(lambda: app.exit(status))
    QTimer.singleShot(10_000, on_timeout)

    socket.connectToHostEncrypted(args.host, args.port)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
