"""QTcpServer: listening socket, pending connections, accept hook.

The listening socket is registered with the loop of the server's thread (``add_reader``).
Each readiness event accepts connections until the kernel has none left or
``maxPendingConnections`` are waiting; for each one the overridable ``incomingConnection(fd)``
runs (the default wraps the descriptor in a QTcpSocket and calls ``addPendingConnection``,
which emits ``pendingConnectionAvailable``), then ``newConnection`` is emitted: Qt's order.
While the pending list is full, or after ``pauseAccepting()``, the reader is off, so new
clients wait in the kernel's backlog. ``waitForNewConnection`` polls the descriptor itself and
needs no loop. Failed accepts of clients that vanished (ECONNABORTED and friends) are skipped;
real accept errors (out of descriptors) pause accepting and emit ``acceptError`` as Qt does.
"""

from __future__ import annotations

import asyncio
import errno
import selectors
import socket
import threading
import weakref
from typing import Any

from qtls.core.dispatch import post, thread_loop
from qtls.core.qobject import QObject
from qtls.core.signals import pyqtSignal
from qtls.network import socketerrors as _err
from qtls.network.abstractsocket import _address_of, _descriptor, just_accepted
from qtls.network.dialer import sockaddr_of
from qtls.network.hostaddress import QHostAddress
from qtls.network.socketenums import NetworkLayerProtocol, SocketError
from qtls.network.socketpump import release_descriptor
from qtls.network.socketwaits import Deadline
from qtls.network.tcpsocket import QTcpSocket

__all__ = ["QTcpServer"]

_TRANSIENT_ACCEPT_ERRORS = frozenset({
    errno.EAGAIN, errno.EWOULDBLOCK, errno.EINTR, errno.ECONNABORTED, errno.EPROTO,
    errno.EPERM, errno.ENETDOWN, errno.ENOPROTOOPT, errno.EHOSTDOWN, errno.ENONET,
    errno.EHOSTUNREACH, errno.EOPNOTSUPP, errno.ENETUNREACH, errno.ECONNRESET,
})
_SERVER_MESSAGES = {
    errno.EADDRINUSE: (SocketError.AddressInUseError, "The bound address is already in use"),
    errno.EADDRNOTAVAIL: (SocketError.SocketAddressNotAvailableError,
                          "The address is not available"),
    errno.EACCES: (SocketError.SocketAccessError, "The address is protected"),
}


def _accept_ready(ref: weakref.ref[QTcpServer]) -> None:
    server = ref()
    if server is not None:
        server._accept_ready()


class QTcpServer(QObject):
    """A TCP server (Qt: QTcpServer): listen(), then take connections as they arrive.

    ``listen()`` with the default ``QHostAddress.SpecialAddress.Any`` is dual-stack (an IPv6
    socket that also accepts IPv4, whose peers then appear as ``::ffff:a.b.c.d``), as Qt.
    Override ``incomingConnection(handle)`` to wrap accepted descriptors in another socket
    class (QSslServer does) and hand them to ``addPendingConnection``. Proxies are not
    supported. ``socketDescriptor()`` is an int (PyQt6: sip.voidptr).
    """

    newConnection = pyqtSignal()
    pendingConnectionAvailable = pyqtSignal()
    acceptError = pyqtSignal(SocketError)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._sock: socket.socket | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._reader_on = False
        self._paused = False
        self._pending: list[QTcpSocket] = []
        self._max_pending = 30
        self._backlog = 50
        self._address = QHostAddress()
        self._port = 0
        self._error = SocketError.UnknownSocketError
        self._error_string = ""
        # What an accepted descriptor is known to be (see _know_listener): its family (0 for
        # a listener that is not TCP over IP: nothing is known then), and its local sockaddr
        # (None when the listener is on a wildcard address: the kernel knows which one).
        self._accepted_family = 0
        self._accepted_local: Any = None

    # ---------------------------------------------------------------- listening

    def listen(
        self,
        address: QHostAddress | QHostAddress.SpecialAddress = QHostAddress.SpecialAddress.Any,
        port: int = 0,
    ) -> bool:
        """Listen on ``address``:``port`` (0 = any free port); False with serverError() when
        the address is in use, not available or protected."""
        if isinstance(address, QHostAddress.SpecialAddress):
            address = QHostAddress(address)
        if not isinstance(address, QHostAddress):
            raise TypeError(f"listen(): argument 1 has unexpected type '{type(address).__name__}'")
        if isinstance(port, bool) or not isinstance(port, int):
            raise TypeError(f"listen(): argument 2 has unexpected type '{type(port).__name__}'")
        if not 0 <= port <= 0xFFFF:
            raise OverflowError("argument 2 overflowed: value must be in the range 0 to 65535")
        if self._sock is not None:
            return False  # Qt: "QTcpServer::listen() called when already listening"
        protocol = address.protocol()
        if protocol is NetworkLayerProtocol.UnknownNetworkLayerProtocol:
            self._set_error(SocketError.UnsupportedSocketOperationError,
                            "Unsupported socket operation")
            return False
        try:
            sock = self._bind(address, protocol, port)
        except OSError as exc:
            code = exc.errno or 0
            error, text = _SERVER_MESSAGES.get(code) or _err.from_os_error(exc)
            self._set_error(error, text)
            return False
        sock.setblocking(False)
        self._sock = sock
        self._paused = False
        sockaddr = sock.getsockname()
        bound, self._port = _address_of(sockaddr)
        self._know_listener(sock, sockaddr)
        self._address = QHostAddress(address) if protocol is NetworkLayerProtocol.AnyIPProtocol \
            else bound
        self._update_reader()
        return True

    def _bind(self, address: QHostAddress, protocol: NetworkLayerProtocol,
              port: int) -> socket.socket:
        if protocol is NetworkLayerProtocol.AnyIPProtocol and socket.has_ipv6:
            try:
                sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
                return self._bind_and_listen(sock, ("::", port))
            except OSError as exc:
                if exc.errno not in (errno.EAFNOSUPPORT, errno.EADDRNOTAVAIL):
                    raise
        if protocol in (NetworkLayerProtocol.AnyIPProtocol, NetworkLayerProtocol.IPv4Protocol):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            return self._bind_and_listen(sock, (address.toString(), port))
        sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        return self._bind_and_listen(sock, sockaddr_of(address, port)[1])

    def _bind_and_listen(self, sock: socket.socket, sockaddr: tuple[Any, ...]) -> socket.socket:
        try:
            # Qt sets SO_REUSEADDR on Unix so a restarted server can rebind at once; a port
            # another socket is listening on still fails with EADDRINUSE.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(sockaddr)
            sock.listen(self._backlog)
        except OSError:
            sock.close()
            raise
        return sock

    def isListening(self) -> bool:
        """True between a successful listen() (or setSocketDescriptor) and close()."""
        return self._sock is not None

    def close(self) -> None:
        """Stop listening; pending connections not yet taken are closed and dropped (Qt)."""
        pending, self._pending = self._pending, []
        for connection in pending:
            connection.abort()
            connection.deleteLater()
        sock = self._sock
        if sock is None:
            return
        self._set_reader(False)
        self._sock = None
        self._address = QHostAddress()
        self._port = 0
        self._accepted_family, self._accepted_local = 0, None
        sock.close()

    def serverAddress(self) -> QHostAddress:
        """The listening address (SpecialAddress.Any stays Any); null when not listening."""
        return QHostAddress(self._address)

    def serverPort(self) -> int:
        """The listening port; 0 when not listening."""
        return self._port

    def socketDescriptor(self) -> int:
        """The listening descriptor, or -1."""
        return self._sock.fileno() if self._sock is not None else -1

    def setSocketDescriptor(self, socketDescriptor: Any) -> bool:
        """Listen on an already listening descriptor (the server then owns it)."""
        fd = _descriptor(socketDescriptor)
        if self._sock is not None:
            return False
        try:
            sock = socket.socket(fileno=fd)
        except OSError:
            self._set_error(SocketError.UnsupportedSocketOperationError, _err.INVALID_DESCRIPTOR)
            return False
        try:
            listening = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)
        except OSError:
            listening = 0
        if not listening or sock.type != socket.SOCK_STREAM:
            sock.detach()
            self._set_error(SocketError.UnsupportedSocketOperationError, _err.INVALID_DESCRIPTOR)
            return False
        sock.setblocking(False)
        self._sock = sock
        self._paused = False
        sockaddr = sock.getsockname()
        self._address, self._port = _address_of(sockaddr)
        self._know_listener(sock, sockaddr)
        self._update_reader()
        return True

    def _know_listener(self, sock: socket.socket, sockaddr: Any) -> None:
        """Remember what every descriptor accepted from ``sock`` will be (see _JustAccepted in
        abstractsocket): a TCP socket of the listener's family, whose local address is the
        listener's own unless that is a wildcard."""
        family = sock.family  # (both callers have made sure it is a stream socket)
        if family not in (socket.AF_INET, socket.AF_INET6):
            self._accepted_family, self._accepted_local = 0, None
            return
        self._accepted_family = int(family)
        wildcard = sockaddr[0] in ("0.0.0.0", "::")
        self._accepted_local = None if wildcard else sockaddr

    # ---------------------------------------------------------------- settings and errors

    def maxPendingConnections(self) -> int:
        """How many accepted connections may wait for nextPendingConnection (default 30)."""
        return self._max_pending

    def setMaxPendingConnections(self, numConnections: int) -> None:
        """Stop accepting while this many connections are pending (Qt)."""
        self._max_pending = int(numConnections)
        self._update_reader()

    def listenBacklogSize(self) -> int:
        """The backlog passed to listen() (default 50)."""
        return self._backlog

    def setListenBacklogSize(self, size: int) -> None:
        """Set the backlog for the next listen()."""
        self._backlog = int(size)

    def serverError(self) -> SocketError:
        """The last error; UnknownSocketError when there was none."""
        return self._error

    def errorString(self) -> str:
        """A human-readable description of the last error (empty when there was none)."""
        return self._error_string

    def _set_error(self, error: SocketError, text: str) -> None:
        self._error = error
        self._error_string = text

    def pauseAccepting(self) -> None:
        """Leave new connections in the kernel's backlog until resumeAccepting()."""
        self._paused = True
        self._update_reader()

    def resumeAccepting(self) -> None:
        """Accept connections again after pauseAccepting()."""
        self._paused = False
        self._update_reader()

    # ---------------------------------------------------------------- pending connections

    def hasPendingConnections(self) -> bool:
        """True when nextPendingConnection() would return a socket."""
        return bool(self._pending)

    def nextPendingConnection(self) -> QTcpSocket | None:
        """The oldest accepted connection (a child of the server), or None."""
        if not self._pending:
            return None
        connection = self._pending.pop(0)
        self._update_reader()
        return connection

    def addPendingConnection(self, socket: QTcpSocket | None) -> None:
        """Queue ``socket`` for nextPendingConnection() and emit pendingConnectionAvailable."""
        if socket is None:
            return
        if not isinstance(socket, QTcpSocket):
            raise TypeError("addPendingConnection(): argument 1 has unexpected type "
                            f"'{type(socket).__name__}'")
        self._pending.append(socket)
        self.pendingConnectionAvailable.emit()

    def incomingConnection(self, handle: int) -> None:
        """Wrap an accepted descriptor in a QTcpSocket and queue it (override to customise)."""
        connection = QTcpSocket(self)
        if connection.setSocketDescriptor(handle):
            self.addPendingConnection(connection)
        else:
            try:
                socket.close(handle)
            except OSError:
                pass

    # ---------------------------------------------------------------- accepting

    def _wants_accept(self) -> bool:
        return (self._sock is not None and not self._paused
                and len(self._pending) < max(self._max_pending, 1))

    def _event_loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None or self._loop.is_closed():
            self._loop = thread_loop()
        return self._loop

    def _update_reader(self) -> None:
        self._set_reader(self._wants_accept())

    def _set_reader(self, on: bool) -> None:
        if on is self._reader_on or self._sock is None:
            if self._sock is None:
                self._reader_on = False
            return
        loop = self._event_loop()
        if on:
            # Weakly: the loop must not keep a server alive that nobody else references.
            if self._weak is None:
                self._weak = weakref.ref(self)
            loop.add_reader(self._sock, _accept_ready, self._weak)  # (see SocketPump._set_reader)
        else:
            loop.remove_reader(self._sock.fileno())
        self._reader_on = on

    def _accept_ready(self) -> None:
        """Accept until the backlog is empty or the pending list is full (Qt's loop)."""
        family = self._accepted_family
        known = just_accepted
        while self._wants_accept():
            sock = self._sock
            assert sock is not None
            try:
                # The bare descriptor (socket.accept would wrap it in a socket object only for
                # us to detach it again: two objects and an enum conversion per connection).
                descriptor, address = sock._accept()  # type: ignore[attr-defined]
            except (BlockingIOError, InterruptedError):
                break
            except OSError as exc:
                if exc.errno in _TRANSIENT_ACCEPT_ERRORS:
                    continue  # that client is gone; the next one may be fine
                self.pauseAccepting()
                error, text = _err.from_os_error(exc)
                self._set_error(error, text)
                self.acceptError.emit(error)
                break
            if family:  # (what setSocketDescriptor need not ask the kernel)
                known.fd, known.family, known.peer = descriptor, family, address
                known.local = self._accepted_local
            try:
                self.incomingConnection(descriptor)
            finally:
                known.fd = -1
            self.newConnection.emit()
            if self._sock is None:
                return  # a slot closed the server
        self._update_reader()

    def waitForNewConnection(self, msecs: int = 0) -> tuple[bool, bool]:
        """Block up to ``msecs`` for a connection: (ready, timedOut). No loop needed.

        As in Qt, *ready* is True once the listening socket became readable and its
        connections were handed to ``incomingConnection()``, whether or not that put one in
        the pending list: an override that keeps the descriptor (``setSocketDescriptor`` +
        ``startServerEncryption``, Qt's documented pattern) gets (True, False), and so does a
        server whose pending list is full. Not listening gives (False, False).
        """
        if isinstance(msecs, bool) or not isinstance(msecs, int):
            raise TypeError("waitForNewConnection(): argument 1 has unexpected type "
                            f"'{type(msecs).__name__}'")
        sock = self._sock
        if sock is None:
            return False, False
        deadline = Deadline(msecs)
        with selectors.DefaultSelector() as selector:
            selector.register(sock.fileno(), selectors.EVENT_READ)
            ready = selector.select(deadline.remaining())
        if not ready:
            return False, True
        self._accept_ready()  # (Qt: readNotification(), which may accept nothing)
        return True, False

    def _set_thread(self, thread: threading.Thread) -> None:
        """moveToThread: leave the old thread's loop, register with the new one there."""
        moving = thread is not self._qt_thread
        was_on = self._reader_on
        if moving:
            self._set_reader(False)
            self._loop = None
        super()._set_thread(thread)
        if moving and was_on:
            post(thread, self._update_reader)

    def _destroy(self) -> None:
        self.close()
        super()._destroy()

    _weak: weakref.ref[QTcpServer] | None = None

    def __del__(self) -> None:
        # A server nobody references stops listening, as Qt's destructor closes it (the loop
        # holds its registration weakly, see _set_reader).
        d = self.__dict__
        sock = d.get("_sock")
        if sock is not None:
            release_descriptor(d.get("_loop"), sock, bool(d.get("_reader_on")),
                               d.get("_qt_thread"), d.get("_weak"))
