"""Pre-forked worker processes, each running a QSslServer, all serving one port.

One Python process handles one core's worth of TLS handshakes; :class:`WorkerPool` runs one
process per core (or as many as asked) behind a single port::

    pool = WorkerPool(configuration, port=4433, workers=2)
    pool.run(serve)   # serve(server, number) sets up each worker's QSslServer

Theory of operation:

- **The parent** opens the listening port, builds the server's TLS context (see
  *Session tickets*), forks ``workers`` processes and supervises them: a worker that dies
  (a non-zero status, or a signal) is started again; one that ends with status 0 by itself
  (its program quit) has finished and is not. On SIGTERM or SIGINT (Ctrl-C reaches the whole
  process group) the parent sends SIGTERM to every worker, waits for them (``stop_timeout``,
  then SIGKILL), reaps them all and ``run()`` returns. The parent runs no event loop and makes
  no Qt object: it sleeps on a self-pipe woken by SIGCHLD, SIGTERM, SIGINT or :meth:`stop`.
- **A worker** makes its own QCoreApplication and QSslServer after the fork (Qt objects and
  event loops never cross a fork), hands the server to ``serve(server, number)``, then runs
  ``QCoreApplication.exec()`` until SIGTERM or until the program quits. Its number (1 to
  ``workers``) stays the same when it is restarted. It ignores SIGINT: the parent stops it.
- **Restarts back off**: a worker that dies within ``min_uptime`` seconds of its start (a
  crash at start, typically) is started again after a delay that doubles each time, from
  ``restart_delay`` up to ``max_restart_delay``, so that a worker that cannot start costs a few
  forks a minute, not a fork bomb; one that ran longer is started again at once.

**One socket or one per worker** (``reuse_port``):

- ``reuse_port=False`` (the default): the parent's listening socket is inherited by every
  worker, which adopts it with ``QSslServer.setSocketDescriptor()``. One accept queue: a
  connection waits there until some worker accepts it, so nothing is lost when a worker dies,
  and a busy worker simply accepts less. Every idle worker is woken for each new connection
  (one wins the accept, the others find nothing), which costs a little CPU when idle.
- ``reuse_port=True`` (where the platform has ``SO_REUSEPORT``, Linux and the BSDs; elsewhere
  the pool falls back to the shared socket and logs it): each worker opens its own listening
  socket on the port, and the kernel spreads new connections over them by a hash of the
  addresses, evenly whatever each worker is doing. But the connections already queued on a
  worker's own socket are reset when that worker dies (unless Linux's
  ``net.ipv4.tcp_migrate_req`` is set), and a busy worker still gets its share. The parent
  holds the port with a bound, non-listening socket, so a restarted worker can always take it
  back.

**Session tickets**: TLS 1.3 (and 1.2) session tickets are encrypted with keys that OpenSSL
draws when it makes a TLS context. The parent makes the server's context for
``configuration`` before forking (qtls keeps one context per distinct configuration), so
every worker inherits the same keys and a client resumes its session whichever worker it
reaches. A worker that serves with *another* configuration (changed in ``serve``) gets a
context of its own, with its own keys: tickets then resume on that worker only. Keys cannot be
shared between machines or rotated: the OpenSSL bindings qtls uses (pyOpenSSL, cryptography)
expose neither ``SSL_CTX_set_tlsext_ticket_keys`` nor the ticket-key callback.

POSIX only (``os.fork``). Call :meth:`WorkerPool.run` from the main thread of a process that
has made no QCoreApplication (and, as with any fork, runs no other thread).
"""

from __future__ import annotations

import logging
import os
import select
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from qtls.QtCore import QCoreApplication
from qtls.QtNetwork import QSslConfiguration, QSslServer

__all__ = ["Serve", "WorkerPool"]

_log = logging.getLogger("qtls.prefork")

#: ``serve(server, number)``: sets up a worker's QSslServer (connects its signals, say).
#: ``number`` is the worker's, 1 to ``workers``. Whatever it returns is kept alive until the
#: worker stops, so an object holding the worker's state needs no global.
Serve = Callable[[QSslServer, int], Any]

_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
_SUPERVISOR_SIGNALS = (*_STOP_SIGNALS, signal.SIGCHLD)


@dataclass
class _Slot:
    """One worker's place in the pool: its current process and its restart history."""

    number: int
    pid: int = 0  # 0: no process (not started yet, waiting for its restart, or finished)
    started: float = 0.0
    failures: int = 0  # deaths in a row within min_uptime of the start
    restart_at: float | None = 0.0  # when to start it next; None: never (it finished)


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            return f"was killed by {signal.Signals(number).name}"
        except ValueError:
            return f"was killed by signal {number}"
    return f"exited with status {os.waitstatus_to_exitcode(status)}"


def share_ticket_keys(configuration: QSslConfiguration) -> None:
    """Make the server's TLS contexts for ``configuration`` in this process now, so that every
    process forked afterwards inherits them, and with them the same session-ticket keys.

    Both contexts a QSslServer may use are made: without PSK, and with it (used when the
    server's ``preSharedKeyAuthenticationRequired`` is connected or the configuration has a
    PSK identity hint). A configuration OpenSSL refuses is left for each worker's server to
    report, connection by connection, as without workers.
    """
    from qtls.ssl.engine import EngineConfigError
    from qtls.ssl.engine.context import default_context_cache
    from qtls.ssl.tlssettings import ConfigurationError, tls_settings

    for psk in (False, True):
        try:
            default_context_cache.get(tls_settings(configuration, server=True, psk=psk))
        except (ConfigurationError, EngineConfigError):
            pass


class WorkerPool:
    """Pre-forked worker processes, each running a QSslServer with ``configuration``, all
    accepting connections on one port, sharing their TLS session-ticket keys.

    The port is opened here (an ``OSError`` says why it cannot be), so :attr:`port` is known
    before :meth:`run`. ``listener``, an already listening TCP socket, replaces ``host`` and
    ``port`` (it stays the caller's to close). ``workers`` defaults to the number of CPUs this
    process may use. See the module's documentation for ``reuse_port`` and the restart policy.
    """

    def __init__(self, configuration: QSslConfiguration, *, host: str = "127.0.0.1",
                 port: int = 0, workers: int | None = None, reuse_port: bool = False,
                 listener: socket.socket | None = None, backlog: int = 511,
                 stop_timeout: float = 10.0, min_uptime: float = 1.0,
                 restart_delay: float = 0.1, max_restart_delay: float = 30.0) -> None:
        if workers is None:
            workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
                os.cpu_count() or 1)
        if workers < 1:
            raise ValueError(f"workers must be 1 or more, not {workers}")
        if listener is not None and reuse_port:
            raise ValueError("reuse_port opens a socket per worker: it takes host and port, "
                             "not a listener")
        if reuse_port and not hasattr(socket, "SO_REUSEPORT"):
            _log.warning("SO_REUSEPORT is not available here: the workers share one socket")
            reuse_port = False
        self.configuration = QSslConfiguration(configuration)
        self.workers = workers
        self.reuse_port = reuse_port
        self.backlog = backlog
        self.stop_timeout = stop_timeout
        self.min_uptime = min_uptime
        self.restart_delay = restart_delay
        self.max_restart_delay = max_restart_delay
        #: The signal that stopped :meth:`run` (SIGTERM or SIGINT), or None.
        self.stop_signal: signal.Signals | None = None
        self._owned = listener is None
        if listener is not None:
            self._socket = listener
        elif reuse_port:
            self._socket = self._placeholder(host, port)
        else:
            self._socket = socket.create_server((host, port), family=_family(host),
                                                backlog=backlog)
        self._slots = [_Slot(number) for number in range(1, workers + 1)]
        self._wake_r = self._wake_w = self._ready_r = self._ready_w = -1
        self._ready: Callable[[], object] | None = None
        self._set_up: set[int] = set()  # the numbers of the workers that have been set up
        self._stopping = False
        self._ran = False

    @staticmethod
    def _placeholder(host: str, port: int) -> socket.socket:
        # Bound but not listening: it holds the port (and picks it when port is 0) without
        # ever being handed a connection; each worker listens on a socket of its own.
        sock = socket.socket(_family(host), socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind((host, port))
        except BaseException:
            sock.close()
            raise
        return sock

    @property
    def address(self) -> tuple[str, int]:
        """The (host, port) the workers serve."""
        name = self._socket.getsockname()
        return str(name[0]), int(name[1])

    @property
    def port(self) -> int:
        """The port the workers serve (the one the system chose, when asked for port 0)."""
        return self.address[1]

    def pids(self) -> dict[int, int]:
        """The process id of each running worker, by worker number."""
        return {slot.number: slot.pid for slot in self._slots if slot.pid}

    def close(self) -> None:
        """Release the port (done by :meth:`run` when it returns)."""
        if self._owned:
            self._socket.close()

    def stop(self) -> None:
        """Stop every worker and make :meth:`run` return (safe from another thread)."""
        self._stopping = True
        self._wake()

    # ---------------------------------------------------------------- the parent

    def run(self, serve: Serve, ready: Callable[[], object] | None = None) -> int:
        """Start the workers, restart those that die, and return once they have all stopped:
        after SIGTERM, SIGINT or :meth:`stop` (the workers are sent SIGTERM), or when every
        worker has finished by itself with status 0. Returns 0, or 1 when a worker had to be
        killed after ``stop_timeout`` or ended with an error while stopping.

        ``ready()`` is called here, in the parent, once every worker has set up its server
        (``serve`` returned) for the first time. With ``reuse_port`` the port refuses
        connections until a worker listens; with the shared socket they wait in its queue.
        """
        if self._ran:
            raise RuntimeError("WorkerPool.run() runs once")
        if threading.current_thread() is not threading.main_thread():
            raise RuntimeError("WorkerPool.run() handles signals: call it from the main thread")
        if QCoreApplication.instance() is not None:
            raise RuntimeError("WorkerPool.run() forks: call it before making a "
                               "QCoreApplication (each worker makes its own)")
        self._ran = True
        share_ticket_keys(self.configuration)
        self._wake_r, self._wake_w = os.pipe()
        self._ready_r, self._ready_w = os.pipe()
        for fd in (self._wake_r, self._wake_w, self._ready_r):
            os.set_blocking(fd, False)
        self._ready = ready
        previous = {signum: signal.signal(signum, self._on_signal)
                    for signum in _SUPERVISOR_SIGNALS}
        previous_wakeup = signal.set_wakeup_fd(self._wake_w)
        try:
            try:
                self._supervise(serve)
            finally:  # (also when ready() raised: no worker outlives run())
                status = self._stop_all()
            return status
        finally:
            signal.set_wakeup_fd(previous_wakeup)
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            for fd in (self._wake_r, self._wake_w, self._ready_r, self._ready_w):
                os.close(fd)
            self._wake_r = self._wake_w = self._ready_r = self._ready_w = -1
            self.close()

    def _on_signal(self, signum: int, frame: object) -> None:
        # (The wake-up fd has already woken the loop; SIGCHLD needs nothing more.)
        if signum in _STOP_SIGNALS and not self._stopping:
            self.stop_signal = signal.Signals(signum)
            self._stopping = True

    def _wake(self) -> None:
        if self._wake_w >= 0:
            try:
                os.write(self._wake_w, b"\0")
            except (BlockingIOError, OSError):
                pass  # full: the loop is awake anyway; closed: run() has returned

    def _sleep(self, timeout: float | None) -> None:
        readable, _, _ = select.select([self._wake_r, self._ready_r], [], [], timeout)
        try:
            while os.read(self._wake_r, 4096):
                pass
        except BlockingIOError:
            pass
        if self._ready_r in readable:
            self._note_ready()

    def _note_ready(self) -> None:
        """Workers write their number to the readiness pipe once set up; the first time all
        of them have, ``ready()`` is called."""
        try:
            data = os.read(self._ready_r, 4096)
        except BlockingIOError:
            return
        # (Whole 4-byte writes, and 4096 is a multiple of 4: a read never splits one.)
        self._set_up.update(int.from_bytes(data[i:i + 4], "big") for i in range(0, len(data), 4))
        if self._ready is not None and len(self._set_up) >= self.workers:
            ready, self._ready = self._ready, None
            ready()

    def _supervise(self, serve: Serve) -> None:
        while not self._stopping:
            self._reap()
            now = time.monotonic()
            for slot in self._slots:
                if not slot.pid and slot.restart_at is not None and slot.restart_at <= now:
                    self._start(slot, serve)
            if all(not slot.pid and slot.restart_at is None for slot in self._slots):
                _log.info("every worker has finished")
                return
            due = [slot.restart_at for slot in self._slots
                   if not slot.pid and slot.restart_at is not None]
            self._sleep(max(0.0, min(due) - time.monotonic()) if due else None)

    def _start(self, slot: _Slot, serve: Serve) -> None:
        sys.stdout.flush()
        sys.stderr.flush()
        # Signals stay blocked across the fork, so that the child never runs the parent's
        # handlers: it installs its own, then unblocks them.
        signal.pthread_sigmask(signal.SIG_BLOCK, _SUPERVISOR_SIGNALS)
        try:
            pid = os.fork()
            if pid == 0:
                self._worker(slot.number, serve)  # never returns
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, _SUPERVISOR_SIGNALS)
        slot.pid, slot.started, slot.restart_at = pid, time.monotonic(), None
        _log.info("worker %d started (pid %d)", slot.number, pid)

    def _reap(self) -> list[tuple[_Slot, int]]:
        """Collect the workers that have ended; schedule restarts unless stopping."""
        ended = []
        for slot in self._slots:
            if not slot.pid:
                continue
            try:
                pid, status = os.waitpid(slot.pid, os.WNOHANG)
            except ChildProcessError:  # reaped by someone else: its status is lost
                pid, status = slot.pid, 0
            if pid == 0:
                continue
            ended.append((slot, status))
            slot.pid = 0
            lived = time.monotonic() - slot.started
            if self._stopping:
                continue
            if status == 0:
                _log.info("worker %d (pid %d) finished", slot.number, pid)
                continue  # restart_at stays None: it is done
            slot.failures = slot.failures + 1 if lived < self.min_uptime else 0
            delay = 0.0 if slot.failures == 0 else min(
                self.max_restart_delay, self.restart_delay * 2 ** (slot.failures - 1))
            slot.restart_at = time.monotonic() + delay
            _log.warning("worker %d (pid %d) %s after %.1f s; restarting it%s", slot.number,
                         pid, _describe(status), lived,
                         f" in {delay:.1f} s" if delay else "")
        return ended

    def _stop_all(self) -> int:
        """SIGTERM to every worker, then wait for them (SIGKILL after ``stop_timeout``)."""
        self._stopping = True
        clean = True
        for slot in self._slots:
            if slot.pid:
                _signal(slot.pid, signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout
        while any(slot.pid for slot in self._slots):
            for _slot, status in self._reap():
                stopped = status == 0 or (os.WIFSIGNALED(status)
                                          and os.WTERMSIG(status) == signal.SIGTERM)
                clean = clean and stopped
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            if any(slot.pid for slot in self._slots):
                self._sleep(min(remaining, 0.5))
        for slot in self._slots:
            if slot.pid:
                _log.warning("worker %d (pid %d) did not stop within %.1f s: killed",
                             slot.number, slot.pid, self.stop_timeout)
                _signal(slot.pid, signal.SIGKILL)
                try:
                    os.waitpid(slot.pid, 0)
                except ChildProcessError:
                    pass
                slot.pid = 0
                clean = False
        return 0 if clean else 1

    # ---------------------------------------------------------------- a worker

    def _worker(self, number: int, serve: Serve) -> None:
        """The child's whole life: it ends the process, never returns into the parent's
        code."""
        status = 1
        try:
            signal.set_wakeup_fd(-1)
            os.close(self._wake_r)
            os.close(self._wake_w)
            os.close(self._ready_r)
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, _SUPERVISOR_SIGNALS)
            status = self._serve(number, serve)
        except BaseException as error:
            _log.error("worker %d (pid %d) failed: %s: %s", number, os.getpid(),
                       type(error).__name__, error, exc_info=True)
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(status)

    def _serve(self, number: int, serve: Serve) -> int:
        from qtls.core.dispatch import thread_loop

        app = QCoreApplication([sys.argv[0] if sys.argv and sys.argv[0] else "qtls-worker"])
        server = QSslServer()
        server.setSslConfiguration(self.configuration)
        descriptor = self._listening_descriptor()
        if not server.setSocketDescriptor(descriptor):
            raise OSError(f"worker {number}: cannot serve the listening socket: "
                          f"{server.errorString()}")
        # Through the asyncio loop, which wakes up for it (a plain signal.signal handler would
        # run only once the loop woke up for something else).
        thread_loop().add_signal_handler(signal.SIGTERM, app.quit)
        kept = serve(server, number)  # noqa: F841  (kept alive while the worker serves)
        os.write(self._ready_w, number.to_bytes(4, "big"))  # (atomic: under PIPE_BUF)
        os.close(self._ready_w)
        app.exec()
        server.close()
        return 0

    def _listening_descriptor(self) -> int:
        if not self.reuse_port:
            # A duplicate: the server owns and closes it, the inherited one stays with the pool.
            return os.dup(self._socket.fileno())
        host, port = self.address
        own = socket.create_server((host, port), family=self._socket.family,
                                   backlog=self.backlog, reuse_port=True)
        self._socket.close()  # the parent's placeholder: not needed in a worker
        return own.detach()


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass
