"""A DTLS echo server and client on QUdpSocket + QDtls (the shape of Qt's DTLS examples).

    python examples/make_certs.py certs/
    python examples/dtls_echo.py server certs/server.pem certs/server.key 4433

then, in another terminal, `python examples/dtls_echo.py client localhost 4433 --cafile
certs/ca.pem -m hello -m world` (each message is one datagram; the server sends each back). Ctrl-C
stops the server; --clients N stops it after N clients said goodbye (shutdown()).

The server reads every datagram itself and demultiplexes by sender: an unknown sender's first
datagram goes to QDtlsClientVerifier (cookies: nothing is kept for a client that cannot answer
at its address), a verified one gets its own QDtls. The client answers handshakeTimeout() with
handleTimeout(), which resends its last flight when a datagram was lost.
"""

from __future__ import annotations

import argparse
import signal
import sys

from qtls.QtCore import QCoreApplication, QTimer
from qtls.QtNetwork import (
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


def read_key(path: str) -> QSslKey:
    """The private key in a PEM file, whatever its algorithm."""
    with open(path, "rb") as stream:
        data = stream.read()
    for algorithm in (QSsl.KeyAlgorithm.Rsa, QSsl.KeyAlgorithm.Ec, QSsl.KeyAlgorithm.Dsa):
        key = QSslKey(data, algorithm)
        if not key.isNull():
            return key
    raise SystemExit(f"{path}: no RSA, EC or DSA private key that QSslKey can read")


def serve(args: argparse.Namespace, app: QCoreApplication) -> int:
    configuration = QSslConfiguration.defaultDtlsConfiguration()
    chain = QSslCertificate.fromPath(args.certificate)
    if not chain:
        raise SystemExit(f"{args.certificate}: no certificate")
    configuration.setLocalCertificateChain(chain)
    configuration.setPrivateKey(read_key(args.key))
    configuration.setPeerVerifyMode(QSslSocket.PeerVerifyMode.VerifyNone)

    socket = QUdpSocket()
    if not socket.bind(QHostAddress(QHostAddress.SpecialAddress.LocalHost), args.port):
        raise SystemExit(f"cannot bind: {socket.errorString()}")
    print(f"listening on 127.0.0.1:{socket.localPort()}", flush=True)
    verifier = QDtlsClientVerifier()
    peers: dict[tuple[str, int], QDtls] = {}
    finished = 0

    def on_ready_read() -> None:
        nonlocal finished
        while socket.hasPendingDatagrams():
            datagram = socket.receiveDatagram()
            address, port = datagram.senderAddress(), datagram.senderPort()
            data = datagram.data()
            key = (address.toString(), port)
            dtls = peers.get(key)
            if dtls is None:
                # Unknown sender: only a ClientHello with our cookie starts a connection.
                if not verifier.verifyClient(socket, data, address, port):
                    continue
                dtls = QDtls(QSslSocket.SslMode.SslServerMode)
                dtls.setDtlsConfiguration(configuration)
                dtls.setPeer(address, port)
                if dtls.doHandshake(socket, verifier.verifiedHello()):
                    peers[key] = dtls
                else:
                    print("handshake failed:", dtls.dtlsErrorString(), flush=True)
            elif dtls.isConnectionEncrypted():
                message = dtls.decryptDatagram(socket, data)
                if not message.isEmpty():
                    dtls.writeDatagramEncrypted(socket, message)
                if dtls.handshakeState() is QDtls.HandshakeState.HandshakeNotStarted:
                    print(f"{key[0]}:{key[1]} said goodbye", flush=True)
                    del peers[key]
                    finished += 1
                    if args.clients is not None and finished >= args.clients:
                        app.quit()
            elif not dtls.doHandshake(socket, data):
                print("handshake failed:", dtls.dtlsErrorString(), flush=True)
                del peers[key]
            elif dtls.isConnectionEncrypted():
                print(f"{key[0]}:{key[1]} connected with {dtls.sessionCipher().name()}",
                      flush=True)

    socket.readyRead.connect(on_ready_read)
    return app.exec()


def run_client(args: argparse.Namespace, app: QCoreApplication) -> int:
    configuration = QSslConfiguration.defaultDtlsConfiguration()
    if args.cafile:
        configuration.setCaCertificates(QSslCertificate.fromPath(args.cafile))
    address = QHostAddress("127.0.0.1" if args.host == "localhost" else args.host)
    socket = QUdpSocket()
    socket.bind(QHostAddress(QHostAddress.SpecialAddress.LocalHost), 0)
    dtls = QDtls(QSslSocket.SslMode.SslClientMode)
    dtls.setDtlsConfiguration(configuration)
    dtls.setPeer(address, args.port, args.host)
    waiting = list(args.messages or ["hello over DTLS"])
    status = 1

    def finish(code: int) -> None:
        nonlocal status
        status = code
        app.quit()

    def on_ready_read() -> None:
        while socket.hasPendingDatagrams():
            data = socket.receiveDatagram().data()
            if dtls.handshakeState() is QDtls.HandshakeState.HandshakeInProgress:
                if not dtls.doHandshake(socket, data):
                    print("handshake failed:", dtls.dtlsErrorString(), flush=True)
                    for error in dtls.peerVerificationErrors():
                        print("  ", error.errorString(), flush=True)
                    finish(1)
                elif dtls.isConnectionEncrypted():
                    print("encrypted with", dtls.sessionCipher().name(), flush=True)
                    for message in waiting:
                        dtls.writeDatagramEncrypted(socket, message.encode())
            elif dtls.isConnectionEncrypted():
                reply = dtls.decryptDatagram(socket, data)
                if reply.isEmpty():
                    continue
                print("echo:", bytes(reply).decode(), flush=True)
                waiting.remove(bytes(reply).decode())
                if not waiting:
                    dtls.shutdown(socket)
                    finish(0)

    socket.readyRead.connect(on_ready_read)
    dtls.handshakeTimeout.connect(lambda: dtls.handleTimeout(socket))
    if not dtls.doHandshake(socket):
        raise SystemExit(f"cannot start: {dtls.dtlsErrorString()}")
    QTimer.singleShot(args.timeout * 1000, lambda: finish(2))
    app.exec()
    return status


def main() -> int:
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    server = commands.add_parser("server", help="a DTLS echo server")
    server.add_argument("certificate", help="the server's certificate chain (PEM, leaf first)")
    server.add_argument("key", help="its private key (PEM)")
    server.add_argument("port", type=int, nargs="?", default=4433, help="0: any free port")
    server.add_argument("--clients", type=int, help="stop after this many clients")
    client = commands.add_parser("client", help="send datagrams and print the echoes")
    client.add_argument("host", help="localhost or an IP address")
    client.add_argument("port", type=int)
    client.add_argument("-m", "--message", dest="messages", action="append",
                        help="a datagram to send (repeat for more; default: hello over DTLS)")
    client.add_argument("--cafile", help="CA certificates to trust (PEM)")
    client.add_argument("--timeout", type=int, default=10, help="give up after this many seconds")
    args = parser.parse_args()

    app = QCoreApplication(sys.argv)
    signal.signal(signal.SIGINT, lambda *_: app.quit())
    return serve(args, app) if args.command == "server" else run_client(args, app)


if __name__ == "__main__":
    sys.exit(main())
