"""QSslServer: a QTcpServer whose accepted connections become encrypted QSslSockets.

Theory of operation (Qt 6.4's ``qsslserver.cpp``, checked against PyQt6 6.11)
-----------------------------------------------------------------------------
``incomingConnection(handle)`` wraps each accepted descriptor in a QSslSocket that is a child
of the server and carries a copy of the server's ``sslConfiguration()``. From then on the
socket goes through three stages:

1. **Waiting for the first byte.** A single-shot QTimer (``handshakeTimeout()``, 5,000 ms by
   default) starts. On the socket's first ``readyRead`` the server *peeks* at one byte: a TLS
   handshake record starts with 0x16; anything else (plain HTTP, SSH banners, port scanners)
   is dropped silently — ``disconnectFromHost()`` + ``deleteLater()`` and no signal at all, as
   Qt does. Otherwise the timer restarts (progress was made), ``startServerEncryption()``
   runs and ``startedEncryptionHandshake(socket)`` is emitted. Because the bytes that already
   arrived are processed inside ``startServerEncryption()``, a handshake that fails at once
   emits ``errorOccurred(socket, …)`` *before* ``startedEncryptionHandshake`` — Qt's order.
2. **Handshaking.** The socket's ``sslErrors``, ``peerVerifyError``, ``errorOccurred``,
   ``preSharedKeyAuthenticationRequired``, ``alertSent``, ``alertReceived`` and
   ``handshakeInterruptedOnError`` are re-emitted by the server with the socket as the first
   argument. A socket whose ``errorOccurred`` fires before it is encrypted is deleted
   (``deleteLater``) right after the server's ``errorOccurred`` slots ran. When the timer
   expires, the socket is disconnected, ``errorOccurred(socket, SocketTimeoutError)`` is
   emitted (the socket's own ``error()`` is left alone, as in Qt) and it is deleted.
3. **Encrypted.** The timer stops, every link from the socket to the server is cut (later
   errors of that socket are the application's business, not the server's), and the socket
   becomes a pending connection: ``addPendingConnection`` emits ``pendingConnectionAvailable``.

``newConnection`` is inherited from QTcpServer and, as in Qt 6.4+, is emitted when the TCP
connection is *accepted*, before any handshake; ``pendingConnectionAvailable`` is the signal
that means "an encrypted socket is ready for ``nextPendingConnection()``".

Two limits bound what a server holds (a deliberate difference from Qt). Qt counts sockets still
handshaking against ``maxPendingConnections()`` (``totalPendingConnections``), so 30 clients
that connect and never send a ClientHello stall every real client until the handshake timeout
drops them. Here ``maxPendingConnections()`` (30) bounds only the encrypted sockets waiting for
``nextPendingConnection()``, Qt's meaning for a QTcpServer, and handshakes in progress have
their own limit, ``maxHandshakesInProgress()`` (4,096, and at most half the process's
descriptor limit, ``RLIMIT_NOFILE``, so that idle clients cannot take every descriptor and
make ``accept()`` fail). Reaching either limit stops accepting; new clients then wait in the
kernel's listen backlog. Handshakes already running may still finish while the pending list is
full, so it can exceed ``maxPendingConnections()`` by at most the handshakes in progress.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
import socket as _socket_module
import warnings
import weakref
from dataclasses import dataclass
from typing import Any

from qtls.core import dispatch
from qtls.core.qobject import QObject
from qtls.core.signals import has_receivers, pyqtSignal
from qtls.network.socketenums import SocketError
from qtls.network.tcpserver import QTcpServer
from qtls.ssl.engine import EngineConfigError
from qtls.ssl.engine.context import default_context_cache
from qtls.ssl.sslsocket import QSslSocket
from qtls.ssl.tlssettings import (
    ConfigurationError,
    ConfigurationWarning,
    certificate_key_problem,
    tls_settings,
)
from qtls.ssl.values.configuration import QSslConfiguration

__all__ = ["QSslServer"]

# The first byte of a TLS record carrying a handshake message (RFC 8446 §5.1, ContentType
# handshake(22)); every ClientHello, SSL 3.0 to TLS 1.3, starts with it.
_TLS_HANDSHAKE_RECORD = b"\x16"
_DEFAULT_HANDSHAKE_TIMEOUT_MS = 5000
_DEFAULT_MAX_HANDSHAKES = 4096


def _descriptor_bound() -> int:
    """Half the process's soft descriptor limit (RLIMIT_NOFILE); unbounded where unknown."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not Unix
        return _DEFAULT_MAX_HANDSHAKES
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return max(1, soft // 2) if soft != resource.RLIM_INFINITY else _DEFAULT_MAX_HANDSHAKES


_serials = itertools.count(1)


def _deadlines_due(server_ref: weakref.ref[QSslServer]) -> None:
    server = server_ref()
    if server is not None:
        server._on_deadlines_due()


@dataclass(eq=False)
class _Handshake:
    """What the server keeps about one socket between accept and encrypted (Qt: SocketData)."""

    connection: QSslSocket
    timeout_ms: int  # the server's handshakeTimeout() when the socket was accepted
    # Tells this record's entries in the server's deadline heap from those of an earlier
    # socket that had the same key (id) and is gone.
    serial: int = 0
    deadline = 0.0  # loop time at which the handshake times out (its heap entry may be earlier)
    queued = False  # the record has an entry in the deadline heap


class QSslServer(QTcpServer):
    """A TCP server whose connections are TLS-encrypted QSslSockets (Qt 6.4+: QSslServer).

    Set the certificate, key and other TLS settings with ``setSslConfiguration()`` before
    ``listen()``; every later connection gets a copy of that configuration. Connect
    ``pendingConnectionAvailable`` and take encrypted sockets with ``nextPendingConnection()``;
    they are children of the server. Failed handshakes are reported through the server's own
    signals, which carry the socket as their first argument, and the failed socket is deleted.

    A configuration with a certificate but no usable key listens, as in Qt, and each client's
    handshake fails with ``SslInvalidUserDataError`` "Cannot provide a certificate with no
    key"; qtls adds the cause to that text (no key set, wrong passphrase, EC key loaded as
    RSA...) and says it at once with a ``ConfigurationWarning`` from ``listen()`` (and from
    ``setSslConfiguration()`` on a listening server).

    ``waitForNewConnection()`` (QTcpServer's) returns (True, False) once the listening socket
    was readable and its clients were accepted, as in Qt: an encrypted socket is pending only
    after its handshake, which needs the event loop; an ``incomingConnection()`` override that
    keeps the descriptor (``setSocketDescriptor`` + ``startServerEncryption``) can instead
    finish it with the socket's own ``waitForEncrypted()``, with no loop at all.

    As Qt's, the server applies the configuration's Diffie-Hellman parameters (Qt's default
    2048-bit group unless set), so TLS 1.2 clients get DHE suites, and it picks the ALPN
    protocol by the client's preference.
    """

    startedEncryptionHandshake = pyqtSignal("QSslSocket*")
    sslErrors = pyqtSignal("QSslSocket*", "QList<QSslError>")
    peerVerifyError = pyqtSignal("QSslSocket*", "QSslError")
    errorOccurred = pyqtSignal("QSslSocket*", "QAbstractSocket::SocketError")
    preSharedKeyAuthenticationRequired = pyqtSignal(
        "QSslSocket*", "QSslPreSharedKeyAuthenticator*")
    alertSent = pyqtSignal("QSslSocket*", "QSsl::AlertLevel", "QSsl::AlertType", "QString")
    alertReceived = pyqtSignal("QSslSocket*", "QSsl::AlertLevel", "QSsl::AlertType", "QString")
    handshakeInterruptedOnError = pyqtSignal("QSslSocket*", "QSslError")

    def __init__(self, parent: QObject | None = None) -> None:
        if parent is not None and not isinstance(parent, QObject):
            raise TypeError(
                f"QSslServer(parent: QObject = None): argument 1 has unexpected type "
                f"'{type(parent).__name__}'")
        super().__init__(parent)
        self._configuration = QSslConfiguration.defaultConfiguration()
        self._handshake_timeout = _DEFAULT_HANDSHAKE_TIMEOUT_MS
        self._max_handshakes = _DEFAULT_MAX_HANDSHAKES
        # min(_max_handshakes, half RLIMIT_NOFILE), recomputed at listen() and on a set.
        self._handshake_limit = min(self._max_handshakes, _descriptor_bound())
        # id(socket) -> its handshake record; ids are safe keys because the record is dropped
        # when the socket is destroyed, before the id can be reused.
        self._handshakes: dict[int, _Handshake] = {}
        # The handshake timers (Qt: one QTimer per socket): a heap of (deadline, serial, key)
        # and one loop timer for the earliest. Nothing can observe the difference, since Qt's
        # timers are private to the server; a timer handle created and cancelled per accepted
        # socket cost more than the rest of the timeout's work. An entry stays in the heap
        # after its handshake finished and is dropped when its deadline comes.
        self._deadlines: list[tuple[float, int, int]] = []
        self._deadline_timer: asyncio.TimerHandle | None = None
        self._deadline_at = math.inf

    # ---------------------------------------------------------------- settings

    def setSslConfiguration(self, sslConfiguration: QSslConfiguration) -> None:
        """Use ``sslConfiguration`` for every connection accepted from now on.

        Qt: call it before ``listen()``; sockets already accepted keep the configuration they
        were given. The server stores a copy (value semantics).
        """
        if not isinstance(sslConfiguration, QSslConfiguration):
            raise TypeError(
                "setSslConfiguration(self, sslConfiguration: QSslConfiguration): argument 1 "
                f"has unexpected type '{type(sslConfiguration).__name__}'")
        self._configuration = QSslConfiguration(sslConfiguration)
        if self.isListening():
            self._warn_if_refused("setSslConfiguration")

    def _warn_if_refused(self, method: str) -> None:
        """Say at once that every handshake will fail for want of a key; Qt says it only in
        each client's errorOccurred (SslInvalidUserDataError, the same text)."""
        problem = certificate_key_problem(self._configuration._d)
        if problem is not None:
            # stacklevel 3: warn <- _warn_if_refused <- listen/setSslConfiguration <- caller
            warnings.warn(f"QSslServer.{method}(): {problem}; every client's handshake will "
                          "fail with SslInvalidUserDataError", ConfigurationWarning, stacklevel=3)

    def sslConfiguration(self) -> QSslConfiguration:
        """A copy of the configuration new connections get (Qt's default configuration
        until ``setSslConfiguration()``); changing the copy changes nothing."""
        return QSslConfiguration(self._configuration)

    def setHandshakeTimeout(self, timeout: int) -> None:
        """Give each new client ``timeout`` ms to start and finish its handshake (5,000 by
        default); the timer restarts once when the first handshake byte arrives.

        A client that has not finished in time is disconnected and reported with
        ``errorOccurred(socket, SocketTimeoutError)``. Only connections accepted later use the
        new value. As in Qt, a negative timeout means no timer at all.
        """
        if isinstance(timeout, bool) or not isinstance(timeout, int):
            raise TypeError("setHandshakeTimeout(self, timeout: int): argument 1 has "
                            f"unexpected type '{type(timeout).__name__}'")
        self._handshake_timeout = timeout

    def handshakeTimeout(self) -> int:
        """The handshake timeout in milliseconds (default 5,000)."""
        return self._handshake_timeout

    def setMaxHandshakesInProgress(self, numHandshakes: int) -> None:
        """Stop accepting while this many accepted clients are still in their handshake
        (qtls only; default 4,096). The server also never holds more than half the process's
        descriptor limit (RLIMIT_NOFILE) in handshakes. Values below 1 count as 1."""
        if isinstance(numHandshakes, bool) or not isinstance(numHandshakes, int):
            raise TypeError("setMaxHandshakesInProgress(self, numHandshakes: int): argument 1 "
                            f"has unexpected type '{type(numHandshakes).__name__}'")
        self._max_handshakes = numHandshakes
        self._handshake_limit = max(1, min(numHandshakes, _descriptor_bound()))
        self._update_reader()

    def maxHandshakesInProgress(self) -> int:
        """How many clients may be in their handshake at once (qtls only; default 4,096).

        Unlike Qt, handshakes in progress do not count against ``maxPendingConnections()``,
        which bounds the encrypted sockets not yet taken: idle clients that never send a
        ClientHello cannot hold up a real one.
        """
        return self._max_handshakes

    # ---------------------------------------------------------------- accepting

    def listen(self, *args: Any, **kwargs: Any) -> bool:
        """Listen as QTcpServer.listen does; then prepare the TLS context of the configuration
        (certificates and key parsed, CA store loaded), so that the first client does not
        wait for it. A configuration OpenSSL refuses is reported to each connection, as
        before: the preparation swallows its error."""
        # (The descriptor limit may have been raised since the server was made.)
        self._handshake_limit = max(1, min(self._max_handshakes, _descriptor_bound()))
        if not super().listen(*args, **kwargs):
            return False
        self._warn_if_refused("listen")
        config = self._configuration
        psk = bool(self.receivers(self.preSharedKeyAuthenticationRequired)
                   or config._d.psk_identity_hint)
        try:
            default_context_cache.get(tls_settings(config, server=True, psk=psk))
        except (ConfigurationError, EngineConfigError):
            pass  # startServerEncryption reports it, socket by socket, as Qt does
        return True

    def incomingConnection(self, socket: int) -> None:
        """Wrap the accepted descriptor in a QSslSocket and wait for its ClientHello.

        Override it, as in Qt, to take over accepted descriptors yourself; an override that
        still wants QSslServer's handling calls this implementation.
        """
        if isinstance(socket, bool) or not isinstance(socket, int):
            raise TypeError("incomingConnection(self, socket: PyQt6.sip.voidptr): argument 1 "
                            f"has unexpected type '{type(socket).__name__}'")
        connection = QSslSocket(self)
        connection.setSslConfiguration(self._configuration)
        if not connection.setSocketDescriptor(socket):
            # Qt leaves the descriptor open and the socket alive here; closing both is the only
            # way not to leak a descriptor nobody can reach any more.
            connection.deleteLater()
            try:
                _socket_module.close(socket)
            except OSError:
                pass
            return
        self._watch_handshake(connection)

    def _watch_handshake(self, connection: QSslSocket) -> None:
        """Re-emit the socket's signals and start its handshake timer (Qt:
        ``initializeHandshakeProcess``)."""
        record = _Handshake(connection, self._handshake_timeout, next(_serials))
        self._handshakes[id(connection)] = record
        # What the server itself must hear (errorOccurred, encrypted, destroyed) the socket
        # tells its watcher directly, just before it emits the signal (where Qt's server,
        # connected first, is called first): three connections less per accepted socket.
        # The relays (peerVerifyError, sslErrors, alerts, PSK, handshakeInterruptedOnError)
        # are connections, made when the handshake starts and only for the server signals
        # someone is connected to (_link_relays): most servers listen to none, and a socket
        # without alert receivers lets the engine skip OpenSSL's per-state info callback.
        connection._handshake_watcher = self
        connection._hello_watch = True  # (Qt connects readyRead to checkClientHelloAndContinue)
        self._start_timer(record)

    #: The socket signals a server relays (same name on the server, the socket first).
    _RELAYED = ("peerVerifyError", "sslErrors", "preSharedKeyAuthenticationRequired",
                "alertSent", "alertReceived", "handshakeInterruptedOnError")

    def _link_relays(self, connection: QSslSocket, record: _Handshake) -> None:
        """Relay the socket's handshake signals that the server has receivers for.

        Qt connects them all when it accepts the socket. Here the socket calls the server's
        relay itself, just before it emits the signal (where Qt's relay, connected first, is
        called first), for the server signals that have receivers when the handshake starts:
        no connection to make and cut per accepted socket, and a socket whose alerts nobody
        hears lets the engine skip OpenSSL's per-state info callback. A slot connected to the
        server in the middle of a client's handshake hears that client's signals from the next
        handshake on.
        """
        connection._relayed = frozenset(
            name for name in self._RELAYED if has_receivers(self, name))

    def _relay(self, connection: QSslSocket, name: str, args: tuple[Any, ...]) -> None:
        """The watched socket is about to emit ``name(*args)``: the server's signal first."""
        getattr(self, name).emit(connection, *args)

    def _socket_error(self, connection: QSslSocket, error: SocketError) -> None:
        """The watched socket is about to emit errorOccurred(error)."""
        self.errorOccurred.emit(connection, error)
        if not connection.isEncrypted():
            connection.deleteLater()

    # ---------------------------------------------------------------- handshake progress

    def _check_client_hello(self, connection: QSslSocket) -> None:
        """Start the server handshake if the first byte opens a TLS handshake record; drop
        the client silently otherwise (Qt: ``checkClientHelloAndContinue``, a readyRead slot:
        the socket calls it just before its first readyRead while ``_hello_watch`` is set)."""
        # The socket's own buffer, where _move_plain_input just put the bytes (QIODevice.peek's
        # mode and transaction checks are for applications).
        buffered = connection._read_buffer
        if not buffered:
            return
        first = buffered.peek(1)
        connection._hello_watch = False  # Qt disconnects the readyRead slot here
        record = self._handshakes.get(id(connection))
        if first[:1] != _TLS_HANDSHAKE_RECORD:
            connection.disconnectFromHost()
            connection.deleteLater()
            return
        if record is not None:
            self._start_timer(record)  # progress was made: the client gets a full timeout again
            self._link_relays(connection, record)
        connection.startServerEncryption()
        self.startedEncryptionHandshake.emit(connection)

    def _start_timer(self, record: _Handshake) -> None:
        """(Re)start the handshake's timeout: the deadline moves, its heap entry finds it."""
        # Qt's QTimer refuses a negative interval (with a warning): no timeout at all.
        if record.timeout_ms < 0:
            return
        loop = dispatch.thread_loop()
        record.deadline = loop.time() + record.timeout_ms / 1000
        if record.queued:
            return  # a restart (the first byte came): the due entry is pushed back then
        record.queued = True
        heapq.heappush(self._deadlines, (record.deadline, record.serial, id(record.connection)))
        if record.deadline < self._deadline_at:
            self._arm_deadline_timer(loop, record.deadline)

    def _arm_deadline_timer(self, loop: asyncio.AbstractEventLoop, when: float) -> None:
        if self._deadline_timer is not None:
            self._deadline_timer.cancel()
        self._deadline_at = when
        # Weak, as QTimer's own loop handle is: pending timeouts do not keep the server alive.
        self._deadline_timer = loop.call_at(when, _deadlines_due, weakref.ref(self))

    def _on_deadlines_due(self) -> None:
        """Time out every handshake whose deadline passed; re-arm for the next one."""
        self._deadline_timer = None
        self._deadline_at = math.inf
        loop = dispatch.thread_loop()
        heap = self._deadlines
        while heap:
            now = loop.time() + 0.001  # (a timer may fire a hair early)
            deadline, serial, key = heap[0]
            if deadline > now:
                break
            heapq.heappop(heap)
            record = self._handshakes.get(key)
            if record is None or record.serial != serial:
                continue  # that handshake finished, or its socket is gone
            if record.deadline > now:
                heapq.heappush(heap, (record.deadline, serial, key))  # restarted since
                continue
            record.queued = False
            self._on_handshake_timeout(key)  # (slots run: the heap may change under us)
        if heap and heap[0][0] < self._deadline_at:
            self._arm_deadline_timer(loop, heap[0][0])

    def _socket_encrypted(self, connection: QSslSocket) -> None:
        """The watched socket is about to emit encrypted: hand it over (no more relays, no
        more watching), then ``addPendingConnection``."""
        self._forget(id(connection), cut_links=True)
        self.addPendingConnection(connection)

    def _on_handshake_timeout(self, key: int) -> None:
        record = self._handshakes.get(key)
        if record is None:
            return
        connection = record.connection
        self._forget(key, cut_links=False)
        connection.disconnectFromHost()
        self.errorOccurred.emit(connection, SocketError.SocketTimeoutError)
        connection.deleteLater()

    def _socket_destroyed(self, connection: QSslSocket) -> None:
        """The watched socket is being deleted."""
        self._forget(id(connection), cut_links=False)

    def _forget(self, key: int, *, cut_links: bool) -> None:
        """Drop the handshake record of a socket (its deadline entry goes when due); with
        ``cut_links`` also the relays, as Qt's ``socket->disconnect(server)`` once encrypted."""
        record = self._handshakes.pop(key, None)
        if record is None:
            return
        record.connection._hello_watch = False
        if cut_links:
            record.connection._handshake_watcher = None
            record.connection._relayed = frozenset()
        # A handshake slot freed up: accept again if the handshake limit held us back. (Qt
        # only does this on a timeout; doing it for every finished handshake is deliberate.)
        self._update_reader()

    def _wants_accept(self) -> bool:
        """Room for one more: encrypted sockets pending below ``maxPendingConnections()`` and
        handshakes below their own limit (Qt counts both against the first)."""
        return (self._sock is not None and not self._paused
                and len(self._pending) < max(self._max_pending, 1)
                and len(self._handshakes) < self._handshake_limit)

    def _destroy(self) -> None:
        for key in list(self._handshakes):
            self._forget(key, cut_links=True)
        if self._deadline_timer is not None:
            self._deadline_timer.cancel()
            self._deadline_timer = None
        self._deadlines.clear()
        super()._destroy()
