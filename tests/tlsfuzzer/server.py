"""The servers tlsfuzzer's scripts are run against: qtls (or PyQt6) QSslServer, or bare pyOpenSSL.

``python -m tests.tlsfuzzer.server {qtls,pyqt6,bare} --port P --cert C --key K`` listens on
127.0.0.1:P and prints ``ready`` once it does. Every connection is answered the way the
scripts expect of ``openssl s_server -www``: once a request ends (an empty line after
``GET / HTTP/1.0``), a short HTTP response, then close_notify and the TCP close.

* ``qtls`` and ``pyqt6``: a QSslServer with the default configuration, the certificate and key,
  and ``VerifyNone`` (Qt's server asks for a client certificate by default, which the scripts
  do not send). The two differ only in the module they import.
* ``bare``: pyOpenSSL on the same OpenSSL (cryptography's), a thread per connection, TLS 1.2
  and 1.3 like Qt's ``SecureProtocols``, the same certificate and key, the same 5 s handshake
  timeout as QSslServer's default; nothing else set.

The process stops by itself after ``--lifetime`` seconds (the runner kills it earlier).
"""

from __future__ import annotations

import argparse
import importlib
import socket
import struct
import sys
import threading
import time
from typing import Any

RESPONSE = (b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n"
            b"Connection: close\r\n\r\nok\n")
HANDSHAKE_TIMEOUT_S = 5.0


def request_complete(data: bytes | bytearray) -> bool:
    """True once ``data`` holds a whole request head (the scripts end it with \\n\\n or \\r\\n\\r\\n)."""
    return b"\n\n" in data or b"\n\r\n" in data


def serve_qt(namespace: str, port: int, cert_path: str, key_path: str, lifetime: float) -> None:
    """A QSslServer of ``namespace`` (``qtls`` or ``PyQt6``) answering every request."""
    core = importlib.import_module(f"{namespace}.QtCore")
    net = importlib.import_module(f"{namespace}.QtNetwork")
    app = core.QCoreApplication([]) if namespace == "PyQt6" else core.QCoreApplication.instance() \
        or core.QCoreApplication([])
    with open(cert_path, "rb") as f:
        cert = net.QSslCertificate(f.read())
    with open(key_path, "rb") as f:
        pem = f.read()
    for algorithm in (net.QSsl.KeyAlgorithm.Rsa, net.QSsl.KeyAlgorithm.Ec):
        key = net.QSslKey(pem, algorithm)
        if not key.isNull():
            break
    if cert.isNull() or key.isNull():
        raise SystemExit("the certificate or key did not load")
    config = net.QSslConfiguration.defaultConfiguration()
    config.setLocalCertificate(cert)
    config.setPrivateKey(key)
    config.setPeerVerifyMode(net.QSslSocket.PeerVerifyMode.VerifyNone)
    server = net.QSslServer()
    server.setSslConfiguration(config)
    buffers: dict[int, bytearray] = {}

    def on_ready_read(sock: Any) -> None:
        buffer = buffers.setdefault(id(sock), bytearray())
        buffer += bytes(sock.readAll())
        if request_complete(buffer) and not buffer.startswith(b"\0done"):
            buffers[id(sock)] = bytearray(b"\0done")
            sock.write(RESPONSE)
            sock.disconnectFromHost()

    def on_pending() -> None:
        while server.hasPendingConnections():
            sock = server.nextPendingConnection()
            sock.readyRead.connect(lambda s=sock: on_ready_read(s))
            sock.disconnected.connect(sock.deleteLater)
            sock.disconnected.connect(lambda s=sock: buffers.pop(id(s), None))
            if sock.bytesAvailable():
                on_ready_read(sock)

    server.pendingConnectionAvailable.connect(on_pending)
    if not server.listen(net.QHostAddress(net.QHostAddress.SpecialAddress.LocalHost), port):
        raise SystemExit(f"listen failed: {server.errorString()}")
    core.QTimer.singleShot(int(lifetime * 1000), app.quit)
    print("ready", flush=True)
    app.exec()


def serve_bare(port: int, cert_path: str, key_path: str, lifetime: float,
               timeout: float = HANDSHAKE_TIMEOUT_S) -> None:
    """pyOpenSSL with the same certificate, blocking sockets, a thread per connection."""
    from OpenSSL import SSL

    context = SSL.Context(SSL.TLS_METHOD)
    context.set_min_proto_version(SSL.TLS1_2_VERSION)
    context.use_certificate_file(cert_path)
    context.use_privatekey_file(key_path)
    listener = socket.create_server(("127.0.0.1", port))
    listener.settimeout(0.5)

    def handle(raw: socket.socket) -> None:
        # A blocking socket with a receive timeout (settimeout would make the descriptor
        # non-blocking, and OpenSSL would then see WANT_READ at once).
        if timeout > 0:
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO,
                           struct.pack("ll", int(timeout), int(timeout % 1 * 1e6)))
        conn = SSL.Connection(context, raw)
        conn.set_accept_state()
        try:
            conn.do_handshake()
            data = bytearray()
            while not request_complete(data):
                chunk = conn.recv(16384)
                if not chunk:
                    break
                data += chunk
            else:
                conn.sendall(RESPONSE)
            conn.shutdown()
        except (SSL.Error, OSError):
            pass  # the alert OpenSSL made (if any) was written by do_handshake/recv already
        finally:
            raw.close()

    print("ready", flush=True)
    deadline = time.monotonic() + lifetime
    while time.monotonic() < deadline:
        try:
            raw, _ = listener.accept()
        except TimeoutError:
            continue
        threading.Thread(target=handle, args=(raw,), daemon=True).start()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("impl", choices=["qtls", "pyqt6", "bare"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--lifetime", type=float, default=3600.0)
    parser.add_argument("--timeout", type=float, default=HANDSHAKE_TIMEOUT_S,
                        help="bare: seconds a read may wait (0: forever, as s_server)")
    args = parser.parse_args(argv)
    if args.impl == "bare":
        serve_bare(args.port, args.cert, args.key, args.lifetime, args.timeout)
    else:
        namespace = "PyQt6" if args.impl == "pyqt6" else "qtls"
        serve_qt(namespace, args.port, args.cert, args.key, args.lifetime)


if __name__ == "__main__":
    main(sys.argv[1:])
