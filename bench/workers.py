"""Using every core: a :class:`qtls.prefork.WorkerPool` of N QSslServer workers under load.

The server process is the pool's parent: it prints ``READY <port>`` once every worker serves,
runs the pool, and when the pool has stopped prints the per-worker figures each worker sent it
through a pipe as it quit (handshakes completed, CPU seconds from its first handshake to its
exit). Nothing is pinned here (both sides undo the runner's pinning): with N workers and the
client on two cores, the scheduler gives idle CPU time to whichever process can use it, as in a
real deployment; pinned, the client would share one core with worker 2 and leave the other
core idle whenever worker 1 waits for connections. Each worker also stops on its own at the
workload's deadline or when the parent is gone, so nothing outlives a failed measurement.

The client (:class:`LoadClient`) is the cheapest load Python makes here: a ``selectors`` loop
on pyOpenSSL memory BIOs, ``concurrency`` connections at a time, each a handshake (offering the
last session ticket received, from whichever worker, when the workload resumes), 16 bytes
sent, the serving worker's number read back, closed. It counts, per serving worker, the
tickets offered and resumed, split by whether the ticket came from the same worker or another
one. When done it sends ``STOP`` on one last connection; the worker that reads it sends SIGTERM
to the pool, which stops every worker.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import socket
from typing import Any

from OpenSSL import SSL
from OpenSSL._util import lib

from bench.measure import cpu_seconds, now

REQUEST = b"0123456789abcdef"
STOP = b"STOP".ljust(len(REQUEST), b".")
CHECK_PARENT_MS = 500


# ----------------------------------------------------------------------------------- server


def run_server(spec: dict[str, Any], ready: Any) -> dict[str, Any]:
    """Run the pool of ``spec["params"]["workers"]`` workers until the client says STOP."""
    from bench.qtcommon import server_configuration
    from qtls.prefork import WorkerPool

    params = spec["params"]
    reports_r, reports_w = os.pipe()
    # (QtModules would make a QCoreApplication here: the pool wants none before it forks.)
    configuration = server_configuration(_Modules(), spec)
    pool = _listen(WorkerPool, configuration, params["workers"], params.get("reuse_port", False),
                   spec.get("ports", []))
    parent = os.getpid()
    _unpin()  # (the workers inherit it)

    def serve(server: Any, number: int) -> Any:
        os.close(reports_r)
        return _Worker(server, number, reports_w, parent, spec)

    # (READY once every worker serves: with SO_REUSEPORT the port refuses connections before.)
    status = pool.run(serve, ready=lambda: ready(pool.port))
    os.close(reports_w)
    with os.fdopen(reports_r) as reports:
        workers = [json.loads(line) for line in reports if line.strip()]
    if status != 0:
        raise RuntimeError(f"the pool ended with status {status}")
    return {"workers": sorted(workers, key=lambda w: w["number"]),
            "handshakes": sum(w["handshakes"] for w in workers),
            "cpu": sum(w["cpu"] for w in workers)}


class _Modules:
    """What :func:`bench.qtcommon.server_configuration` needs of QtModules, without making
    the application object."""

    prefix = "qtls"

    def __init__(self) -> None:
        from qtls import QtCore, QtNetwork

        self.core = QtCore
        self.net = QtNetwork


def _unpin() -> None:
    """Let this process run on every CPU again (the runner pinned it)."""
    if hasattr(os, "sched_setaffinity"):
        try:
            os.sched_setaffinity(0, range(os.cpu_count() or 1))
        except OSError:
            pass


def _listen(pool_class: Any, configuration: Any, workers: int, reuse_port: bool,
            ports: list[int]) -> Any:
    """A pool on the first free port of ``ports`` (see bench.ports), or any port."""
    error: OSError | None = None
    for port in ports or [0]:
        try:
            return pool_class(configuration, host="127.0.0.1", port=port, workers=workers,
                              reuse_port=reuse_port, backlog=4096, stop_timeout=5.0)
        except OSError as exc:
            error = exc
    raise RuntimeError(f"listen failed on ports {ports}: {error}")


class _Worker:
    """One worker's server side: reply with the worker's number, count, report at exit."""

    def __init__(self, server: Any, number: int, reports: int, parent: int,
                 spec: dict[str, Any]) -> None:
        from qtls.QtCore import QCoreApplication, QTimer
        from qtls.QtNetwork import QAbstractSocket

        self.low_delay = QAbstractSocket.SocketOption.LowDelayOption
        self.number = number
        self.reports = reports
        self.parent = parent
        self.handshakes = 0
        self.cpu_start: float | None = None
        self.reply = str(number).rjust(len(REQUEST)).encode()
        self.server = server
        server.setMaxPendingConnections(100000)
        server.pendingConnectionAvailable.connect(self._take)
        QCoreApplication.instance().aboutToQuit.connect(self._report)  # type: ignore[union-attr]
        self.watch = QTimer()
        self.watch.timeout.connect(self._check_parent)
        self.watch.start(CHECK_PARENT_MS)
        QTimer.singleShot(int(spec["timeout"] * 1000), QCoreApplication.quit)

    def _check_parent(self) -> None:
        from qtls.QtCore import QCoreApplication

        if os.getppid() != self.parent:  # the pool is gone: so is the measurement
            QCoreApplication.quit()

    def _take(self) -> None:
        while (sock := self.server.nextPendingConnection()) is not None:
            if self.cpu_start is None:
                self.cpu_start = cpu_seconds()
            self.handshakes += 1
            # TCP_NODELAY: the reply follows the session tickets in a second small write,
            # which Nagle's algorithm could hold until the client's (delayed) ACK.
            sock.setSocketOption(self.low_delay, 1)
            sock.readyRead.connect(lambda s=sock: self._read(s))
            sock.disconnected.connect(sock.deleteLater)
            if sock.bytesAvailable():
                self._read(sock)

    def _read(self, sock: Any) -> None:
        if sock.bytesAvailable() < len(REQUEST):
            return
        if bytes(sock.read(len(REQUEST))) == STOP:
            self.handshakes -= 1  # (not part of the load)
            os.kill(self.parent, signal.SIGTERM)
            return
        sock.write(self.reply)

    def _report(self) -> None:
        cpu = cpu_seconds() - self.cpu_start if self.cpu_start is not None else 0.0
        line = json.dumps({"number": self.number, "pid": os.getpid(),
                           "handshakes": self.handshakes, "cpu": cpu}) + "\n"
        os.write(self.reports, line.encode())  # one write, under PIPE_BUF: never interleaved


# ----------------------------------------------------------------------------------- client


class _Connection:
    """One client connection: its socket, its pyOpenSSL connection on memory BIOs, and the
    worker that issued the ticket it offers (None: no ticket offered)."""

    __slots__ = ("conn", "encrypted", "offered_by", "sock")

    def __init__(self, sock: socket.socket, conn: SSL.Connection, offered_by: int | None) -> None:
        self.sock = sock
        self.conn = conn
        self.offered_by = offered_by
        self.encrypted = False


class LoadClient:
    """The load: ``concurrency`` connections at a time until ``count`` have been served, each
    offering the last session ticket received, whichever worker issued it.

    A ``selectors`` loop on pyOpenSSL memory BIOs (the floor server's design, client side), on
    the OpenSSL ``cryptography`` bundles: the cheapest client this machine runs in Python
    (asyncio on the stdlib's ``ssl``, on the system's OpenSSL 3.0, spends about twice the
    server's CPU per resumed handshake). It does not verify the server's certificate: it
    measures the server, and a resumed handshake carries no certificate anyway.
    """

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.params = spec["params"]
        self.context = SSL.Context(SSL.TLS_CLIENT_METHOD)
        self.context.set_min_proto_version(SSL.TLS1_3_VERSION)
        self.context.set_verify(SSL.VERIFY_NONE)
        # The server's pinned group only: by default this OpenSSL would also make (and pay
        # for) a post-quantum hybrid key share the server never takes.
        lib.SSL_CTX_set1_curves_list(self.context._context, b"X25519")  # type: ignore[attr-defined]
        self.context.set_tls13_ciphersuites(b"TLS_AES_256_GCM_SHA384")
        self.selector = selectors.DefaultSelector()
        self.session: SSL.Session | None = None  # the last ticket received...
        self.ticket_from: int | None = None  # ... and the worker that issued it
        self.started = self.finished = 0
        # per serving worker: handshakes, and tickets offered/resumed from itself or another
        self.served: dict[str, dict[str, int]] = {}
        self.negotiated: dict[str, str] | None = None

    def _connection(self) -> tuple[socket.socket, SSL.Connection]:
        sock = socket.create_connection(("127.0.0.1", self.spec["port"]), timeout=10)
        conn = SSL.Connection(self.context, None)
        conn.set_connect_state()
        conn.set_tlsext_host_name(b"localhost")
        if self.session is not None and self.spec["resume"]:
            conn.set_session(self.session)
        return sock, conn

    def _open(self) -> None:
        self.started += 1
        sock, conn = self._connection()
        sock.setblocking(False)
        offered = self.session is not None and self.spec["resume"]
        item = _Connection(sock, conn, self.ticket_from if offered else None)
        try:
            conn.do_handshake()
        except SSL.WantReadError:
            pass
        _flush(item)  # the ClientHello
        self.selector.register(sock, selectors.EVENT_READ, item)

    def _on_readable(self, item: _Connection) -> None:
        try:
            data = item.sock.recv(65536)
        except BlockingIOError:
            return
        if not data:
            raise RuntimeError("the server closed a connection before its reply")
        conn = item.conn
        conn.bio_write(data)
        if not item.encrypted:
            try:
                conn.do_handshake()
            except SSL.WantReadError:
                _flush(item)
                return
            item.encrypted = True
            if self.negotiated is None:
                self.negotiated = {"protocol": conn.get_protocol_version_name(),
                                   "cipher": conn.get_cipher_name() or "?"}
            conn.send(REQUEST)
            _flush(item)
        try:
            reply = conn.recv(64)  # (the TLS 1.3 tickets come before it)
        except SSL.WantReadError:
            return
        self._served(item, int(reply))

    def _served(self, item: _Connection, worker: int) -> None:
        row = self.served.setdefault(str(worker), {
            "handshakes": 0, "offered_same": 0, "resumed_same": 0,
            "offered_other": 0, "resumed_other": 0})
        row["handshakes"] += 1
        if item.offered_by is not None:
            kind = "same" if item.offered_by == worker else "other"
            row[f"offered_{kind}"] += 1
            row[f"resumed_{kind}"] += lib.SSL_session_reused(item.conn._ssl)  # type: ignore[attr-defined]
        session = item.conn.get_session()
        if session is not None:
            self.session, self.ticket_from = session, worker
        try:
            item.conn.shutdown()  # close_notify, then the FIN: a clean end for the server
        except SSL.Error:
            pass
        _flush(item)
        self.selector.unregister(item.sock)
        item.sock.close()
        self.finished += 1
        if self.started < self.params["count"]:
            self._open()

    def _stop_the_pool(self) -> None:
        """One last connection saying STOP: the worker that reads it stops the pool."""
        sock, conn = self._connection()
        with sock:
            conn.set_connect_state()
            item = _Connection(sock, conn, None)
            while True:  # (blocking socket: each recv waits for the server's flight)
                try:
                    conn.do_handshake()
                    break
                except SSL.WantReadError:
                    _flush(item)
                    conn.bio_write(sock.recv(65536) or b"")
            conn.send(STOP)
            _flush(item)

    def run(self) -> dict[str, Any]:
        count = self.params["count"]
        deadline = now() + self.spec["timeout"]
        cpu0, t0 = cpu_seconds(), now()
        while self.started < min(self.params["concurrency"], count):
            self._open()
        while self.finished < count:
            if now() > deadline:
                raise RuntimeError(f"timed out: {self.finished} of {count} connections served")
            for key, _ in self.selector.select(1.0):
                self._on_readable(key.data)
        seconds, cpu = now() - t0, cpu_seconds() - cpu0
        self._stop_the_pool()
        return {"handshakes": count, "seconds": seconds, "cpu": cpu, "served": self.served,
                "session": self.negotiated}


def _flush(item: _Connection) -> None:
    try:
        data = item.conn.bio_read(65536)
    except SSL.WantReadError:
        return  # nothing to send
    item.sock.sendall(data)  # (loopback takes a flight of this size whole)


def run_client(spec: dict[str, Any]) -> dict[str, Any]:
    """Load the pool at ``spec["port"]``; returns the counts, wall-clock and CPU time."""
    _unpin()
    return LoadClient(spec).run()
