"""The blocking API of QAbstractSocket: waitForConnected/ReadyRead/BytesWritten/Disconnected.

A wait never runs (or re-enters) the asyncio loop. It polls the socket's own descriptor
(``poll(2)``; a ``selectors`` selector where there is none) and runs the same handlers the
loop would (``_on_readable``, ``_on_writable``, ``_on_lookup_done``), so the same signals are
emitted in the same order, in any thread, with or without a loop. The functions take the
socket as first argument and use the attributes and handlers QAbstractSocket defines;
QSslSocket's waits use ``poll_io`` (with a ``Deadline``) the same way, its handlers moving the
bytes through TLS.

Qt's rules, checked against PyQt6: a wait in UnconnectedState returns False at once; a wait
started while looking up or connecting first waits for the connection; a timeout of
waitForConnected abandons the attempt (stateChanged(Unconnected), SocketTimeoutError, no
errorOccurred); the other waits time out with errorOccurred(SocketTimeoutError, "Network
operation timed out") and leave the connection as it is. ``msecs=-1`` waits forever.
"""

from __future__ import annotations

import math
import select
import selectors
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from qtls.network import socketerrors as _err
from qtls.network.socketenums import SocketError, SocketState

if TYPE_CHECKING:
    from qtls.network.abstractsocket import QAbstractSocket

__all__: list[str] = []

_U = SocketState.UnconnectedState
_H = SocketState.HostLookupState
_C = SocketState.ConnectingState
# poll(2) straight from the select module: a wait polls one descriptor, and a selectors
# selector made for each poll (its key objects, maps and close) cost more than the system call
# in a blocking ping-pong. Platforms without poll (Windows) use the default selector.
_poll: Callable[[], Any] | None = getattr(select, "poll", None)
_POLLIN = getattr(select, "POLLIN", 0)
_POLLOUT = getattr(select, "POLLOUT", 0)


class Deadline:
    """Remaining time of a wait; ``msecs < 0`` means no limit (Qt's -1)."""

    __slots__ = ("_end",)

    def __init__(self, msecs: int) -> None:
        self._end = None if msecs < 0 else time.monotonic() + msecs / 1000.0

    def remaining(self) -> float | None:
        """Seconds left (>= 0), or None for no limit."""
        if self._end is None:
            return None
        return max(0.0, self._end - time.monotonic())

    def expired(self) -> bool:
        return self._end is not None and time.monotonic() >= self._end


def _check_msecs(msecs: Any, name: str) -> int:
    if isinstance(msecs, bool) or not isinstance(msecs, int):
        raise TypeError(f"{name}(): argument 1 has unexpected type '{type(msecs).__name__}'")
    return msecs


# ------------------------------------------------------------------ the poll step

def poll_io(s: QAbstractSocket, timeout: float | None) -> bool:
    """Wait up to ``timeout`` s for what the socket wants now; run the handlers.

    Returns False when there is nothing to wait for (no descriptor, or it wants neither
    reading nor writing), True otherwise (whether or not an event came).
    """
    sock = s._sock
    if sock is None:
        return False
    read = s._wants_read()
    write = s._wants_write()
    if not (read or write):
        return False
    readable, writable = _wait_ready(sock.fileno(), read, write, timeout)
    generation = s._generation
    if writable:
        s._on_writable()
    if readable and generation == s._generation:
        s._on_readable()
    return True

def _wait_ready(fd: int, read: bool, write: bool, timeout: float | None) -> tuple[bool, bool]:
    """(readable, writable): what ``fd`` became ready for within ``timeout`` s (None: no
    limit), of what was asked. An error or hang-up counts as both, as in ``selectors``, so
    the handler that reads or writes meets it."""
    if _poll is None:
        events = (selectors.EVENT_READ if read else 0) | (selectors.EVENT_WRITE if write else 0)
        with selectors.DefaultSelector() as selector:
            selector.register(fd, events)
            ready = selector.select(timeout)
        mask = ready[0][1] if ready else 0
        return bool(mask & selectors.EVENT_READ), bool(mask & selectors.EVENT_WRITE)
    poller = _poll()
    poller.register(fd, (_POLLIN if read else 0) | (_POLLOUT if write else 0))
    # (selectors' rounding: up to the next millisecond, so a wait never returns early.)
    ready = poller.poll(None if timeout is None else math.ceil(max(timeout, 0.0) * 1000))
    if not ready:
        return False, False
    event = ready[0][1]
    return read and bool(event & ~_POLLOUT), write and bool(event & ~_POLLIN)

def _wait_lookup(s: QAbstractSocket, deadline: Deadline) -> bool:
    """Wait for a running host lookup; False on timeout."""
    dialer = s._dialer
    if dialer is None or dialer.future is None:
        return True
    if dialer.wait_for_lookup(deadline.remaining()) is None:
        return False
    s._on_lookup_done(dialer)
    return True

def wait_until(
    s: QAbstractSocket, done: Callable[[], bool], deadline: Deadline
) -> bool | None:
    """Pump until ``done()`` is true (True), the socket is unconnected (False), or
    the deadline passes (None)."""
    while not done():
        if s._state is _U:
            return False
        if s._state is _H:
            if not _wait_lookup(s, deadline):
                return None
            continue
        if deadline.expired():
            return None
        if not poll_io(s, deadline.remaining()):
            return False  # nothing can make progress
    return True

def _timed_out(s: QAbstractSocket) -> bool:
    s._set_error_and_emit(SocketError.SocketTimeoutError, _err.NETWORK_TIMEOUT)
    return False

# ------------------------------------------------------------------ the waits

def wait_for_connected(s: QAbstractSocket, msecs: int = 30000) -> bool:
    """Block until connected (True) or failed/timed out (False); no loop needed.

    On timeout the connection attempt is abandoned: UnconnectedState and
    SocketTimeoutError ("Socket operation timed out"), without errorOccurred (Qt).
    """
    msecs = _check_msecs(msecs, "waitForConnected")
    if s._state is SocketState.ConnectedState:
        return True
    if s._state is _U:
        return False
    deadline = Deadline(msecs)
    result = wait_until(s, lambda: s._state is not _H and s._state is not _C,
                              deadline)
    if result is None:
        if s._dialer is not None:
            s._dialer.cancel()
            s._dialer = None
        s._reset_socket()
        s._set_error(SocketError.SocketTimeoutError, _err.CONNECT_TIMEOUT)
        s._set_state(_U)
        return False
    return s._state is SocketState.ConnectedState

def _connected_first(s: QAbstractSocket, deadline: Deadline, msecs: int) -> bool:
    if s._state in (_H, _C):
        return wait_for_connected(s, msecs)
    return s._state is not _U

def wait_for_ready_read(s: QAbstractSocket, msecs: int = 30000) -> bool:
    """Block until readyRead has been emitted (True), or timeout/disconnect (False)."""
    msecs = _check_msecs(msecs, "waitForReadyRead")
    deadline = Deadline(msecs)
    if not _connected_first(s, deadline, msecs):
        return False
    s._maybe_resume_reading()
    if s._read_paused:
        return False  # the read buffer is full: nothing can arrive until it is read
    reads = s._reads
    result = wait_until(s, lambda: s._reads != reads, deadline)
    if result is None:
        return _timed_out(s)
    return s._reads != reads

def wait_for_bytes_written(s: QAbstractSocket, msecs: int = 30000) -> bool:
    """Block until bytesWritten has been emitted (True); False when nothing is buffered,
    on timeout or on disconnect."""
    msecs = _check_msecs(msecs, "waitForBytesWritten")
    deadline = Deadline(msecs)
    if not _connected_first(s, deadline, msecs):
        return False
    if not s._write_buffer:
        return False
    writes = s._writes
    result = wait_until(s, lambda: s._writes != writes, deadline)
    if result is None:
        return _timed_out(s)
    return s._writes != writes

def wait_for_disconnected(s: QAbstractSocket, msecs: int = 30000) -> bool:
    """Block until UnconnectedState (True); False on timeout or when not connected."""
    msecs = _check_msecs(msecs, "waitForDisconnected")
    deadline = Deadline(msecs)
    if s._state is _U:
        return False
    if not _connected_first(s, deadline, msecs):
        return False
    result = wait_until(s, lambda: s._state is _U, deadline)
    if result is None:
        return _timed_out(s)
    return s._state is _U
