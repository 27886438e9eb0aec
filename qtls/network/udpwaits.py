"""The blocking API of QUdpSocket: Qt's waits on an unbuffered datagram socket.

Like :mod:`qtls.network.socketwaits` (whose deadline, argument check and poll step they use),
the waits never run the asyncio loop: they poll the socket's descriptor and call the handler
the loop would, ``_can_read_notification``, so readyRead comes in the same order, in any
thread. What differs from a TCP socket, checked against PyQt6:

* ``waitForReadyRead`` waits in BoundState as in ConnectedState and returns True as soon as
  the descriptor is readable: at once, without a new readyRead, while an announced datagram
  is still unread; on timeout errorOccurred(SocketTimeoutError, "Network operation timed
  out"), the socket staying as it is;
* ``waitForBytesWritten`` is False at once (a UDP socket buffers nothing);
* ``waitForDisconnected`` can only time out (with errorOccurred), unless a slot closes the
  socket meanwhile; a bound socket is not even polled;
* ``waitForConnected`` on a bound socket gives up at once: UnconnectedState (stateChanged)
  and SocketTimeoutError ("Socket operation timed out") without errorOccurred.

The functions take the socket as first argument and use the attributes QUdpSocket defines.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from qtls.network import socketerrors as _err
from qtls.network import socketwaits as _waits
from qtls.network.abstractsocket import QAbstractSocket
from qtls.network.socketenums import SocketError, SocketState

if TYPE_CHECKING:
    from qtls.network.udpsocket import QUdpSocket

__all__: list[str] = []

_log = logging.getLogger("qtls")

_U = SocketState.UnconnectedState
_H = SocketState.HostLookupState
_C = SocketState.ConnectingState
_OK = SocketState.ConnectedState
_B = SocketState.BoundState


def _not_allowed(method: str) -> None:
    _log.warning("QAbstractSocket::%s() is not allowed in UnconnectedState", method)


def wait_for_connected(s: QUdpSocket, msecs: int) -> bool:
    """True once connected; on a bound socket, Qt's immediate give-up (see the docstring)."""
    if s._state is _B:
        _waits._check_msecs(msecs, "waitForConnected")
        s._reset_socket()
        s._set_error(SocketError.SocketTimeoutError, _err.CONNECT_TIMEOUT)
        s._set_state(_U)
        return False
    connected = QAbstractSocket.waitForConnected(s, msecs)
    if s._state is _U:
        s._drop_kept()  # a timed-out lookup abandons the bound socket it would reuse
    return connected


def wait_for_ready_read(s: QUdpSocket, msecs: int) -> bool:
    """True when a datagram (or an ICMP error) is there; False on timeout or when unbound."""
    msecs = _waits._check_msecs(msecs, "waitForReadyRead")
    if s._state is _U:
        return False
    deadline = _waits.Deadline(msecs)
    if s._state in (_H, _C) and not s.waitForConnected(msecs):
        return False
    while True:
        sock = s._sock
        if sock is None or s._state not in (_B, _OK):
            return False
        readable, _ = _waits._wait_ready(sock.fileno(), True, False, deadline.remaining())
        if readable:
            if s._can_read_notification():
                return True
        elif deadline.expired():
            s._set_error_and_emit(SocketError.SocketTimeoutError, _err.NETWORK_TIMEOUT)
            return False


def wait_for_bytes_written(s: QUdpSocket, msecs: int) -> bool:
    """False: nothing is ever buffered (after waiting for a connect in progress, as Qt)."""
    if s._state is _U:
        _not_allowed("waitForBytesWritten")
        return False
    return QAbstractSocket.waitForBytesWritten(s, msecs)


def wait_for_disconnected(s: QUdpSocket, msecs: int) -> bool:
    """True if a slot closes the socket meanwhile; otherwise a timeout with errorOccurred."""
    msecs = _waits._check_msecs(msecs, "waitForDisconnected")
    if s._state is _U:
        _not_allowed("waitForDisconnected")
        return False
    deadline = _waits.Deadline(msecs)
    while s._state is not _U:
        sock = s._sock
        remaining = deadline.remaining()
        if deadline.expired() or sock is None:
            break
        if s._state is _OK and not s._announced:
            readable, _ = _waits._wait_ready(sock.fileno(), True, False, remaining)
            if readable:
                s._can_read_notification()
        else:
            # Qt polls for nothing here: the wait can only end by its deadline (msecs -1:
            # never, in steps of an hour).
            time.sleep(remaining if remaining is not None else 3600.0)
    if s._state is _U:
        return True
    s._set_error_and_emit(SocketError.SocketTimeoutError, _err.NETWORK_TIMEOUT)
    return False
