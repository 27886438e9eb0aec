"""The Qt-style benchmark in Qt's blocking style: ``waitFor*`` calls, no event loop running.

Written once for ``PyQt6`` and ``qtls``. The server is a QTcpServer whose
``incomingConnection()`` hands the descriptor to a QSslSocket (``setSocketDescriptor`` +
``startServerEncryption``), Qt's classic blocking-server pattern. Blocking code serves one
connection at a time, so only the one-connection-at-a-time workloads run here: bulk, sequential
handshakes and ping-pong (the 32-client capacity and 2,000-connection memory workloads would
need a thread per connection; they are reported as n/a).

The wire protocol is the one of :mod:`bench.qtstyle`.
"""

from __future__ import annotations

from typing import Any

from bench.measure import cpu_seconds, now
from bench.qtcommon import (
    QtModules,
    client_configuration,
    listen,
    server_configuration,
    session_info,
    ticket_of,
)
from bench.qtstyle import BULK_ACK, BULK_HIGH_WATER, HS_PAYLOAD

WORKLOADS = ("bulk", "hs", "pingpong")


class _Blocking:
    """Deadline bookkeeping shared by both sides."""

    def __init__(self, qt: QtModules, spec: dict[str, Any]) -> None:
        if spec["workload"] not in WORKLOADS:
            raise ValueError(f"the blocking style does not run the {spec['workload']} workload")
        self.qt = qt
        self.spec = spec
        self.params: dict[str, Any] = spec["params"]
        self.deadline = now() + spec["timeout"]

    def ms(self) -> int:
        """Milliseconds left before the workload's deadline (at least 1)."""
        remaining = self.deadline - now()
        if remaining <= 0:
            raise TimeoutError(f"timed out after {self.spec['timeout']} s")
        return max(1, int(remaining * 1000))

    def connected(self, sock: Any) -> bool:
        return bool(sock.state() == self.qt.net.QAbstractSocket.SocketState.ConnectedState)

    def flush(self, sock: Any) -> None:
        """Wait until everything written has left the socket (Qt writes from the loop, which
        is not running, so blocking code must drive it with ``waitForBytesWritten``)."""
        while sock.bytesToWrite() + sock.encryptedBytesToWrite() > 0:
            if not sock.waitForBytesWritten(self.ms()):
                if not self.connected(sock):
                    raise ConnectionError(f"write failed: {sock.errorString()}")

    def read_exactly(self, sock: Any, size: int) -> bytes:
        while sock.bytesAvailable() < size:
            if not sock.waitForReadyRead(self.ms()) and sock.bytesAvailable() < size:
                if not self.connected(sock):
                    raise ConnectionError(f"closed while reading: {sock.errorString()}")
        return bytes(sock.read(size))

    def wait_closed(self, sock: Any) -> None:
        """Read (and drop) until the peer closes."""
        while self.connected(sock):
            if not sock.waitForReadyRead(self.ms()):
                if self.connected(sock):
                    continue
                break
            sock.readAll()


class BlockingServer(_Blocking):
    """The blocking server: accept, handshake, serve, one connection after the other."""

    def run(self, ready: Any) -> dict[str, Any]:
        net = self.qt.net
        handles: list[Any] = []

        class Acceptor(net.QTcpServer):  # type: ignore[misc,name-defined]
            def incomingConnection(self, handle: Any) -> None:
                handles.append(handle)

        server = Acceptor()
        server.setListenBacklogSize(4096)
        conf = server_configuration(self.qt, self.spec)
        listen(self.qt, server, self.spec.get("ports", []))
        cpu_start = cpu_seconds()
        ready(server.serverPort())
        expected = self.params.get("count", 1)
        t_first: float | None = None
        result: dict[str, Any] = {}
        for _ in range(expected):
            while not handles:
                server.waitForNewConnection(self.ms())
            sock = net.QSslSocket()
            sock.setSslConfiguration(conf)
            if not sock.setSocketDescriptor(handles.pop(0)):
                raise RuntimeError(f"setSocketDescriptor failed: {sock.errorString()}")
            if t_first is None:
                t_first = now()
            sock.startServerEncryption()
            if not sock.waitForEncrypted(self.ms()):
                raise RuntimeError(f"server handshake failed: {sock.errorString()}")
            if self.spec["workload"] == "bulk":
                result = self._bulk(sock)
            else:
                self._echo(sock)
        result.update(handshakes=expected, cpu=cpu_seconds() - cpu_start,
                      wall=now() - (t_first or now()))
        return result

    def _bulk(self, sock: Any) -> dict[str, Any]:
        total = self.params["total"]
        received = 0
        t0 = now()
        while received < total:
            if sock.bytesAvailable() == 0 and not sock.waitForReadyRead(self.ms()):
                if not self.connected(sock) and sock.bytesAvailable() == 0:
                    raise ConnectionError(f"bulk: client left after {received} bytes")
            received += len(sock.readAll())
        seconds = now() - t0
        if received != total:
            raise RuntimeError(f"bulk: received {received} bytes, expected {total}")
        sock.write(BULK_ACK)
        self.flush(sock)
        self.wait_closed(sock)
        return {"bytes": received, "seconds": seconds}

    def _echo(self, sock: Any) -> None:
        while True:
            if sock.bytesAvailable() == 0 and not sock.waitForReadyRead(self.ms()):
                if sock.bytesAvailable() == 0 and not self.connected(sock):
                    return
                continue
            sock.write(sock.readAll())
            self.flush(sock)


class BlockingClient(_Blocking):
    """The blocking client."""

    def __init__(self, qt: QtModules, spec: dict[str, Any]) -> None:
        super().__init__(qt, spec)
        self.conf = client_configuration(qt, spec)
        self.ticket: Any = None
        self.session: dict[str, str] | None = None

    def _open(self) -> Any:
        net = self.qt.net
        sock = net.QSslSocket()
        conf = self.conf
        if self.ticket is not None:
            conf = net.QSslConfiguration(self.conf)
            conf.setSessionTicket(self.ticket)
        sock.setSslConfiguration(conf)
        sock.connectToHostEncrypted("127.0.0.1", self.spec["port"])
        if not sock.waitForEncrypted(self.ms()):
            raise RuntimeError(f"client handshake failed: {sock.errorString()}")
        if self.session is None:
            self.session = session_info(self.qt, sock)
        return sock

    def _close(self, sock: Any) -> None:
        sock.disconnectFromHost()
        if sock.state() != self.qt.net.QAbstractSocket.SocketState.UnconnectedState:
            sock.waitForDisconnected(self.ms())

    def run(self) -> dict[str, Any]:
        runner = {"bulk": self._bulk, "hs": self._hs, "pingpong": self._pingpong}
        result = runner[self.spec["workload"]]()
        result["session"] = self.session
        return result

    def _bulk(self) -> dict[str, Any]:
        t0 = now()
        sock = self._open()
        total, size = self.params["total"], self.params["chunk"]
        chunk = b"\xa5" * size
        sent = 0
        while sent < total:
            piece = chunk if total - sent >= size else chunk[: total - sent]
            written = sock.write(piece)
            if written <= 0:
                raise RuntimeError(f"bulk: write returned {written}: {sock.errorString()}")
            sent += written
            while sock.bytesToWrite() + sock.encryptedBytesToWrite() >= BULK_HIGH_WATER:
                if not sock.waitForBytesWritten(self.ms()) and not self.connected(sock):
                    raise ConnectionError(f"bulk: {sock.errorString()}")
        self.flush(sock)
        if self.read_exactly(sock, 1) != BULK_ACK:
            raise RuntimeError("bulk: bad ack")
        seconds = now() - t0
        self._close(sock)
        return {"bytes": sent, "seconds": seconds}

    def _hs(self) -> dict[str, Any]:
        count = self.params["count"]
        t0 = now()
        for _ in range(count):
            sock = self._open()
            sock.write(HS_PAYLOAD)
            self.flush(sock)
            if self.read_exactly(sock, len(HS_PAYLOAD)) != HS_PAYLOAD:
                raise RuntimeError("hs: echo mismatch")
            if self.spec["resume"]:
                ticket = ticket_of(sock)
                if ticket is not None:
                    self.ticket = ticket
            self._close(sock)
        return {"handshakes": count, "seconds": now() - t0}

    def _pingpong(self) -> dict[str, Any]:
        sock = self._open()
        payload = b"p" * self.params["size"]
        rounds = self.params["round_trips"]
        t0 = now()
        for _ in range(rounds):
            sock.write(payload)
            self.flush(sock)
            self.read_exactly(sock, len(payload))
        seconds = now() - t0
        self._close(sock)
        return {"round_trips": rounds, "seconds": seconds}


def run_server(spec: dict[str, Any], ready: Any) -> dict[str, Any]:
    """Run the server side of ``spec`` (calls ``ready(port)`` once listening)."""
    return BlockingServer(QtModules(spec["prefix"]), spec).run(ready)


def run_client(spec: dict[str, Any]) -> dict[str, Any]:
    """Run the client side of ``spec`` against ``spec["port"]``."""
    return BlockingClient(QtModules(spec["prefix"]), spec).run()
