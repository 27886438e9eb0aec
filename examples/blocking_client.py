"""A blocking TLS client: no event loop, just Qt's waitFor* calls (usable in any thread).

    python examples/blocking_client.py localhost 4433 --cafile certs/ca.pem

Sends an HTTP/1.0 request and prints the answer; try it against `qtls serve --http
--write-ca certs/ca.pem`. Exits with 1 when the connection or the verification fails.
"""

from __future__ import annotations

import argparse
import sys

from qtls.QtNetwork import QSslCertificate, QSslSocket

TIMEOUT_MS = 5000


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    parser.add_argument("--cafile", help="trust this CA (PEM) instead of the system's")
    args = parser.parse_args()

    socket = QSslSocket()
    if args.cafile:
        configuration = socket.sslConfiguration()
        configuration.setCaCertificates(QSslCertificate.fromPath(args.cafile))
        socket.setSslConfiguration(configuration)

    socket.connectToHostEncrypted(args.host, args.port)
    if not socket.waitForEncrypted(TIMEOUT_MS):
        print("failed:", socket.errorString(), file=sys.stderr)
        for error in socket.sslHandshakeErrors():
            print(f"  {error.error().name}: {error.errorString()}", file=sys.stderr)
        return 1
    print("encrypted:", socket.sessionProtocol().name, socket.sessionCipher().name())

    socket.write(f"GET / HTTP/1.0\r\nHost: {args.host}\r\n\r\n".encode())
    answer = b""
    while socket.waitForReadyRead(TIMEOUT_MS):  # False once the server has closed
        answer += bytes(socket.readAll())
    answer += bytes(socket.readAll())
    print(answer.decode(errors="replace"))
    socket.disconnectFromHost()
    return 0


if __name__ == "__main__":
    sys.exit(main())
