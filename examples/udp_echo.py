"""A UDP echo server (event-driven) and client (blocking), on QUdpSocket and QNetworkDatagram.

    python examples/udp_echo.py server [--port 4433] [--datagrams N]
    python examples/udp_echo.py client 127.0.0.1 4433 hello world

The server binds 127.0.0.1, prints "listening on 127.0.0.1:PORT" and answers every datagram
with the same bytes in upper case, through ``makeReply()`` (so the answer goes back to the
sender's address and port, from the address the request came to). It reads in its readyRead
slot until no datagram is left, as a UDP server should: readyRead is not emitted again for
datagrams that were already announced. ``--datagrams N`` stops it after N datagrams.

The client binds to the wildcard address of the server's family, sends each word as one
datagram and waits for each answer with
``waitForReadyRead()``: no event loop is needed. It exits 0 when every answer came back, 1
when one did not within two seconds (UDP does not say whether anybody listens).
"""

from __future__ import annotations

import argparse
import sys

from qtls.QtCore import QCoreApplication
from qtls.QtNetwork import QAbstractSocket, QHostAddress, QUdpSocket

TIMEOUT_MS = 2000


def serve(port: int, datagrams: int | None) -> int:
    app = QCoreApplication(sys.argv)
    sock = QUdpSocket()
    if not sock.bind(QHostAddress(QHostAddress.SpecialAddress.LocalHost), port):
        print("error:", sock.errorString(), flush=True)
        return 1
    print(f"listening on 127.0.0.1:{sock.localPort()}", flush=True)
    left = [datagrams]

    def answer() -> None:
        while sock.hasPendingDatagrams():
            request = sock.receiveDatagram()
            payload = bytes(request.data())
            print(f"from {request.senderAddress().toString()}:{request.senderPort()}: "
                  f"{payload.decode(errors='replace')}", flush=True)
            sock.writeDatagram(request.makeReply(payload.upper()))
            if left[0] is not None:
                left[0] -= 1
                if left[0] <= 0:
                    app.quit()
                    return

    sock.readyRead.connect(answer)
    return app.exec()


def ask(host: str, port: int, words: list[str]) -> int:
    sock = QUdpSocket()
    address = QHostAddress(host)
    if address.isNull():
        print(f"error: {host} is not an IP address", flush=True)
        return 1
    # Bound to the wildcard of the server's family: an unbound socket would bind to Any (dual
    # stack) on its first writeDatagram and see IPv4 senders as ::ffff:a.b.c.d.
    ipv4 = address.protocol() is QAbstractSocket.NetworkLayerProtocol.IPv4Protocol
    wildcard = QHostAddress.SpecialAddress.AnyIPv4 if ipv4 else QHostAddress.SpecialAddress.AnyIPv6
    if not sock.bind(QHostAddress(wildcard), 0):
        print("error:", sock.errorString(), flush=True)
        return 1
    for word in words:
        if sock.writeDatagram(word.encode(), address, port) < 0:
            print("error:", sock.errorString(), flush=True)
            return 1
        if not sock.waitForReadyRead(TIMEOUT_MS):
            print(f"error: no answer to {word!r} ({sock.errorString()})", flush=True)
            return 1
        data, sender, sender_port = sock.readDatagram(sock.pendingDatagramSize())
        print(f"received: {(data or b'').decode(errors='replace')} "
              f"(from {sender.toString()}:{sender_port})", flush=True)
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    roles = parser.add_subparsers(dest="role", required=True)
    server = roles.add_parser("server", help="answer datagrams in upper case")
    server.add_argument("--port", type=int, default=0, help="0: any free port (printed)")
    server.add_argument("--datagrams", type=int, help="stop after this many datagrams")
    client = roles.add_parser("client", help="send words, print the answers")
    client.add_argument("host")
    client.add_argument("port", type=int)
    client.add_argument("words", nargs="+")
    args = parser.parse_args(argv)
    if args.role == "server":
        return serve(args.port, args.datagrams)
    return ask(args.host, args.port, args.words)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
