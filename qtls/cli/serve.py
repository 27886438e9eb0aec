"""``qtls serve``: a TLS test server on QSslServer that prints each client's handshake.

Without --cert it makes a throwaway CA and a certificate for localhost, 127.0.0.1 and ::1 (and
the --host address), so ``qtls serve --write-ca ca.pem`` and ``qtls connect localhost:4433
--cafile ca.pem`` verify each other with nothing else at hand.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import sys
from typing import Any

from qtls.cli import describe, tlsoptions
from qtls.cli.style import CommandError, Out
from qtls.core.dispatch import thread_loop
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
                 name: str = "") -> None:
        self.args = args
        self.out = out
        self.served = 0
        self.clients: dict[int, QSslSocket] = {}
        self.next_id = 1
        self.loop = QEventLoop()
        self.server = QSslServer()
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

    def adopt(self, descriptor: int) -> None:
        """Serve on a listening socket opened elsewhere (--workers: one shared by all)."""
        if not self.server.setSocketDescriptor(descriptor):
            raise CommandError(f"cannot use the shared listening socket: "
                               f"{self.server.errorString()}", 1)

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
            self.loop.quit()

    def _time_is_up(self) -> None:
        self.out.event("time is up (--duration)")
        self.loop.quit()

    def run(self) -> None:
        stop = QTimer()
        stop.setSingleShot(True)
        if self.args.duration:
            stop.timeout.connect(self._time_is_up)
            stop.start(int(self.args.duration * 1000))
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
# The parent opens the listening socket and forks; each worker makes its own QCoreApplication
# and QSslServer after the fork and adopts the socket with setSocketDescriptor(), and the
# kernel hands each connection to one of them. The configuration is built once before the
# fork, and so is the TLS context (_share_ticket_keys): every worker serves the same
# certificate and encrypts session tickets with the same keys, so a client resumes on any.


def _listener(args: argparse.Namespace) -> socket.socket:
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    try:
        return socket.create_server((args.host, args.port), family=family, backlog=511)
    except OSError as error:
        raise CommandError(f"cannot listen on {args.host}:{args.port}: "
                           f"{error.strerror or error}", 1) from None


def _worker(args: argparse.Namespace, out: Out, configuration: QSslConfiguration,
            descriptor: int, number: int) -> int:
    QCoreApplication([])
    server = Server(args, out, configuration, name=f"worker {number}: ")
    server.adopt(descriptor)
    # Through the asyncio loop, which wakes up for it: a plain signal.signal handler runs only
    # once the loop wakes for something else, and a quiet worker would not stop.
    thread_loop().add_signal_handler(signal.SIGTERM, server.loop.quit)
    out.event(f"worker {number} (pid {os.getpid()}) serving")
    server.run()
    return 0


def _share_ticket_keys(configuration: QSslConfiguration) -> None:
    """Make the server's TLS context before forking: OpenSSL draws a context's session-ticket
    keys when it makes it, so every worker inherits the same keys, and a client resumes its
    session whichever worker it reaches next. (Made in each worker, the keys would differ.)"""
    from qtls.ssl.engine import EngineConfigError
    from qtls.ssl.engine.context import default_context_cache
    from qtls.ssl.tlssettings import ConfigurationError, tls_settings

    try:
        default_context_cache.get(tls_settings(configuration, server=True, psk=False))
    except (ConfigurationError, EngineConfigError):
        pass  # each worker's clients are told, as without workers


def _run_workers(args: argparse.Namespace, out: Out, configuration: QSslConfiguration) -> int:
    listener = _listener(args)
    _announce(args, out, listener.getsockname()[1])
    _share_ticket_keys(configuration)
    sys.stdout.flush()
    children: list[int] = []
    for number in range(1, args.workers + 1):
        pid = os.fork()
        if pid == 0:  # the worker: never returns into the parent's code
            status = 70
            try:
                status = _worker(args, out, configuration, listener.fileno(), number)
            except CommandError as error:
                print(f"qtls serve: worker {number}: {error}", file=sys.stderr)
                status = error.status
            except KeyboardInterrupt:
                status = 130
            except BaseException as error:
                print(f"qtls serve: worker {number}: internal error: {type(error).__name__}: "
                      f"{error}", file=sys.stderr)
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(status)
        children.append(pid)
    listener.close()  # the workers hold it now

    def forward(signum: int, frame: object = None) -> None:
        for pid in children:
            try:
                os.kill(pid, signum)
            except ProcessLookupError:
                pass

    signal.signal(signal.SIGTERM, forward)
    statuses = []
    for pid in children:
        while True:
            try:
                _, status = os.waitpid(pid, 0)
                statuses.append(os.waitstatus_to_exitcode(status))
                break
            except KeyboardInterrupt:  # Ctrl-C reached the workers too; wait for them
                forward(signal.SIGINT)
            except ChildProcessError:
                break
    return 0 if all(status in (0, 130) for status in statuses) else 1
