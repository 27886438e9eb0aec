"""The pieces every stress scenario shares: the measured figures, the server under test, the
client subprocesses, and the descriptor limit.

A scenario measures the server's process before (after a warm-up and ``gc.collect()``) and after
(once every server-side socket is gone): open descriptors (``/proc/self/fd``), threads
(``threading.enumerate()``, but for the lingerer's pooled thread), live Python objects (``len(gc.get_objects())``) and resident
memory (``/proc/self/statm``, after glibc's ``malloc_trim(0)``: without it freed heap stays
mapped and RSS says nothing about leaks).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from qtls.QtCore import QTimer
from qtls.QtNetwork import QHostAddress, QSslServer, QSslSocket
from qtls.ssl import lingerer
from tests.loops import run_until
from tests.sslserver.helpers import EC_CA, server_config

__all__ = ["BIG_REPLY", "Figures", "Sample", "StressServer", "ca_file", "raise_nofile",
           "run_peers", "sample", "settle"]

#: What a ``big`` request is answered with (a vanishing client reads 16 KiB of it).
BIG_REPLY = b"x" * (1 << 20)

_PAGE = os.sysconf("SC_PAGE_SIZE")
_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")


@dataclass(frozen=True)
class Sample:
    """One measurement of the process."""

    fds: int
    threads: int
    objects: int
    rss_kib: int


def _lingering() -> int:
    """Connections the lingerer still holds open (each a duplicate descriptor) waiting for the
    peer's FIN (qtls/ssl/lingerer.py; at most its LINGER_SECONDS)."""
    return len(lingerer._lingerer._deadlines)


def _threads() -> int:
    """Threads, without the lingerer's: a pooled daemon thread that stays up 10 s after its
    last connection so that a busy server does not start one per close (not a leak)."""
    return sum(1 for t in threading.enumerate() if t.name != "qtls-linger")


def sample() -> Sample:
    """Measure this process now (a full collection first)."""
    gc.collect()
    try:
        _libc.malloc_trim(0)
    except AttributeError:  # pragma: no cover - not glibc
        pass
    with open("/proc/self/statm") as statm:
        resident = int(statm.read().split()[1])
    return Sample(len(os.listdir("/proc/self/fd")), _threads(),
                  len(gc.get_objects()), resident * _PAGE // 1024)


@dataclass
class Figures:
    """One row of the stress table."""

    name: str
    connections: int
    seconds: float
    before: Sample
    after: Sample
    kib_per_idle: float | None = None
    notes: list[str] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)  # what the tests check

    #: What "back at the baseline" allows (objects and RSS move a little with caches,
    #: interned strings, the allocator's arenas; descriptors and threads must match).
    OBJECT_SLACK = 2000
    RSS_SLACK_KIB = 8192

    def problems(self, *, rss: bool = True) -> list[str]:
        """What is not back at the baseline, as text (empty when all is). ``rss=False`` leaves
        RSS out: inside a large process (the whole test suite) it follows the allocator's
        arenas more than the scenario."""
        found = []
        if self.after.fds != self.before.fds:
            found.append(f"descriptors {self.before.fds} -> {self.after.fds}")
        if self.after.threads != self.before.threads:
            found.append(f"threads {self.before.threads} -> {self.after.threads}")
        if self.after.objects > self.before.objects + self.OBJECT_SLACK:
            found.append(f"objects {self.before.objects} -> {self.after.objects}")
        if rss and self.after.rss_kib > self.before.rss_kib + self.RSS_SLACK_KIB:
            found.append(f"RSS {self.before.rss_kib} -> {self.after.rss_kib} KiB")
        return found


def raise_nofile(wanted: int) -> int:
    """Raise the soft descriptor limit towards ``wanted`` (at most the hard limit); the new
    soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        return target
    return soft


_ca_path: str | None = None


def ca_file() -> str:
    """The test CA in a PEM file the client subprocesses can read (made once)."""
    global _ca_path
    if _ca_path is None:
        handle, path = tempfile.mkstemp(prefix="qtls-stress-ca-", suffix=".pem")
        with os.fdopen(handle, "wb") as out:
            out.write(EC_CA.cert_pem.bytes())
        _ca_path = path
    return _ca_path


class StressServer:
    """A QSslServer on 127.0.0.1 and the application around it.

    Each encrypted socket is taken at once and answers ``ping`` with ``PING`` and ``big`` with
    1 MiB; it is deleted when it disconnects. Errors the server reports are counted by name.
    """

    def __init__(self, handshake_timeout_ms: int = 10_000) -> None:
        self.server = QSslServer()
        self.server.setSslConfiguration(server_config())
        self.server.setHandshakeTimeout(handshake_timeout_ms)
        self.server.setMaxPendingConnections(10_000)
        self.server.setListenBacklogSize(4096)
        self.live = 0  # encrypted sockets taken and not yet disconnected
        self.served = 0
        self.errors: dict[str, int] = {}
        self.accept_errors = 0
        self.server.pendingConnectionAvailable.connect(self._take)
        self.server.errorOccurred.connect(self._error)
        self.server.acceptError.connect(self._accept_error)
        assert self.server.listen(QHostAddress(QHostAddress.SpecialAddress.LocalHost), 0)
        self.port = self.server.serverPort()

    def _take(self) -> None:
        while (sock := self.server.nextPendingConnection()) is not None:
            self.live += 1
            sock.readyRead.connect(lambda s=sock: self._answer(s))
            sock.disconnected.connect(lambda s=sock: self._gone(s))

    def _answer(self, sock: QSslSocket) -> None:
        request = bytes(sock.readAll())
        if request == b"ping":
            sock.write(b"PING")
            self.served += 1
        elif request == b"big":
            sock.write(BIG_REPLY)

    def _gone(self, sock: QSslSocket) -> None:
        self.live -= 1
        sock.deleteLater()

    def _error(self, _sock: QSslSocket, error: Any) -> None:
        self.errors[error.name] = self.errors.get(error.name, 0) + 1

    def _accept_error(self, _error: Any) -> None:
        # Qt pauses accepting on a resource error; the application resumes (here after 50 ms).
        self.accept_errors += 1
        QTimer.singleShot(50, self.server.resumeAccepting)

    def sockets(self) -> int:
        """Sockets the server still owns (handshaking, pending or taken)."""
        return len(self.server.findChildren(QSslSocket))

    def drain(self, timeout_ms: int = 15_000) -> bool:
        """Run the loop until the server owns no socket any more (bounded)."""
        return run_until(lambda: self.sockets() == 0, timeout_ms)

    def close(self) -> None:
        self.server.close()
        for sock in self.server.findChildren(QSslSocket):
            sock.abort()
            sock.deleteLater()
        run_until(lambda: self.sockets() == 0, 2000)
        self.server.deleteLater()
        run_until(lambda: False, 20)


def run_peers(mode: str, port: int, count: int, *, timeout_s: float = 60.0,
              concurrency: int = 200, until: Callable[[], bool] | None = None,
              hold: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
    """Run ``count`` clients of ``mode`` (tests/stress/peers.py) in a subprocess, the qtls loop
    running meanwhile; their JSON summary.

    For ``idle`` the clients hold their connections until ``until()`` holds on our side; then
    ``hold(first_line)`` runs (the measurement) before they are released.
    """
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.stress.peers", mode, str(port), str(count), ca_file(),
         "--timeout", str(timeout_s), "--concurrency", str(concurrency)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    assert proc.stdin is not None and proc.stdout is not None
    try:
        if mode == "idle":
            assert until is not None
            run_until(until, int(timeout_s * 1000))
            os.set_blocking(proc.stdout.fileno(), False)
            # The client's line comes after its last handshake: our side may see it first.
            line = ""
            deadline = time.monotonic() + 10
            while not line.endswith("\n") and time.monotonic() < deadline:
                run_until(lambda: False, 20)
                line += proc.stdout.readline() or ""
            os.set_blocking(proc.stdout.fileno(), True)
            if hold is not None:
                hold(json.loads(line) if line.strip() else {})
        proc.stdin.close()
        run_until(lambda: proc.poll() is not None, int(timeout_s * 1000) + 5000)
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
            return {"mode": mode, "outcome": {"killed": 1}}
        lines = [line for line in proc.stdout.read().splitlines() if line.strip()]
        return json.loads(lines[-1]) if lines else {"mode": mode, "outcome": {"no output": 1}}
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
        proc.stdout.close()


def settle(server: StressServer) -> None:
    """Let the server delete everything (bounded), and the loop run its last callbacks."""
    server.drain()
    run_until(lambda: False, 50)
    deadline = time.monotonic() + lingerer.LINGER_SECONDS + 1
    while _lingering() and time.monotonic() < deadline:
        time.sleep(0.05)
