"""The stress scenarios, each sized by its caller (the runner: full size; the tests: small).

Every scenario builds its own server, measures before and after (see ``harness.sample``) and
returns a ``Figures`` row whose ``notes`` say what the clients and the server saw.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from typing import Any

from qtls.core import dispatch
from qtls.QtCore import QTimer
from qtls.QtNetwork import QSslConfiguration, QSslSocket
from tests.loops import run_until
from tests.sslserver.helpers import EC_CA, qt_certificate
from tests.stress.harness import Figures, StressServer, ca_file, run_peers, sample, settle

__all__ = ["burst", "idle", "slow", "soak_blocking", "soak_event", "vanish"]


def _finish(server: StressServer, name: str, count: int, started: float, before: Any,
            notes: list[str], kib: float | None = None) -> Figures:
    settle(server)
    after = sample()  # (before close(): the listening socket is in both samples)
    server.close()
    return Figures(name, count, round(time.monotonic() - started, 1), before, after, kib, notes)


def idle(count: int, rounds: int = 3) -> Figures:
    """``count`` clients handshake and then stay connected, idle; then all leave; ``rounds``
    times.

    The row compares the start and the end of the last round. Freed memory is not all given
    back to the system (pymalloc keeps arenas that still hold a live object, glibc keeps
    fragmented heap), and how much is kept after the first round varies from run to run
    (10,000 connections: 91 to 106 MiB), so the second round may still grow by up to
    ~12 MiB; from the second round's end on, RSS stays where it is (a 4-round run: 105,920,
    105,944, 105,764 KiB). Hence three rounds. The notes give every round's figures, so that a
    leak (growth from round to round) shows; the KiB per idle connection is the first round's
    (the dearer one).
    """
    server = StressServer()
    notes: list[str] = []
    kib: float | None = None
    held: dict[str, Any] = {}
    result: dict[str, Any] = {}
    before = sample()
    for round_number in range(1, rounds + 1):
        before = sample()
        started = time.monotonic()
        objects_each = held.get("objects_each")
        held.clear()
        if objects_each is not None:
            held["objects_each"] = objects_each

        def measure(first: dict[str, Any]) -> None:
            held["sample"] = sample()
            held["live"] = server.live

        result = run_peers("idle", server.port, count, timeout_s=max(60.0, count / 50),
                           until=lambda: server.live >= count, hold=measure)
        during = held.get("sample")
        settle(server)
        after = sample()
        if during is not None and count:
            per = (during.rss_kib - before.rss_kib) / count
            kib = per if kib is None else kib
            held.setdefault("objects_each", (during.objects - before.objects) / count)
        else:
            per = float("nan")
        notes.append(
            f"round {round_number}: held {held.get('live')} ({result.get('outcome')}) in "
            f"{time.monotonic() - started:.1f} s; RSS {before.rss_kib} -> "
            f"{during.rss_kib if during else '?'} held ({per:.1f} KiB each) -> "
            f"{after.rss_kib} KiB; objects {before.objects} -> "
            f"{during.objects if during else '?'} -> {after.objects}; fds {before.fds} -> "
            f"{during.fds if during else '?'} -> {after.fds}")
        if held.get("live") != count:
            break
    figures = _finish(server, "idle", count, started, before, notes, kib)
    figures.facts = {"held": held.get("live"), "clients": result.get("outcome", {}),
                     "objects_each": held.get("objects_each")}
    return figures


def burst(count: int) -> Figures:
    """``count`` clients connect and handshake at once, each asks ``ping`` and leaves."""
    server = StressServer()
    before = sample()
    started = time.monotonic()
    result = run_peers("burst", server.port, count, timeout_s=60.0)
    figures = _finish(server, "burst", count, started, before,
                      [f"served {server.served}", f"clients: {result.get('outcome')}",
                       f"server errors: {server.errors}"])
    figures.facts = {"served": server.served, "clients": result.get("outcome", {}),
                     "errors": dict(server.errors)}
    return figures


def slow(count: int, served: int, timeout_ms: int) -> Figures:
    """``count`` clients send a ClientHello a byte a second while ``served`` normal clients are
    served; the handshake timeout (``timeout_ms``, shorter than Qt's 5 s to bound the run)
    ends the slow ones."""
    server = StressServer(handshake_timeout_ms=timeout_ms)
    before = sample()
    started = time.monotonic()
    slow_result: dict[str, Any] = {}
    # The slow clients run in a subprocess of their own, started here; run_peers then runs
    # the normal clients, our loop serving both.
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.stress.peers", "slow", str(server.port), str(count),
         ca_file(), "--timeout", "30"], stdout=subprocess.PIPE, text=True)
    try:
        run_until(lambda: server.sockets() >= min(count, 50), 10_000)
        run_peers("burst", server.port, served, timeout_s=30.0)
        run_until(lambda: proc.poll() is not None, 40_000)
    finally:
        if proc.poll() is None:
            proc.kill()
        out, _ = proc.communicate(timeout=5)
    lines = [line for line in out.splitlines() if line.strip()]
    if lines:
        slow_result = json.loads(lines[-1])
    figures = _finish(server, "slow", count + served, started, before,
                      [f"normal clients served {server.served}/{served}",
                       f"slow clients: {slow_result.get('outcome')}",
                       f"server errors: {server.errors}", f"handshakeTimeout {timeout_ms} ms"])
    figures.facts = {"served": server.served, "slow": slow_result.get("outcome", {}),
                     "errors": dict(server.errors)}
    return figures


def vanish(count: int) -> Figures:
    """``count`` clients reset mid-handshake, then ``count`` reset mid-transfer (while the
    server writes 1 MiB to each)."""
    server = StressServer()
    before = sample()
    started = time.monotonic()
    during = run_peers("vanish-handshake", server.port, count, timeout_s=30.0)
    transfer = run_peers("vanish-transfer", server.port, count, timeout_s=30.0)
    figures = _finish(server, "vanish", 2 * count, started, before,
                      [f"mid-handshake: {during.get('outcome')}",
                       f"mid-transfer: {transfer.get('outcome')}",
                       f"server errors: {server.errors}"])
    figures.facts = {"handshake": during.get("outcome", {}),
                     "transfer": transfer.get("outcome", {}), "errors": dict(server.errors)}
    return figures


# ------------------------------------------------------------------ soak


def _client_configuration() -> QSslConfiguration:
    conf = QSslConfiguration.defaultConfiguration()
    conf.setCaCertificates([qt_certificate(EC_CA.cert_pem.bytes())])
    return conf


class _EventClient:
    """Sequential event-driven qtls clients: connect, handshake, ping, PING, disconnect, next."""

    def __init__(self, port: int, total: int, seconds: float = 60.0) -> None:
        self.port, self.total = port, total
        self.deadline = time.monotonic() + seconds  # no new connection after it
        self.done = 0
        self.failed = 0
        self.conf = _client_configuration()

    def start(self) -> None:
        if self.done + self.failed >= self.total or time.monotonic() > self.deadline:
            return
        sock = QSslSocket()
        sock.setSslConfiguration(self.conf)
        sock.encrypted.connect(lambda: sock.write(b"ping"))
        sock.readyRead.connect(lambda: self._reply(sock))
        sock.errorOccurred.connect(lambda _e: self._error(sock))
        sock.disconnected.connect(lambda: self._next(sock))
        sock.connectToHostEncrypted("127.0.0.1", self.port)

    def _reply(self, sock: QSslSocket) -> None:
        if bytes(sock.readAll()) == b"PING":
            self.done += 1
        else:
            self.failed += 1
        sock.disconnectFromHost()

    def _error(self, sock: QSslSocket) -> None:
        if sock.state() != QSslSocket.SocketState.ConnectedState and not sock.isEncrypted():
            self.failed += 1
            sock.abort()

    def _next(self, sock: QSslSocket) -> None:
        sock.deleteLater()
        QTimer.singleShot(0, self.start)  # not from inside the old socket's slot


def soak_event(count: int, timeout_s: float) -> Figures:
    """``count`` sequential event-driven connections (a qtls client and server, one loop), or
    as many as ``timeout_s`` allows (the row says how many)."""
    server = StressServer()
    warm = _EventClient(server.port, 50)
    warm.start()
    run_until(lambda: warm.done + warm.failed >= 50, 20_000)
    settle(server)
    before = sample()
    started = time.monotonic()
    client = _EventClient(server.port, count, timeout_s)
    client.start()
    run_until(lambda: client.done + client.failed >= count
              or time.monotonic() > client.deadline, int(timeout_s * 1000) + 5000)
    run_until(lambda: False, 100)  # the last one finishes
    figures = _finish(server, "soak, event-driven", client.done, started, before,
                      [f"completed {client.done}/{count}, failed {client.failed}",
                       f"server errors: {server.errors}"])
    figures.facts = {"done": client.done, "failed": client.failed}
    return figures


def _blocking_clients(port: int, count: int, seconds: float, stop: threading.Event,
                      box: dict[str, int]) -> None:
    """Sequential blocking qtls clients in a thread: the waitFor* calls, no loop."""
    conf = _client_configuration()
    deadline = time.monotonic() + seconds
    for _ in range(count):
        if stop.is_set() or time.monotonic() > deadline:
            break
        sock = QSslSocket()
        sock.setSslConfiguration(conf)
        sock.connectToHostEncrypted("127.0.0.1", port)
        ok = sock.waitForEncrypted(5000)
        if ok:
            sock.write(b"ping")
            reply = b""
            while len(reply) < 4 and sock.waitForReadyRead(5000):
                reply += bytes(sock.readAll())
            ok = reply == b"PING"
            sock.disconnectFromHost()
            if sock.state() != QSslSocket.SocketState.UnconnectedState:
                sock.waitForDisconnected(5000)
        sock.close()  # (no deleteLater: this thread runs no loop; the object is dropped)
        box["done" if ok else "failed"] += 1
    # A write queues a transmit on the thread's loop (Qt's queued flush), and this thread never
    # runs its loop: one callback at most waits there (qtls.core.soon; it was one per
    # connection), asserted by test_blocking_thread.py and reported here.
    box["unrun_callbacks"] = len(getattr(dispatch.thread_loop(), "_ready", ()))
    box["finished"] = 1


def soak_blocking(count: int, timeout_s: float) -> Figures:
    """``count`` sequential blocking connections from one client thread (the server runs on
    the main thread's loop), or as many as ``timeout_s`` allows."""
    server = StressServer()

    def run(n: int) -> dict[str, int]:
        box = {"done": 0, "failed": 0, "finished": 0}
        stop = threading.Event()
        worker = threading.Thread(target=_blocking_clients,
                                  args=(server.port, n, timeout_s, stop, box), daemon=True)
        worker.start()
        run_until(lambda: box["finished"] == 1, int(timeout_s * 1000) + 10_000)
        stop.set()
        run_until(lambda: not worker.is_alive(), 10_000)
        worker.join(5)
        return box

    run(50)
    settle(server)
    before = sample()
    started = time.monotonic()
    box = run(count)
    figures = _finish(server, "soak, blocking", box["done"], started, before,
                      [f"completed {box['done']}/{count}, failed {box['failed']}",
                       f"server errors: {server.errors}",
                       f"callbacks left on the client thread's unrun loop at its end: "
                       f"{box.get('unrun_callbacks')}"])
    figures.facts = {"done": box["done"], "failed": box["failed"]}
    return figures
