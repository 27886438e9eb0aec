"""The Qt-style benchmark, event-driven: signals, slots and ``QCoreApplication.exec()``.

Written once for ``PyQt6`` and ``qtls`` (see :mod:`bench.qtcommon`). Every workload is a small
state machine driven by the sockets' signals; the process leaves the event loop when its side
of the workload is complete, or when the workload's deadline (a QTimer) fires.

The wire protocol of each workload is the same for every implementation (see ``bench/README.md``):

- bulk: the client writes ``total`` bytes in ``chunk``-byte writes; the server reads them all and
  answers one byte; the client then closes.
- hs, cap: a client connection writes 16 bytes, reads the 16 echoed bytes and closes; ``cap`` runs
  ``concurrency`` such clients at once.
- pingpong: one connection; the client writes ``size`` bytes and waits for the echo, repeatedly.
- mem: the client opens ``count`` connections (echoing 16 bytes on each) and keeps them idle;
  the server measures its RSS and exits, which closes them all.
"""

from __future__ import annotations

import functools
from typing import Any

from bench.measure import cpu_seconds, now, rss_bytes
from bench.qtcommon import (
    QtModules,
    client_configuration,
    listen,
    server_configuration,
    session_info,
    ticket_of,
)

HS_PAYLOAD = b"0123456789abcdef"
BULK_ACK = b"K"
# Bytes the bulk client keeps queued in the socket (plaintext + ciphertext) before waiting for
# bytesWritten: enough to keep the pipe full, small enough not to buffer the whole transfer.
BULK_HIGH_WATER = 1 << 18


class _Side:
    """A workload side: the loop, the deadline and the outcome."""

    def __init__(self, qt: QtModules, spec: dict[str, Any]) -> None:
        self.qt = qt
        self.spec = spec
        self.params: dict[str, Any] = spec["params"]
        self.result: dict[str, Any] | None = None
        self.error: str | None = None
        # Every socket we create is a child of this holder, so deleteLater() (not Python's
        # garbage collector) decides when it dies: deleting a socket inside its own signal
        # would crash PyQt6.
        self.holder = qt.core.QObject()

    def finish(self, result: dict[str, Any]) -> None:
        if self.result is None and self.error is None:
            self.result = result
            self.qt.app.quit()

    def fail(self, message: str) -> None:
        if self.result is None and self.error is None:
            self.error = message
            self.qt.app.quit()

    def run(self) -> dict[str, Any]:
        timer = self.qt.core.QTimer(self.holder)
        timer.setSingleShot(True)
        timer.timeout.connect(lambda: self.fail(f"timed out after {self.spec['timeout']} s"))
        timer.start(int(self.spec["timeout"] * 1000))
        self.start()
        if self.result is None and self.error is None:
            self.qt.app.exec()
        timer.stop()
        if self.error is not None:
            raise RuntimeError(self.error)
        assert self.result is not None
        return self.result

    def start(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


# ----------------------------------------------------------------------------------- server


class QtServer(_Side):
    """The server side of every workload, on QSslServer."""

    def __init__(self, qt: QtModules, spec: dict[str, Any], ready: Any) -> None:
        super().__init__(qt, spec)
        self.ready = ready
        self.workload: str = spec["workload"]
        self.expected: int = self.params.get("count", 1)
        self.done = 0  # connections finished (hs/cap/pingpong/bulk) or echoed (mem)
        self.sockets: dict[int, Any] = {}
        self.received = 0
        self.t_first: float | None = None
        self.cpu_start = 0.0
        self.rss_first = 0
        self.echoed: set[int] = set()

    def start(self) -> None:
        net = self.qt.net
        server = net.QSslServer(self.holder)
        server.setSslConfiguration(server_configuration(self.qt, self.spec))
        server.setMaxPendingConnections(100000)
        server.setListenBacklogSize(4096)
        server.pendingConnectionAvailable.connect(self._on_pending)
        server.errorOccurred.connect(self._on_server_error)
        server.sslErrors.connect(lambda sock, errors: self.fail(f"server sslErrors: {errors}"))
        self.server = server
        listen(self.qt, server, self.spec.get("ports", []))
        self.cpu_start = cpu_seconds()
        self.ready(server.serverPort())

    def _on_server_error(self, sock: Any, error: Any) -> None:
        self.fail(f"server handshake error {error}: {sock.errorString()}")

    def _on_pending(self) -> None:
        while self.server.hasPendingConnections():
            sock = self.server.nextPendingConnection()
            if sock is None:
                break
            key = id(sock)
            self.sockets[key] = sock
            if self.t_first is None:
                self.t_first = now()
            sock.readyRead.connect(functools.partial(self._on_ready_read, key))
            sock.disconnected.connect(functools.partial(self._on_disconnected, key))
            if sock.bytesAvailable() > 0:  # data that came with the end of the handshake
                self._on_ready_read(key)

    def _on_ready_read(self, key: int) -> None:
        sock = self.sockets.get(key)
        if sock is None:
            return
        data = sock.readAll()
        if self.workload == "bulk":
            self._bulk_data(sock, len(data))
            return
        sock.write(data)  # echo
        if self.workload == "mem" and key not in self.echoed:
            self._mem_echoed(key)

    def _bulk_data(self, sock: Any, size: int) -> None:
        self.received += size
        total = self.params["total"]
        if self.received >= total and not hasattr(self, "t_last"):
            self.t_last = now()
            if self.received != total:
                self.fail(f"bulk: received {self.received} bytes, expected {total}")
                return
            sock.write(BULK_ACK)

    def _mem_echoed(self, key: int) -> None:
        self.echoed.add(key)
        if len(self.echoed) == 1:
            self.rss_first = rss_bytes()
        if len(self.echoed) == self.expected:
            # Let the last echoes and session tickets go out, then measure the idle state.
            self.qt.core.QTimer.singleShot(int(self.params["settle"] * 1000), self._mem_measure)

    def _mem_measure(self) -> None:
        rss_all = rss_bytes()
        open_now = sum(1 for sock in self.sockets.values() if sock.isEncrypted())
        self.finish({
            "connections": open_now,
            "rss_first": self.rss_first,
            "rss_all": rss_all,
            "cpu": cpu_seconds() - self.cpu_start,
        })

    def _on_disconnected(self, key: int) -> None:
        sock = self.sockets.pop(key, None)
        if sock is None:
            return
        sock.deleteLater()
        if self.workload == "mem":
            return
        self.done += 1
        if self.done < self.expected:
            return
        cpu = cpu_seconds() - self.cpu_start
        wall = now() - (self.t_first or now())
        if self.workload == "bulk":
            if not hasattr(self, "t_last"):
                self.fail(f"bulk: client left after {self.received} bytes")
                return
            seconds = self.t_last - (self.t_first or self.t_last)
            self.finish({"bytes": self.received, "seconds": seconds, "cpu": cpu})
        else:
            self.finish({"handshakes": self.done, "cpu": cpu, "wall": wall})


# ----------------------------------------------------------------------------------- client


class QtClient(_Side):
    """The client side of every workload, on QSslSocket."""

    def __init__(self, qt: QtModules, spec: dict[str, Any]) -> None:
        super().__init__(qt, spec)
        self.workload: str = spec["workload"]
        self.conf = client_configuration(qt, spec)
        self.port: int = spec["port"]
        self.ticket: Any = None
        self.started = 0
        self.completed = 0
        self.closed = 0
        self.session: dict[str, str] | None = None
        self.sockets: dict[int, Any] = {}
        self.t0 = 0.0

    def _new_socket(self) -> Any:
        net = self.qt.net
        sock = net.QSslSocket(self.holder)
        conf = self.conf
        if self.ticket is not None:
            conf = net.QSslConfiguration(self.conf)
            conf.setSessionTicket(self.ticket)
        sock.setSslConfiguration(conf)
        sock.sslErrors.connect(lambda errors: self.fail(f"client sslErrors: {errors}"))
        self.sockets[id(sock)] = sock
        return sock

    def _connect(self, sock: Any) -> None:
        sock.connectToHostEncrypted("127.0.0.1", self.port)

    def _note_session(self, sock: Any) -> None:
        if self.session is None:
            self.session = session_info(self.qt, sock)

    def start(self) -> None:
        self.t0 = now()
        starters = {
            "bulk": self._bulk_start,
            "hs": self._hs_start,
            "cap": self._hs_start,
            "pingpong": self._pp_start,
            "mem": self._mem_start,
        }
        starters[self.workload]()

    # -- bulk: write total bytes with a bounded queue, wait for the ack, close

    def _bulk_start(self) -> None:
        sock = self._new_socket()
        self.sent = 0
        self.chunk = b"\xa5" * self.params["chunk"]
        sock.encrypted.connect(functools.partial(self._bulk_pump, sock))
        # bytesWritten fires when plaintext is encrypted, encryptedBytesWritten when ciphertext
        # leaves: the queue we bound holds both, so either may make room.
        sock.bytesWritten.connect(lambda _n, s=sock: self._bulk_pump(s))
        sock.encryptedBytesWritten.connect(lambda _n, s=sock: self._bulk_pump(s))
        sock.readyRead.connect(functools.partial(self._bulk_ack, sock))
        sock.disconnected.connect(self._bulk_done)
        sock.errorOccurred.connect(functools.partial(self._on_error, sock))
        self._connect(sock)

    def _bulk_pump(self, sock: Any) -> None:
        if not sock.isEncrypted():
            return  # encryptedBytesWritten also fires for handshake records
        self._note_session(sock)
        total = self.params["total"]
        chunk = self.chunk
        while self.sent < total and sock.bytesToWrite() + sock.encryptedBytesToWrite() < BULK_HIGH_WATER:
            piece = chunk if total - self.sent >= len(chunk) else chunk[: total - self.sent]
            written = sock.write(piece)
            if written <= 0:
                self.fail(f"bulk: write returned {written}: {sock.errorString()}")
                return
            self.sent += written

    def _bulk_ack(self, sock: Any) -> None:
        if sock.readAll() and not getattr(self, "acked", False):
            self.acked = True
            self.seconds = now() - self.t0
            sock.disconnectFromHost()

    def _bulk_done(self) -> None:
        if not getattr(self, "acked", False):
            self.fail(f"bulk: disconnected after writing {self.sent} bytes without the ack")
            return
        self.finish({"bytes": self.sent, "seconds": self.seconds, "session": self.session})

    def _on_error(self, sock: Any, error: Any) -> None:
        # The peer closing after the exchange is the normal end of a connection, not an error.
        if error == self.qt.net.QAbstractSocket.SocketError.RemoteHostClosedError:
            return
        self.fail(f"client socket error {error}: {sock.errorString()} "
                  f"({self.started} connections started, {self.completed} completed)")

    # -- hs / cap: connect, echo 16 bytes, close; `concurrency` loops share `count`

    def _hs_start(self) -> None:
        self.resumed_known = False
        for _ in range(min(self.params.get("concurrency", 1), self.params["count"])):
            self._hs_next()

    def _hs_next(self) -> None:
        if self.started >= self.params["count"]:
            return
        self.started += 1
        sock = self._new_socket()
        sock.encrypted.connect(functools.partial(self._hs_encrypted, sock))
        sock.readyRead.connect(functools.partial(self._hs_read, sock))
        sock.disconnected.connect(functools.partial(self._hs_closed, sock))
        sock.errorOccurred.connect(functools.partial(self._on_error, sock))
        self._connect(sock)

    def _hs_encrypted(self, sock: Any) -> None:
        self._note_session(sock)
        sock.write(HS_PAYLOAD)

    def _hs_read(self, sock: Any) -> None:
        if sock.bytesAvailable() < len(HS_PAYLOAD):
            return
        if bytes(sock.read(len(HS_PAYLOAD))) != HS_PAYLOAD:
            self.fail("hs: echo mismatch")
            return
        if self.spec["resume"]:
            ticket = ticket_of(sock)
            if ticket is not None:
                self.ticket = ticket
        sock.disconnectFromHost()

    def _hs_closed(self, sock: Any) -> None:
        self.sockets.pop(id(sock), None)
        sock.deleteLater()
        self.completed += 1
        if self.completed == self.params["count"]:
            self.finish({
                "handshakes": self.completed,
                "seconds": now() - self.t0,
                "session": self.session,
            })
        else:
            self._hs_next()

    # -- pingpong: one connection, size-byte round trips

    def _pp_start(self) -> None:
        sock = self._new_socket()
        self.payload = b"p" * self.params["size"]
        self.round_trips = 0
        sock.encrypted.connect(functools.partial(self._pp_encrypted, sock))
        sock.readyRead.connect(functools.partial(self._pp_read, sock))
        sock.disconnected.connect(self._pp_closed)
        sock.errorOccurred.connect(functools.partial(self._on_error, sock))
        self._connect(sock)

    def _pp_encrypted(self, sock: Any) -> None:
        self._note_session(sock)
        self.t0 = now()
        sock.write(self.payload)

    def _pp_read(self, sock: Any) -> None:
        size = len(self.payload)
        while sock.bytesAvailable() >= size:
            sock.read(size)
            self.round_trips += 1
            if self.round_trips == self.params["round_trips"]:
                self.seconds = now() - self.t0
                sock.disconnectFromHost()
                return
            sock.write(self.payload)

    def _pp_closed(self) -> None:
        if self.round_trips < self.params["round_trips"]:
            self.fail(f"pingpong: disconnected after {self.round_trips} round trips")
            return
        self.finish({
            "round_trips": self.round_trips,
            "seconds": self.seconds,
            "session": self.session,
        })

    # -- mem: open count idle connections, then wait for the server to close them

    def _mem_start(self) -> None:
        self.established = 0
        for _ in range(min(self.params.get("concurrency", 1), self.params["count"])):
            self._mem_next()

    def _mem_next(self) -> None:
        if self.started >= self.params["count"]:
            return
        self.started += 1
        sock = self._new_socket()
        sock.encrypted.connect(functools.partial(self._hs_encrypted, sock))
        sock.readyRead.connect(functools.partial(self._mem_read, sock))
        sock.disconnected.connect(functools.partial(self._mem_closed, sock))
        sock.errorOccurred.connect(functools.partial(self._mem_error, sock))
        self._connect(sock)

    def _mem_read(self, sock: Any) -> None:
        if sock.bytesAvailable() < len(HS_PAYLOAD):
            return
        sock.read(len(HS_PAYLOAD))
        self.established += 1
        self._mem_next()

    def _mem_error(self, sock: Any, error: Any) -> None:
        # Once every connection is up, the server's exit resets them: that is the end.
        if self.established < self.params["count"]:
            self._on_error(sock, error)

    def _mem_closed(self, sock: Any) -> None:
        self.sockets.pop(id(sock), None)
        sock.deleteLater()
        self.closed += 1
        if self.established < self.params["count"]:
            self.fail(f"mem: a connection closed after {self.established} were established")
        elif self.closed == self.params["count"]:
            self.finish({"connections": self.established, "session": self.session})


def run_server(spec: dict[str, Any], ready: Any) -> dict[str, Any]:
    """Run the server side of ``spec`` (calls ``ready(port)`` once listening)."""
    return QtServer(QtModules(spec["prefix"]), spec, ready).run()


def run_client(spec: dict[str, Any]) -> dict[str, Any]:
    """Run the client side of ``spec`` against ``spec["port"]``."""
    return QtClient(QtModules(spec["prefix"]), spec).run()
