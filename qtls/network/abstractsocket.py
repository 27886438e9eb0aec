"""QAbstractSocket: Qt's socket state machine, errors and blocking waits over a plain TCP socket.

Theory of operation
-------------------
A socket owns at most one non-blocking ``socket.socket`` (``_sock``). Everything that moves
bytes or changes state happens in four handlers, "the pump" (the byte-moving part lives in
``socketpump.SocketPump``, QAbstractSocket's base; the waits in ``socketwaits``):

* ``_on_lookup_done``  the host lookup finished: try the addresses in turn (the lookup and
  the attempts themselves are a :class:`~qtls.network.dialer.Dialer`'s);
* ``_on_writable``     a connect completed (Connecting), or the write buffer can drain;
* ``_on_readable``     data or EOF arrived: one ``recv_into`` burst, then one ``readyRead``;
* ``_finish_disconnect`` the last step of every way down to UnconnectedState.

With an event loop the handlers are the loop's reader/writer callbacks (``add_reader`` /
``add_writer`` on the loop of the socket's thread, see ``qtls.core.dispatch``); which of the
two is registered always follows ``_wants_read()`` / ``_wants_write()`` through
``_update_io()``. The blocking API (``waitFor*``, in ``socketwaits``) polls the same
descriptor with ``poll(2)`` and calls the same handlers, so it emits the same signals in the
same order and never runs the asyncio loop. A subclass (QSslSocket) reuses the waits and the
protected setters, and overrides the handlers to move its bytes through TLS.

Signal order is Qt's, pinned by tests against PyQt6: a connect by name emits
stateChanged(HostLookup) at once, then stateChanged(Connecting), hostFound,
stateChanged(Connected), connected. Connecting and hostFound are emitted inside
connectToHost when no lookup is needed (a literal address, or a name in the 60 s host cache,
see ``hostlookup``), from the event loop after a real lookup. A failure emits
stateChanged(Unconnected) *before* errorOccurred; a peer close emits errorOccurred(RemoteHostClosedError), stateChanged(Closing),
stateChanged(Unconnected), readChannelFinished, disconnected.

Buffers: received bytes go to ``_read_buffer`` (one ``recv_into`` a reusable 256 KiB buffer,
one copy into the ring buffer, see ``socketio``; QSslSocket hands them to its TLS engine
instead); ``writeData`` appends to ``_write_buffer`` and a
flush queued for the loop's next turn sends from ``first_chunk()`` views without copying (the
writer is registered only when the kernel does not take everything). ``setReadBufferSize`` is real back-pressure: the
reader is removed while the buffer is full and comes back when the application reads.
"""

from __future__ import annotations

import _socket
import operator
import socket
import threading
from typing import Any

from qtls.core.iodevice import QIODeviceBase
from qtls.core.qobject import QObject
from qtls.core.signals import emit_if_connected, pyqtSignal
from qtls.network import socketerrors as _err
from qtls.network import socketwaits as _waits
from qtls.network.dialer import Dialer
from qtls.network.hostaddress import QHostAddress
from qtls.network.hostlookup import LookupResult
from qtls.network.socketenums import BindFlag as _BindFlag
from qtls.network.socketenums import NetworkLayerProtocol as _NetworkLayerProtocol
from qtls.network.socketenums import PauseMode as _PauseMode
from qtls.network.socketenums import SocketError as _SocketError
from qtls.network.socketenums import SocketOption as _SocketOption
from qtls.network.socketenums import SocketState as _SocketState
from qtls.network.socketenums import SocketType as _SocketType
from qtls.network.socketoptions import get_option, set_option
from qtls.network.socketpump import SocketPump
from qtls.network.socketstate import check_transition

__all__ = ["QAbstractSocket"]

_OpenMode = QIODeviceBase.OpenModeFlag

_U = _SocketState.UnconnectedState
_H = _SocketState.HostLookupState
_C = _SocketState.ConnectingState
_OK = _SocketState.ConnectedState
_X = _SocketState.ClosingState
# (Enum members as module constants: ``Enum.X`` costs ~0.1 µs on Python 3.11, and these are
# read for every socket made, accepted or connected.)
_NO_ERROR = _SocketError.UnknownSocketError
_IPV6 = _NetworkLayerProtocol.IPv6Protocol


_raw_type = _socket.socket.type.__get__
_raw_family = _socket.socket.family.__get__


def _descriptor(value: Any) -> int:
    """An int from an int or a sip.voidptr-like object (PyQt6 passes voidptr handles)."""
    try:
        return operator.index(value)
    except TypeError:
        try:
            return int(value)
        except (TypeError, ValueError):
            raise TypeError(
                f"argument 1 has unexpected type '{type(value).__name__}'"
            ) from None


class _JustAccepted(threading.local):
    """What this thread's QTcpServer knows about the descriptor it is handing to
    ``incomingConnection()`` right now: its family and both endpoints.

    ``accept()`` returned the peer's address, and the listener's address is the local one
    unless it listens on a wildcard. ``setSocketDescriptor`` then adopts that descriptor without
    asking the kernel again: no family and type detection (getsockname and two getsockopt
    calls inside ``socket.socket(fileno=...)``), no getpeername, and no getsockname either for
    a listener on a specific address. Only for the descriptor the server named, once, in the
    server's thread, during that call (the server resets ``fd`` when it returns).
    """

    fd = -1
    family = 0
    peer: Any = None
    local: Any = None  # the local sockaddr, or None: ask the kernel


just_accepted = _JustAccepted()

#: The null address every socket starts with. A socket's stored addresses are shared and never
#: modified: the getters and setters copy (QHostAddress has value semantics).
NULL_ADDRESS = QHostAddress()

# Parsed endpoint addresses by (host text, scope index): a server sees the same few addresses
# on every connection, and parsing them cost two QHostAddress constructions per accept.
_ENDPOINTS: dict[tuple[str, int], QHostAddress] = {}
_ENDPOINTS_LIMIT = 4096


def _address_of(sockaddr: Any) -> tuple[QHostAddress, int]:
    """(QHostAddress, port) from a getsockname()/getpeername() result; the address is shared
    (see NULL_ADDRESS), so callers store it and never modify it."""
    if not isinstance(sockaddr, tuple) or len(sockaddr) < 2:
        return NULL_ADDRESS, 0
    scope_index = sockaddr[3] if len(sockaddr) >= 4 else 0
    key = (sockaddr[0], scope_index)
    address = _ENDPOINTS.get(key)
    if address is None:
        address = QHostAddress(str(sockaddr[0]))
        if scope_index:
            try:
                address.setScopeId(socket.if_indextoname(scope_index))
            except OSError:
                address.setScopeId(str(scope_index))
        if len(_ENDPOINTS) >= _ENDPOINTS_LIMIT:
            _ENDPOINTS.clear()
        _ENDPOINTS[key] = address
    return address, int(sockaddr[1])


class QAbstractSocket(SocketPump):
    """The base of QTcpSocket and QSslSocket (Qt: QAbstractSocket), a sequential QIODevice.

    Only TCP is implemented (``socketType()`` TcpSocket); UdpSocket/SctpSocket construct but
    cannot connect. Proxies are not supported (there is no QNetworkProxy in qtls).
    """

    NetworkLayerProtocol = _NetworkLayerProtocol
    SocketType = _SocketType
    SocketState = _SocketState
    SocketError = _SocketError
    SocketOption = _SocketOption
    PauseMode = _PauseMode
    BindFlag = _BindFlag

    hostFound = pyqtSignal()
    connected = pyqtSignal()
    disconnected = pyqtSignal()
    stateChanged = pyqtSignal(_SocketState)
    errorOccurred = pyqtSignal(_SocketError)
    # Declared for API compatibility; qtls has no proxy support, so it is never emitted.
    proxyAuthenticationRequired = pyqtSignal(object, object)

    def __init__(self, socketType: _SocketType, parent: QObject | None) -> None:
        if not isinstance(socketType, _SocketType):
            raise TypeError(
                f"QAbstractSocket(): argument 1 has unexpected type '{type(socketType).__name__}'"
            )
        super().__init__(parent)
        self._socket_type = socketType
        self._error = _NO_ERROR
        self._peer_name = ""
        self._peer_address = NULL_ADDRESS
        self._dialing = NULL_ADDRESS  # the address a connect attempt is trying
        self._channels_up = False  # connected (or bound, adopted) since the last connectToHost
        self._peer_port = 0
        self._local_address = NULL_ADDRESS
        self._local_port = 0
        self._options: dict[_SocketOption, int] = {}
        self._pause_mode = _PauseMode.PauseNever
        self._protocol_tag = ""
        # The running connection attempt (lookup, then each address), while connecting.
        self._dialer: Dialer | None = None
        self._pending_close = False
        self._abort_called = False
        self.setErrorString(_err.UNKNOWN)

    # ==================================================================== properties

    def socketType(self) -> _SocketType:
        """TcpSocket for QTcpSocket/QSslSocket."""
        return self._socket_type

    def state(self) -> _SocketState:
        """The current state (see socketstate.TRANSITIONS for the allowed moves)."""
        return self._state

    def error(self) -> _SocketError:
        """The last error; UnknownSocketError when there was none."""
        return self._error

    def isValid(self) -> bool:
        """Qt's rule: the socket layer's validity while there is one (a descriptor:
        connecting, connected, closing), otherwise whether the device is open, so True after
        disconnectFromHost() or a refused connection (the device stays open until close() or
        abort()), False for a new or closed socket."""
        return self._sock is not None or self.isOpen()

    def readChannelCount(self) -> int:
        """1 while open for reading once connected (or bound), else 0: Qt counts a socket's
        channels when its connection is made, not while connecting or after a failure."""
        return 1 if self._channels_up and self.isReadable() else 0

    def writeChannelCount(self) -> int:
        """As readChannelCount(), and 0 again once the connection has ended (Qt closes the
        write channel of a socket left unconnected)."""
        if not self._channels_up or not self.isWritable() or self._state is _U:
            return 0
        return 1

    def isSequential(self) -> bool:
        """Sockets are sequential devices: no seek, no size."""
        return True

    def socketDescriptor(self) -> int:
        """The native descriptor, or -1 (also while connecting: Qt shows the descriptor once
        connected). (PyQt6 returns a sip.voidptr; qtls an int.)"""
        if self._sock is None or self._state is _C or self._state is _H:
            return -1
        return self._sock.fileno()

    def localAddress(self) -> QHostAddress:
        """The local address once connected, else a null address."""
        return QHostAddress(self._local_address)

    def localPort(self) -> int:
        """The local port once connected, else 0."""
        return self._local_port

    def peerAddress(self) -> QHostAddress:
        """The peer's address while connected, else a null address."""
        return QHostAddress(self._peer_address)

    def peerPort(self) -> int:
        """The peer's port while connected, else 0."""
        return self._peer_port

    def peerName(self) -> str:
        """The name given to connectToHost (kept after disconnect, as Qt)."""
        return self._peer_name

    def readBufferSize(self) -> int:
        """The read buffer limit; 0 means unlimited."""
        return self._read_buffer_size

    def setReadBufferSize(self, size: int) -> None:
        """Limit the read buffer to ``size`` bytes (0 = unlimited).

        Back-pressure as in Qt: when the buffer is full the socket stops reading from the
        network (the kernel window then slows the peer) until the application reads.
        """
        if not isinstance(size, int):
            raise TypeError(
                f"setReadBufferSize(): argument 1 has unexpected type '{type(size).__name__}'"
            )
        self._read_buffer_size = max(0, size)
        self._maybe_resume_reading()

    def pauseMode(self) -> _PauseMode:
        """When the socket pauses (PauseOnSslErrors is used by QSslSocket)."""
        return self._pause_mode

    def setPauseMode(self, pauseMode: _PauseMode) -> None:
        """Set the pause mode."""
        if not isinstance(pauseMode, _PauseMode):
            raise TypeError(
                f"setPauseMode(): argument 1 has unexpected type '{type(pauseMode).__name__}'"
            )
        self._pause_mode = pauseMode

    def resume(self) -> None:
        """Continue data transfer after a pause (plain TCP never pauses by itself)."""
        self._update_io()

    def protocolTag(self) -> str:
        """A free-form tag (Qt uses it for proxy selection)."""
        return self._protocol_tag

    def setProtocolTag(self, tag: str | None) -> None:
        """Set the protocol tag."""
        self._protocol_tag = tag or ""

    # ================================================================ socket options

    def setSocketOption(self, option: _SocketOption, value: Any) -> None:
        """Set a socket option now, or when the socket is created if it is not yet."""
        if not isinstance(option, _SocketOption):
            raise TypeError(
                f"setSocketOption(): argument 1 has unexpected type '{type(option).__name__}'"
            )
        try:
            number = int(value)
        except (TypeError, ValueError):
            return
        self._options[option] = number
        if self._sock is not None:
            set_option(self._sock, option, number)

    def socketOption(self, option: _SocketOption) -> Any:
        """The option's value from the socket, or None (Qt: an invalid QVariant) without one."""
        if not isinstance(option, _SocketOption):
            raise TypeError(
                f"socketOption(): argument 1 has unexpected type '{type(option).__name__}'"
            )
        if self._sock is None:
            return None
        return get_option(self._sock, option)

    # ================================================================ protected setters

    def setSocketState(self, state: _SocketState) -> None:
        """Set the state without emitting stateChanged (Qt), checking the transition table.

        An illegal transition raises socketstate.SocketStateError: it is a bug, not a
        network condition.
        """
        check_transition(self._state, state)
        self._state = state

    def setSocketError(self, socketError: _SocketError) -> None:
        """Set error() without emitting errorOccurred (Qt)."""
        if not isinstance(socketError, _SocketError):
            raise TypeError(
                f"setSocketError(): argument 1 has unexpected type '{type(socketError).__name__}'"
            )
        self._error = socketError

    def setLocalAddress(self, address: QHostAddress | QHostAddress.SpecialAddress) -> None:
        """Set what localAddress() returns."""
        self._local_address = QHostAddress(address)

    def setLocalPort(self, port: int) -> None:
        """Set what localPort() returns."""
        self._local_port = int(port)

    def setPeerAddress(self, address: QHostAddress | QHostAddress.SpecialAddress) -> None:
        """Set what peerAddress() returns."""
        self._peer_address = QHostAddress(address)

    def setPeerPort(self, port: int) -> None:
        """Set what peerPort() returns."""
        self._peer_port = int(port)

    def setPeerName(self, name: str | None) -> None:
        """Set what peerName() returns."""
        self._peer_name = name or ""

    # internal helpers that QSslSocket may use as well
    def _set_state(self, state: _SocketState) -> None:
        """setSocketState + stateChanged, as Qt's private code does."""
        if state is self._state:
            return
        self.setSocketState(state)
        emit_if_connected(self, "stateChanged", state)

    def _set_error(self, error: _SocketError, text: str) -> None:
        self._error = error
        self.setErrorString(text)

    def _set_error_and_emit(self, error: _SocketError, text: str) -> None:
        self._set_error(error, text)
        emit_if_connected(self, "errorOccurred", error)

    # ================================================================ connecting

    def connectToHost(self, *args: Any, **kwargs: Any) -> None:
        """Connect to a host name or a QHostAddress and port, without blocking.

        ``connectToHost(hostName, port, mode=ReadWrite, protocol=AnyIPProtocol)`` or
        ``connectToHost(address, port, mode=ReadWrite)``. A name is resolved off the loop,
        unless it was resolved in the last 60 s (Qt's host cache: then Connecting and
        hostFound are emitted before this returns, as for an address); every resolved
        address is tried in turn until one accepts. Progress is reported by
        stateChanged/hostFound/connected, failure by errorOccurred; waitForConnected() waits.
        """
        host, port, mode, protocol = self._connect_arguments(*args, **kwargs)
        if self._state in (_H, _C, _OK, _X):
            self._set_error_and_emit(_SocketError.OperationError, _err.CONNECT_IN_PROGRESS)
            return
        self._reset_socket()
        self._error = _NO_ERROR
        self.setErrorString(_err.UNKNOWN)
        self._pending_close = False
        self._abort_called = False
        self._peer_port = 0  # as in Qt, the peer's port shows once connected
        self._channels_up = False
        self._peer_address = NULL_ADDRESS
        self._local_address = NULL_ADDRESS
        self._local_port = 0
        self._read_buffer.clear()
        self._write_buffer.clear()
        self.setOpenMode(mode)
        if isinstance(host, QHostAddress):
            self._peer_name = host.toString()
            self._dialer = Dialer(self._peer_name, port)
            self._set_state(_H)
            self._start_connecting(LookupResult(self._peer_name, [QHostAddress(host)]))
            return
        self._peer_name = host
        self._dialer = dialer = Dialer(host, port)
        self._set_state(_H)
        if self._state is not _H or self._dialer is not dialer:
            return  # a slot changed course
        # Qt connects synchronously to a literal address (as for a QHostAddress) and to a name
        # in QHostInfo's 60 s cache: Connecting and hostFound come before connectToHost
        # returns. Only a real lookup defers them to the event loop.
        known = dialer.lookup(protocol, self._event_loop(), self._on_lookup_done)
        if known is not None:
            self._start_connecting(known)

    def _connect_arguments(
        self, host: Any = None, port: Any = None, mode: Any = _OpenMode.ReadWrite,
        protocol: Any = _NetworkLayerProtocol.AnyIPProtocol, **kwargs: Any,
    ) -> tuple[QHostAddress | str, int, Any, _NetworkLayerProtocol]:
        host = kwargs.pop("hostName", kwargs.pop("address", host))
        port = kwargs.pop("port", port)
        mode = kwargs.pop("mode", mode)
        protocol = kwargs.pop("protocol", protocol)
        if kwargs:
            raise TypeError(f"connectToHost(): unexpected keyword '{next(iter(kwargs))}'")
        if isinstance(host, QHostAddress.SpecialAddress):
            host = QHostAddress(host)
        if not isinstance(host, (str, QHostAddress)) and host is not None:
            raise TypeError(
                f"connectToHost(): argument 1 has unexpected type '{type(host).__name__}'"
            )
        if isinstance(port, bool) or not isinstance(port, int):
            raise TypeError(
                f"connectToHost(): argument 2 has unexpected type '{type(port).__name__}'"
            )
        if not 0 <= port <= 0xFFFF:
            raise OverflowError("argument 2 overflowed: value must be in the range 0 to 65535")
        if not isinstance(mode, _OpenMode):
            raise TypeError(
                f"connectToHost(): argument 3 has unexpected type '{type(mode).__name__}'"
            )
        if not isinstance(protocol, _NetworkLayerProtocol):
            raise TypeError(
                f"connectToHost(): argument 4 has unexpected type '{type(protocol).__name__}'"
            )
        return (host if host is not None else ""), port, mode, protocol

    def _on_lookup_done(self, dialer: Dialer) -> None:
        """The lookup ended: move on to Connecting (once per lookup)."""
        if dialer is not self._dialer or self._state is not _H:
            return
        result = dialer.lookup_result()
        if result is not None:
            self._start_connecting(result)

    def _start_connecting(self, result: LookupResult) -> None:
        dialer = self._dialer
        assert dialer is not None
        if not result.addresses:
            self._dialer = None
            self._set_state(_U)
            text = _err.HOST_NOT_FOUND + (f": {result.host}" if result.host else "")
            self._set_error_and_emit(_SocketError.HostNotFoundError, text)
            return
        dialer.addresses = list(result.addresses)
        self._set_state(_C)
        if self._state is not _C:
            return
        self.hostFound.emit()
        if self._state is _C:
            self._connect_next()

    def _connect_next(self) -> None:
        """Start a non-blocking connect to the next address, or fail with the last error."""
        dialer = self._dialer
        if dialer is None or self._state is not _C:
            return
        attempt = dialer.attempt(self._options)
        if attempt is None:
            self._fail_connect()
            return
        sock, address, connected = attempt
        self._sock = sock
        # Qt shows the peer address once connected, not while trying it.
        self._dialing = QHostAddress(address)
        if connected:
            self._dialer = None
            self._on_connected()
        else:
            self._update_io()

    def _fail_connect(self) -> None:
        dialer = self._dialer
        error, text = dialer.failure() if dialer is not None else (
            _SocketError.NetworkError, f"Could not connect to {self._peer_name}")
        self._dialer = None
        self._reset_socket()
        self._peer_address = NULL_ADDRESS
        self._set_state(_U)
        self._set_error_and_emit(error, text)

    def _on_connect_event(self) -> None:
        """The pending connect finished: connected, or try the next address."""
        sock = self._sock
        dialer = self._dialer
        if sock is None or dialer is None:
            return
        outcome = dialer.check(sock, self._dialing)
        if outcome is None:
            return  # spurious wake-up: still connecting
        if outcome:
            self._dialer = None
            self._on_connected()
            return
        self._reset_socket()
        self._connect_next()

    def _enter_connected(self) -> bool:
        """The connect completed: both endpoints, then ConnectedState; False when a slot of
        stateChanged changed course."""
        sock = self._sock
        assert sock is not None
        self._peer_address = self._dialing  # unless getpeername() tells better
        self._fetch_endpoints(sock)
        self._set_state(_OK)
        return self._state is _OK

    def _on_connected(self) -> None:
        if not self._enter_connected():
            return
        self.connected.emit()
        if self._state is not _OK:
            return
        if self._pending_close:
            self.disconnectFromHost()
            return
        self._update_io()

    def _fetch_endpoints(self, sock: socket.socket, local: Any = None, peer: Any = None) -> None:
        """Set both endpoints from ``sock``, or from the sockaddrs given (known already)."""
        self._channels_up = True
        try:
            self._local_address, self._local_port = _address_of(
                sock.getsockname() if local is None else local)
        except OSError:
            pass
        try:
            self._peer_address, self._peer_port = _address_of(
                sock.getpeername() if peer is None else peer)
        except OSError:
            pass

    # ================================================================ adopting descriptors

    def setSocketDescriptor(
        self, socketDescriptor: Any, state: _SocketState = _SocketState.ConnectedState,
        mode: Any = _OpenMode.ReadWrite,
    ) -> bool:
        """Adopt an existing socket descriptor in ``state`` (the socket then owns it).

        An invalid descriptor gives False with UnsupportedSocketOperationError ("Invalid
        socket descriptor"), as Qt; a negative one gives False and no error.
        """
        fd = _descriptor(socketDescriptor)
        if not isinstance(state, _SocketState):
            raise TypeError("setSocketDescriptor(): argument 2 has unexpected type "
                            f"'{type(state).__name__}'")
        if not isinstance(mode, _OpenMode):
            raise TypeError("setSocketDescriptor(): argument 3 has unexpected type "
                            f"'{type(mode).__name__}'")
        self._reset_socket()
        self._state = _U
        self._error = _NO_ERROR
        self.setErrorString(_err.UNKNOWN)
        if fd < 0:
            return False
        known = just_accepted
        if fd == known.fd:
            # Accepted by this thread's QTcpServer a moment ago: a TCP socket whose family and
            # endpoints the server already knows (see _JustAccepted).
            known.fd = -1
            sock = socket.socket(known.family, socket.SOCK_STREAM, 0, fd)
            local, peer = known.local, known.peer
        else:
            try:
                sock = socket.socket(fileno=fd)
            except OSError:
                self._set_error(_SocketError.UnsupportedSocketOperationError,
                                _err.INVALID_DESCRIPTOR)
                return False
            # (The C-level attributes: socket.socket's properties convert them to enums first.)
            if _raw_type(sock) != socket.SOCK_STREAM or _raw_family(sock) not in (
                    socket.AF_INET, socket.AF_INET6):
                sock.detach()  # not ours to close: we refused it
                self._set_error(_SocketError.UnsupportedSocketOperationError,
                                _err.INVALID_DESCRIPTOR)
                return False
            local = peer = None
        sock.setblocking(False)
        self._sock = sock
        self._peer_name = ""
        self._pending_close = self._abort_called = False
        self._fetch_endpoints(sock, local, peer)
        for option, value in self._options.items():
            set_option(sock, option, value)
        self._read_buffer.clear()
        self._write_buffer.clear()
        self.setOpenMode(mode)
        self._set_state(state)
        self._update_io()
        return True

    # ================================================================ closing

    def disconnectFromHost(self) -> None:
        """Close gracefully: ClosingState, flush what was written, then UnconnectedState.

        Emits stateChanged(Closing), bytesWritten for the flushed data, stateChanged(
        Unconnected), readChannelFinished and disconnected, in Qt's order. While connecting,
        the close happens once connected (Qt's pending close).
        """
        if self._state is _U:
            return
        if not self._abort_called and self._state in (_H, _C):
            self._pending_close = True
            return
        if self._state is _H and self._dialer is not None:
            self._dialer.cancel()  # Qt's abortHostLookup: skipped if not started yet
            self._dialer = None
        if not self._abort_called and self._state is not _X:
            self._set_state(_X)
            if self._state is not _X:
                return
        self._read_paused = False
        if not self._abort_called and self._write_buffer and self._sock is not None:
            # The buffer drains as a write's would (see SocketPump._queue_flush: on the loop's
            # next turn), then _flush_write_buffer calls _finish_disconnect; the writer is
            # registered only if the kernel does not take it all.
            if not self._writer_on and not self._flush_queued:
                self._queue_flush()
            self._set_reader(False)
            return
        self._finish_disconnect()

    def _finish_disconnect(self) -> None:
        previous = self._state
        self._reset_socket()
        self._set_state(_U)
        emit_if_connected(self, "readChannelFinished")
        if previous in (_OK, _X):
            self.disconnected.emit()
        self._reset_endpoints()

    def _reset_endpoints(self) -> None:
        """Both endpoints back to null, as Qt leaves them once unconnected."""
        self._local_port = self._peer_port = 0
        self._local_address = NULL_ADDRESS
        self._peer_address = NULL_ADDRESS

    def abort(self) -> None:
        """Close at once, dropping unwritten data (Qt: close() without the flush)."""
        self._write_buffer.clear()
        self._abort_called = True
        try:
            self.close()
            if self._state is not _U:  # close() does nothing on a device that is not open
                self.disconnectFromHost()
        finally:
            self._abort_called = False

    def close(self) -> None:
        """QIODevice.close (aboutToClose, read buffer dropped) then disconnectFromHost()."""
        if self.isOpen():
            super().close()
        if self._state is not _U:
            self.disconnectFromHost()
        self._reset_endpoints()

    # ================================================================ blocking API

    def waitForConnected(self, msecs: int = 30000) -> bool:
        """Block until connected (True) or failed/timed out (False), without an event loop.

        On timeout the attempt is abandoned: UnconnectedState and SocketTimeoutError
        ("Socket operation timed out") without errorOccurred, as Qt. ``msecs=-1``: no limit.
        """
        return _waits.wait_for_connected(self, msecs)

    def waitForReadyRead(self, msecs: int = 30000) -> bool:
        """Block until new data was read (readyRead is emitted, except inside a readyRead
        slot, as Qt); False on timeout (errorOccurred(SocketTimeoutError)), disconnect, or a
        full read buffer."""
        return _waits.wait_for_ready_read(self, msecs)

    def waitForBytesWritten(self, msecs: int = 30000) -> bool:
        """Block until some buffered data was written (bytesWritten); False when nothing is
        buffered, on timeout or on disconnect."""
        return _waits.wait_for_bytes_written(self, msecs)

    def waitForDisconnected(self, msecs: int = 30000) -> bool:
        """Block until UnconnectedState; False on timeout or when not connected."""
        return _waits.wait_for_disconnected(self, msecs)

    # ================================================================ misc

    def bind(self, *args: Any, **kwargs: Any) -> bool:
        """Not supported for TCP client sockets in qtls (Qt binds before connecting)."""
        self._set_error(_SocketError.UnsupportedSocketOperationError,
                        "bind() is not supported by qtls sockets")
        return False

