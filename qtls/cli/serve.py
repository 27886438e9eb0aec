"""``qtls serve``: a TLS test server on QSslServer that prints each client's handshake.

Without --cert it makes a throwaway CA and a certificate for localhost, 127.0.0.1 and ::1 (and
the --host address), so ``qtls serve --write-ca ca.pem`` and ``qtls connect localhost:4433
--cafile ca.pem`` verify each other with nothing else at hand.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Any

from qtls.cli import describe, tlsoptions
from qtls.cli.style import CommandError, Out
from qtls.QtCore import QCoreApplication, QEventLoop, QTimer
from qtls.QtNetwork import QHostAddress, QSslConfiguration, QSslError, QSslServer, QSslSocket

__all__ = ["run_serve"]

HTTP_BODY = "hello from qtls serve\n"


def _write(path: str, data: bytes) -> None:
    try:
        with open(path, "wb") as stream:
            stream.write(data)
    except OSError as error:
        raise CommandError(f"{path}: {error.strerror or error}") from None


def build_configuration(args: argparse.Namespace, out: Out) -> QSslConfiguration:
    """The server's configuration from the options; a throwaway CA when there is no --cert.
    Values only (no sockets, no loop): --workers builds it once, before forking."""
    extra = [args.write_ca, args.write_client_cert, args.write_client_key]
    if args.cert and any(extra):
        raise CommandError("--write-ca and --write-client-* need the throwaway CA (no --cert)")
    if bool(args.write_client_cert) != bool(args.write_client_key):
        raise CommandError("--write-client-cert and --write-client-key go together")
    conf = tlsoptions.configure(QSslConfiguration.defaultConfiguration(), args)
    if not args.cert:
        from qtls.cli.throwaway import ThrowawayCA

        ca = ThrowawayCA()
        names = ["localhost", "127.0.0.1", "::1"]
        if args.host not in names and args.host not in ("0.0.0.0", "::"):
            names.append(args.host)
        issued = ca.issue("localhost", names)
        conf.setLocalCertificateChain([issued.certificate])
        conf.setPrivateKey(issued.key)
        out.line(f"throwaway CA {ca.certificate.subjectDisplayName()!r} issued a "
                 f"certificate for {', '.join(names)} (ECDSA P-256, valid one day)")
        if args.write_ca:
            _write(args.write_ca, ca.certificate_pem)
            out.line(f"CA certificate written to {args.write_ca}")
        if args.write_client_cert:
            client = ca.issue("qtls client", [], client=True)
            _write(args.write_client_cert, client.certificate_pem)
            _write(args.write_client_key, client.key_pem)
            out.line(f"client certificate and key written to {args.write_client_cert}"
                     f" and {args.write_client_key}")
        if args.verify_client and not args.cafile:
            conf.setCaCertificates([ca.certificate])
    elif args.verify_client and not args.cafile:
        raise CommandError("--verify-client with --cert needs --cafile (the client CAs)")
    if args.verify_client:
        conf.setPeerVerifyMode(QSslSocket.PeerVerifyMode.VerifyPeer)
    return conf


def _announce(args: argparse.Namespace, out: Out, port: int) -> None:
    mode = "HTTP" if args.http else "echo"
    mtls = ", client certificates required" if args.verify_client else ""
    workers = f", {args.workers} worker processes" if args.workers > 1 else ""
    host = args.host if ":" not in args.host else f"[{args.host}]"
    out.line(out.paint(f"listening on {host}:{port}", "bold")
             + f" ({mode}{mtls}{workers}); Ctrl-C stops")


class Server:
    """The QSslServer, its clients and what is printed about them."""

    def __init__(self, args: argparse.Namespace, out: Out, configuration: QSslConfiguration,
                 name: str = "", server: QSslServer | None = None) -> None:
        self.args = args
        self.out = out
        self.served = 0
        self.clients: dict[int, QSslSocket] = {}
        self.next_id = 1
        # A worker of --workers is given its server by the pool, which runs the application's
        # loop: stopping means quitting that (the worker then exits, and is not restarted).
        self.pooled = server is not None
        self.loop = QEventLoop()
        self.stop_timer = QTimer()
        self.stop_timer.setSingleShot(True)
        self.server = server if server is not None else QSslServer()
        self.name = name  # "worker 2: " with --workers
        self.server.setSslConfiguration(configuration)
        self.server.pendingConnectionAvailable.connect(self._take)
        self.server.startedEncryptionHandshake.connect(self._started)
        self.server.sslErrors.connect(self._ssl_errors)
        self.server.errorOccurred.connect(self._failed)

    def listen(self) -> None:
        if not self.server.listen(QHostAddress(self.args.host), self.args.port):
            raise CommandError(f"cannot listen on {self.args.host}:{self.args.port}: "
                               f"{self.server.errorString()}", 1)
        _announce(self.args, self.out, self.server.serverPort())

    # -- clients --------------------------------------------------------------------------------

    def _label(self, sock: QSslSocket) -> str:
        number = sock.property("qtls_cli_client")
        if number is None:
            number = self.next_id
            self.next_id += 1
            sock.setProperty("qtls_cli_client", number)
        address = sock.peerAddress().toString()
        if ":" in address:
            address = f"[{address}]"
        return f"{self.name}client {number} ({address}:{sock.peerPort()})"

    def _started(self, sock: QSslSocket) -> None:
        self.out.event(f"{self._label(sock)}: handshake started")

    def _ssl_errors(self, sock: QSslSocket, errors: list[QSslError]) -> None:
        names = ", ".join(f"{e.error().name} ({e.errorString()})" for e in errors)
        self.out.event(f"{self._label(sock)}: {self.out.bad('certificate refused')}: {names}")

    def _failed(self, sock: QSslSocket, error: Any) -> None:
        self.out.event(f"{self._label(sock)}: {self.out.bad('failed')}: "
                       f"{error.name}: {sock.errorString()}")
        self._done()

    def _take(self) -> None:
        while (sock := self.server.nextPendingConnection()) is not None:
            assert isinstance(sock, QSslSocket)
            label = self._label(sock)
            self.clients[id(sock)] = sock
            cipher = sock.sessionCipher()
            conf = sock.sslConfiguration()
            alpn = bytes(conf.nextNegotiatedProtocol()).decode(errors="replace") or "-"
            peer = sock.peerCertificate()
            who = (describe.certificate(peer)["subject"] if not peer.isNull()
                   else "no client certificate")
            self.out.event(f"{label}: {self.out.ok('encrypted')} {sock.sessionProtocol().name}"
                           f", {cipher.name()}, group {sock.sessionKeyExchangeGroup() or '-'}, "
                           f"ALPN {alpn}, {who}")
            sock.readyRead.connect(lambda s=sock: self._answer(s))
            sock.disconnected.connect(lambda s=sock: self._gone(s))
            if sock.bytesAvailable():
                self._answer(sock)

    def _answer(self, sock: QSslSocket) -> None:
        if not self.args.http:
            sock.write(sock.readAll())
            return
        buffered = bytes(sock.property("qtls_cli_request") or b"") + bytes(sock.readAll())
        sock.setProperty("qtls_cli_request", buffered)
        if b"\r\n\r\n" not in buffered and b"\n\n" not in buffered:
            return
        request_line = buffered.split(b"\n", 1)[0].decode(errors="replace").strip()
        self.out.event(f"{self._label(sock)}: {request_line}")
        body = (f"{HTTP_BODY}protocol: {sock.sessionProtocol().name}\n"
                f"cipher: {sock.sessionCipher().name()}\n").encode()
        sock.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n"
                   + f"Content-Length: {len(body)}\r\n".encode()
                   + b"Connection: close\r\n\r\n" + body)
        sock.disconnectFromHost()

    def _gone(self, sock: QSslSocket) -> None:
        self.out.event(f"{self._label(sock)}: disconnected")
        self.clients.pop(id(sock), None)
        sock.deleteLater()
        self._done()

    def _done(self) -> None:
        self.served += 1
        if self.args.max_clients is not None and self.served >= self.args.max_clients:
            self.out.event(f"served {self.served} client(s): stopping (--max-clients)")
            self._stop()

    def _stop(self) -> None:
        if self.pooled:
            QCoreApplication.quit()
        else:
            self.loop.quit()

    def _time_is_up(self) -> None:
        self.out.event("time is up (--duration)")
        self._stop()

    def arm_duration(self) -> None:
        """Stop after --duration seconds, if given."""
        if self.args.duration:
            self.stop_timer.timeout.connect(self._time_is_up)
            self.stop_timer.start(int(self.args.duration * 1000))

    def run(self) -> None:
        self.arm_duration()
        try:
            self.loop.exec()
        finally:
            self.server.close()
            for sock in list(self.clients.values()):
                sock.abort()


def run_serve(args: argparse.Namespace) -> int:
    if args.max_clients is not None and args.max_clients < 1:
        raise CommandError("--max-clients must be 1 or more")
    if not 0 <= args.port < 65536:
        raise CommandError("--port must be 0-65535")
    if args.workers < 1:
        raise CommandError("--workers must be 1 or more")
    if QHostAddress(args.host).isNull():
        raise CommandError(f"--host: not an IP address: {args.host!r}")
    out = Out()
    configuration = build_configuration(args, out)
    if args.workers > 1:
        return _run_workers(args, out, configuration)
    QCoreApplication.instance() or QCoreApplication([])
    server = Server(args, out, configuration)
    server.listen()
    server.run()
    return 0


# -- several processes on one port ----------------------------------------------------------
#
# qtls.prefork.WorkerPool opens the port, makes the TLS context before forking (so every worker
# encrypts session tickets with the same keys, and a client resumes on any), forks the
# workers, restarts one that dies, and stops them all on SIGTERM or Ctrl-C. Each worker's
# QSslServer is set up here, in serve(), and prints its lines with its number.


class _PoolLog(logging.Handler):
    """The pool's warnings (a worker died and is restarted) as ``qtls serve:`` lines on
    stderr, without the traceback a library user would want."""

    def emit(self, record: logging.LogRecord) -> None:
        print(f"qtls serve: {record.getMessage()}", file=sys.stderr, flush=True)


def _run_workers(args: argparse.Namespace, out: Out, configuration: QSslConfiguration) -> int:
    from qtls.prefork import WorkerPool

    try:
        pool = WorkerPool(configuration, host=args.host, port=args.port, workers=args.workers,
                          reuse_port=args.reuse_port)
    except OSError as error:
        raise CommandError(f"cannot listen on {args.host}:{args.port}: "
                           f"{error.strerror or error}", 1) from None

    def serve(server: QSslServer, number: int) -> Server:
        worker = Server(args, out, configuration, name=f"worker {number}: ", server=server)
        worker.arm_duration()
        out.event(f"worker {number} (pid {os.getpid()}) serving")
        return worker

    log = logging.getLogger("qtls.prefork")
    handler = _PoolLog(logging.WARNING)
    log.addHandler(handler)
    log.propagate = False
    try:
        # Announced once every worker serves: with --reuse-port the port refuses connections
        # until then.
        return pool.run(serve, ready=lambda: _announce(args, out, pool.port))
    finally:
        log.removeHandler(handler)
        log.propagate = True
