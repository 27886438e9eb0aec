"""QSslSocket: the TLS socket, a QTcpSocket that owns its descriptor, on a sans-I/O engine.

Theory of operation
===================

A QSslSocket *is* a QTcpSocket: one object, one descriptor, one read and one write buffer.
Until a handshake starts it behaves exactly as QTcpSocket (unencrypted mode: STARTTLS
protocols talk in the clear first). ``connectToHostEncrypted()`` (once connected) or
``startClientEncryption()`` / ``startServerEncryption()`` make a :class:`~qtls.ssl.tlslayer.TlsLayer`
(Qt's cryptograph): the engine, the TLS phase, the verification decisions of this connection,
and the one ``transmit()`` that moves every byte between the kernel, the engine and the
socket's buffers. From then on the socket's buffers hold *plaintext*; the layer's theory
(buffers, the engine rule, flow control) is in :mod:`qtls.ssl.tlslayer`. The layer is dropped
when the connection ends, so nothing of one connection leaks into the next.

What this module holds: the PyQt6 API and signals, the lifecycle (connect, adopt a
descriptor, start encryption, disconnect, abort, close) and the blocking waits, which poll the
descriptor and run the same handlers as the loop (:mod:`qtls.network.socketwaits`). The
handlers of QAbstractSocket's pump are overridden to go through the layer once it exists:
``_on_readable`` hands received ciphertext straight to the engine, ``_on_writable`` flushes
ciphertext the kernel refused, ``writeData`` queues plaintext for ``transmit()``.

States
======

The TCP state (``state()``) is QAbstractSocket's; the TLS phase is the layer's
(:class:`~qtls.ssl.tlsphase.TlsPhase`, with its table and every flag it depends on in
:mod:`qtls.ssl.tlsphase`; no layer means UNENCRYPTED). ``mode()`` is Qt's SslMode: set (with
``modeChanged``) when a handshake starts, kept until the next connection.

Verification is Qt's: OpenSSL's verify callback records errors without failing; once the
engine reports the handshake complete, :mod:`qtls.ssl.verdict` adds the host-name,
missing-certificate and OCSP checks, the socket emits ``peerVerifyError`` for each and one
``sslErrors(list)``; unless the application ignored them (``ignoreSslErrors()`` in the slot, or
a matching ``ignoreSslErrors(list)`` beforehand) or asked to pause (``PauseOnSslErrors``), the
socket fails with ``SslHandshakeFailedError`` and disconnects.

Signal order is PyQt6's, checked scenario by scenario against PyQt6 itself
(tests/sslsocket/test_pyqt6_parity.py). Qt's QSslSocket drives a private plain socket, and a
few of its sequences come from that socket's own signals; qtls has no such socket and emits
them on purpose, each from one commented place: ClosingState twice after
``disconnectFromHost()`` on an encrypted socket (:meth:`TlsLayer.close_tcp`),
RemoteHostClosedError once for the peer's close_notify and once more for its FIN
(:meth:`TlsLayer.on_close_notify`, :meth:`QSslSocket._on_readable`), and
``alertSent(close notify)`` just before ``disconnected`` even after ``abort()``
(:meth:`TlsLayer.on_disconnected`).

Where qtls differs from Qt on purpose: a peer's close_notify is answered at once (Qt answers
when the connection ends); ``waitForBytesWritten``/``waitForReadyRead`` right after
``connectToHostEncrypted`` wait for the handshake (Qt returns False in that window); closing
never resets the connection (see :mod:`qtls.ssl.lingerer`); ``ephemeralServerKey()`` stays
null (cryptography's bindings do not expose ``SSL_get_peer_tmp_key``); a server-side socket
reports alerts only while alertSent/alertReceived have receivers (connecting one switches the
reporting on, see ``_signal_connected``), which spares OpenSSL's info callback on every state
change of every other handshake.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from qtls.core.dispatch import post
from qtls.core.iodevice import QIODevice
from qtls.core.qobject import QObject
from qtls.core.signals import emit_if_connected, has_receivers, pyqtSignal
from qtls.network import socketerrors as _err
from qtls.network import socketwaits as _waits
from qtls.network.socketenums import SocketError, SocketState
from qtls.network.socketio import RECV_SIZE, receive_view
from qtls.network.tcpsocket import QTcpSocket
from qtls.ssl import backend as _backend
from qtls.ssl.engine import EngineConfigError, EngineState, TlsEngine
from qtls.ssl.engine.events import ConnectionInfo
from qtls.ssl.lingerer import drain_and_linger
from qtls.ssl.qssl import QSsl
from qtls.ssl.tlslayer import TlsLayer
from qtls.ssl.tlsphase import TlsPhase
from qtls.ssl.tlssettings import ConfigurationError, tls_settings
from qtls.ssl.values.cipher import QSslCipher
from qtls.ssl.values.configuration import QSslConfiguration
from qtls.ssl.values.configurationdata import PeerVerifyMode, SslMode
from qtls.ssl.values.configurationdata import PeerVerifyMode as _PeerVerifyMode
from qtls.ssl.values.configurationdata import SslMode as _SslMode
from qtls.ssl.values.ocsp import QOcspResponse
from qtls.ssl.values.psk import QSslPreSharedKeyAuthenticator
from qtls.ssl.x509.certificate import QSslCertificate
from qtls.ssl.x509.error import QSslError
from qtls.ssl.x509.key import QSslKey

__all__ = ["QSslSocket"]

_log = logging.getLogger("qtls")

_U = SocketState.UnconnectedState
_H = SocketState.HostLookupState
_C = SocketState.ConnectingState
_OK = SocketState.ConnectedState
_X = SocketState.ClosingState
_HANDSHAKING = TlsPhase.HANDSHAKING
_PAUSED = TlsPhase.PAUSED
_ENCRYPTED = TlsPhase.ENCRYPTED
_CLOSING = TlsPhase.CLOSING
_PLAIN_MODE = SslMode.UnencryptedMode
_NO_PERSISTENCE = QSsl.SslOption.SslOptionDisableSessionPersistence


def _read_file(path: str, what: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        _log.warning("QSslSocket::%s: Couldn't open file for reading (%s)", what, exc.strerror)
        return None


class QSslSocket(QTcpSocket):
    """An SSL/TLS encrypted TCP socket for clients and servers (Qt's ``QSslSocket``).

    Client: ``connectToHostEncrypted(host, port)`` (or ``connectToHost`` then
    ``startClientEncryption()``, STARTTLS). Server: ``setSocketDescriptor(fd)`` then
    ``startServerEncryption()``. Data written before the handshake completes is queued and
    sent once ``encrypted`` was emitted. See the module docstring for the theory of operation.
    """

    SslMode = SslMode
    PeerVerifyMode = PeerVerifyMode

    encrypted = pyqtSignal()
    encryptedBytesWritten = pyqtSignal(int)
    modeChanged = pyqtSignal(SslMode)
    peerVerifyError = pyqtSignal(QSslError)
    sslErrors = pyqtSignal(list)
    preSharedKeyAuthenticationRequired = pyqtSignal(QSslPreSharedKeyAuthenticator)
    newSessionTicketReceived = pyqtSignal()
    alertSent = pyqtSignal(QSsl.AlertLevel, QSsl.AlertType, str)
    alertReceived = pyqtSignal(QSsl.AlertLevel, QSsl.AlertType, str)
    handshakeInterruptedOnError = pyqtSignal(QSslError)
    # A server engine reports alerts only when someone listens (see _start_encryption); a slot
    # connected later switches the reporting on (_signal_connected).
    alertSent.notify_connect = True
    alertReceived.notify_connect = True

    # The QSslServer handling this socket's handshake (see QSslServer._watch_handshake): told
    # of errorOccurred, encrypted and destruction just before the signal goes out.
    _handshake_watcher: Any = None
    _hello_watch = False  # the watcher checks the first bytes before our first readyRead
    # The handshake signals the watcher relays (QSslServer._link_relays), by name.
    _relayed: frozenset[str] = frozenset()
    #: readyRead emissions so far, counted just before each one (blocked signals included):
    #: what waitForReadyRead waits for, as Qt's ``readyReadEmittedPointer`` flag.
    _ready_reads = 0
    #: Sends of ciphertext to the kernel so far: what waitForBytesWritten waits for, and
    #: their number when the last waitForBytesWritten returned.
    _encrypted_writes = 0
    _written_mark = 0

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._config = QSslConfiguration.defaultConfiguration()
        self._tls: TlsLayer | None = None
        self._mode = _PLAIN_MODE
        # connectToHostEncrypted() was called: the handshake starts once connected.
        self._auto_start = False
        # connectToHostEncrypted() already reset the connection state (connectToHost skips it).
        self._initialized = False
        self._ignore_all = False
        self._ignore_list: list[QSslError] = []
        self._handshake_errors: list[QSslError] = []
        self._ocsp: list[QOcspResponse] = []
        self._verification_peer_name = ""
        self._peer_name_given = False  # setPeerName() called since the last connectToHost
        self._session_resumed = False  # for tests and diagnostics: was the last session resumed?
        self._last_info: ConnectionInfo | None = None

    # ================================================================== per-connection state

    def _init_connection(self) -> None:
        """Qt's QSslSocketPrivate::init(): forget the last connection (not ignoreSslErrors(list))."""
        self._mode = _PLAIN_MODE
        self._drop_tls()
        self._auto_start = False
        self._pending_close = False
        self._ignore_all = False
        self._handshake_errors = []
        self._ocsp = []
        self._session_resumed = False
        self._last_info = None
        self._config._reset_session_state()

    def _plain_mode(self) -> bool:
        """True while the socket behaves as a plain QTcpSocket (no handshake started or planned)."""
        return self._mode is _PLAIN_MODE and not self._auto_start

    def _connection_info(self) -> ConnectionInfo | None:
        """Internal hook (demo, CLI, QSslServer): what the last handshake negotiated, beyond Qt's
        API: key-exchange group, SNI name seen by a server, whether the session was resumed.
        Kept after the connection ended; None before a handshake completed."""
        return self._last_info

    def _emit_relayed(self, name: str, *args: Any) -> None:
        """Emit handshake signal ``name``: the watching server's relay first (where Qt's
        relay, connected first, is called), then our slots."""
        if name in self._relayed and not self._qt_blocked:
            self._handshake_watcher._relay(self, name, args)
        getattr(self, name).emit(*args)

    def _heard(self, name: str) -> bool:
        """Someone hears signal ``name``: a slot, or the watching server's relay."""
        return name in self._relayed or has_receivers(self, name)

    def _set_error_and_emit(self, error: SocketError, text: str) -> None:
        watcher = self._handshake_watcher
        if watcher is None or self._qt_blocked:
            super()._set_error_and_emit(error, text)
            return
        self._set_error(error, text)
        watcher._socket_error(self, error)
        self.errorOccurred.emit(error)

    def _destroy(self) -> None:
        watcher = self._handshake_watcher
        if watcher is not None and not self._qt_deleted:
            watcher._socket_destroyed(self)
        self._drop_tls()
        super()._destroy()

    def _drop_tls(self) -> None:
        """Forget the connection's TLS layer (a new connection, or deletion)."""
        tls = self._tls
        if tls is not None:
            self._tls = None
            tls.drop()

    def _set_thread(self, thread: threading.Thread) -> None:
        """moveToThread: what the TLS layer queued on the old thread's loop is queued again on
        the new one's (it must run in the thread the socket lives in)."""
        tls = self._tls
        if tls is None or thread is self._qt_thread or tls.soon is None:
            super()._set_thread(thread)
            return
        transmit, resume = tls.transmit_queued, tls.resume_queued
        tls.forget_queued()
        tls.transmit_queued = tls.resume_queued = False
        super()._set_thread(thread)
        if resume:
            post(thread, tls.queue_resume)
        if transmit:
            post(thread, tls.queue_transmit)

    def _signal_connected(self, name: str | None) -> None:
        """Qt's connectNotify, for alertSent/alertReceived: a handshake started without alert
        receivers reports alerts from now on."""
        tls = self._tls
        if tls is not None:
            tls.engine.report_alerts()

    # ================================================================== connecting

    def connectToHost(self, *args: Any, **kwargs: Any) -> None:
        """Connect without encryption (a plain QTcpSocket until ``startClientEncryption()``).

        Same arguments as QAbstractSocket.connectToHost. After ``connectToHostEncrypted`` this
        is the step that starts the TCP connection; the handshake starts once connected.
        """
        host, port, mode, protocol = self._connect_arguments(*args, **kwargs)
        if self._state is _U:
            self._peer_name_given = False
            if not self._initialized:
                self._init_connection()
            self._initialized = False
            self._read_paused = False
        super().connectToHost(host, port, mode, protocol)

    def connectToHostEncrypted(self, *args: Any, **kwargs: Any) -> None:
        """Connect and start the client handshake as soon as the TCP connection is up.

        ``connectToHostEncrypted(hostName, port, mode=ReadWrite, protocol=AnyIPProtocol)`` or
        ``connectToHostEncrypted(hostName, port, sslPeerName, mode=ReadWrite, protocol=...)``:
        ``sslPeerName`` replaces the host name for SNI and certificate verification. Emits
        Qt's sequence: stateChanged(HostLookup/Connecting/Connected), modeChanged(SslClientMode),
        connected, then (after verification) encrypted. A protocol this OpenSSL cannot honour
        fails at once with SslInvalidUserDataError.
        """
        peer_name: str | None = None
        if len(args) >= 3 and (args[2] is None or isinstance(args[2], str)):
            peer_name = args[2] or ""
            args = args[:2] + args[3:]
        if "sslPeerName" in kwargs:
            peer_name = kwargs.pop("sslPeerName") or ""
        host, port, mode, protocol = self._connect_arguments(*args, **kwargs)
        if self._state is not _U:
            _log.warning(
                "QSslSocket::connectToHostEncrypted() called when already connecting/connected")
            return
        if not self._protocol_supported():
            return
        self._init_connection()
        self._auto_start = True
        self._initialized = True
        if peer_name is not None:
            self._verification_peer_name = peer_name
        self.connectToHost(host, port, mode, protocol)  # virtual, as in Qt

    def _protocol_supported(self) -> bool:
        """Qt's verifyProtocolSupported: False (and SslInvalidUserDataError) if it cannot be used."""
        try:
            _backend.protocol_version_range(self._config.protocol())
        except _backend.UnsupportedProtocolError as exc:
            self._set_error_and_emit(
                SocketError.SslInvalidUserDataError,
                f"Attempted to use an unsupported protocol ({exc})",
            )
            return False
        return True

    def _on_connected(self) -> None:
        """The TCP connection is up: Connected, the handshake (connectToHostEncrypted), then
        connected, as Qt's _q_connectedSlot."""
        if not self._enter_connected():
            return
        if self._auto_start:
            self.startClientEncryption()
        self.connected.emit()
        if self._state is not _OK:
            return
        if self._pending_close and not self._auto_start:
            self._pending_close = False
            self.disconnectFromHost()
            return
        self._update_io()

    def setSocketDescriptor(
        self,
        socketDescriptor: Any,
        state: SocketState = SocketState.ConnectedState,
        mode: Any = QIODevice.OpenModeFlag.ReadWrite,
    ) -> bool:
        """Adopt a connected descriptor (a server's accepted connection), unencrypted.

        Call ``startServerEncryption()`` next (Qt's classic server pattern). Returns False and
        sets the error for an invalid descriptor, as QTcpSocket does.
        """
        self._init_connection()
        self._read_paused = False
        return super().setSocketDescriptor(socketDescriptor, state, mode)

    def startClientEncryption(self) -> None:
        """Start a client handshake on a connected, unencrypted socket (STARTTLS).

        Does nothing (with Qt's warning) when already encrypting or not connected.
        """
        self._start_encryption_if_possible(server=False)

    def startServerEncryption(self) -> None:
        """Start a server handshake on a connected, unencrypted socket (after setSocketDescriptor).

        Needs a local certificate and private key (or PSK); a certificate without its key fails
        with SslInvalidUserDataError naming the cause, then SslInternalError, as Qt reports.
        """
        self._start_encryption_if_possible(server=True)

    def _start_encryption_if_possible(self, *, server: bool) -> None:
        name = "startServerEncryption" if server else "startClientEncryption"
        if self._mode is not _PLAIN_MODE:
            _log.warning("QSslSocket::%s: cannot start handshake on non-plain connection", name)
            return
        if self._state is not _OK:
            _log.warning("QSslSocket::%s: cannot start handshake when not connected", name)
            return
        if not self._protocol_supported():
            return
        self._start_encryption(server=server)

    def _start_encryption(self, *, server: bool) -> None:
        """modeChanged, then a TLS layer for the configuration (its context cached), then the
        first flight.

        Qt's rules: a configuration OpenSSL refuses (a certificate without its key, ...)
        reports SslInvalidUserDataError naming the cause, then SslInternalError "Unable to
        init SSL Context", and leaves the TCP connection up. Bytes received in unencrypted
        mode and not read are the start of the handshake (QSslServer peeks at the
        ClientHello's first byte); bytes written in unencrypted mode and not sent yet go out
        before it.
        """
        self._mode = SslMode.SslServerMode if server else SslMode.SslClientMode
        emit_if_connected(self, "modeChanged", self._mode)
        if self._state is not _OK:
            return
        config = self._config
        psk = bool(
            self._heard("preSharedKeyAuthenticationRequired")
            or (server and config._d.psk_identity_hint)
        )
        peer_name = self._verification_peer_name or self._peer_name
        try:
            settings = tls_settings(config, server=server, psk=psk)
            engine = TlsEngine(
                settings,
                server_hostname=None if server else (peer_name or None),
                session=None if server else (bytes(config.sessionTicket()) or None),
                # OpenSSL's info callback (every state change) only when someone hears the
                # alerts, or a client stores TLS 1.3 tickets (Qt's session persistence).
                report_alerts=self._heard("alertSent") or self._heard("alertReceived"),
                report_tickets=not server and not config.testSslOption(_NO_PERSISTENCE),
            )
        except (ConfigurationError, EngineConfigError) as exc:
            text = str(exc)
            text = text[:1].upper() + text[1:]
            self._set_error_and_emit(SocketError.SslInvalidUserDataError, text)
            self._set_error_and_emit(SocketError.SslInternalError,
                                     f"Unable to init SSL Context: {text}")
            return
        tls = self._tls = TlsLayer(self, engine)
        if self._write_buffer._size and not self._auto_start:
            # Written in the clear and not sent yet: it goes first, as it would have in Qt
            # (where it waits in the plain socket's buffer).
            for chunk in self._write_buffer.read_all_chunks():
                tls.queue(bytes(chunk))
            self._update_io()
        leftover = self._read_buffer.read_all() if self._read_buffer else b""
        tls.start(leftover, server=server)

    # ================================================================== moving bytes

    def _wants_read(self) -> bool:
        tls = self._tls
        if tls is None:
            return super()._wants_read()
        return (self._state is _OK and self._sock is not None and not self._read_paused
                and tls.phase is not _PAUSED and not tls.tcp_closing)

    def _wants_write(self) -> bool:
        tls = self._tls
        if tls is None:
            return super()._wants_write()
        state = self._state
        return (self._sock is not None and (state is _OK or state is _X)
                and bool(tls.outgoing._size))

    def _on_readable(self) -> None:
        """Received ciphertext goes straight into the engine (up to the read buffer's room),
        then transmit() hands the plaintext over; then EOF and errors, as Qt reports them
        (after the data that came before them)."""
        tls = self._tls
        if tls is None:
            super()._on_readable()
            return
        sock = self._sock
        if sock is None or self._state is not _OK:
            return
        want = RECV_SIZE
        limit = self._read_buffer_size
        if limit:
            want = min(want, limit - self._read_buffer._size)
            if want <= 0:
                self._read_paused = True
                self._set_reader(False)
                return
        # One recv_into the thread's buffer, straight into the engine (no burst loop: each
        # readiness event's batch is decrypted into one block, handed out whole by readAll).
        view = receive_view()
        failure: OSError | None = None
        try:
            received = sock.recv_into(view, want)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:
            # Without its traceback: kept past the except clause, it would hold this frame,
            # and so the socket, in a reference cycle only the garbage collector frees.
            received, failure = 0, exc.with_traceback(None)
        generation = self._generation
        if received:
            tls.engine.receive_ciphertext(view, received)
            tls.transmit()
        if generation != self._generation or self._state is not _OK:
            return  # a slot closed or aborted the socket
        if failure is not None:
            self._on_socket_error(failure)
        elif not received:
            # The peer's FIN: RemoteHostClosedError (a second one after its close_notify, as
            # Qt's plain socket reports it), then the TCP close.
            self._set_error_and_emit(SocketError.RemoteHostClosedError, _err.REMOTE_CLOSED)
            if self._tls is tls and self._state is _OK:
                tls.close_tcp(drain=False)
        elif limit and self._read_buffer._size >= limit:
            self._read_paused = True
            self._set_reader(False)

    def _emit_ready_read(self) -> None:
        if self._emitting_ready_read:
            return
        if self._hello_watch and self._tls is None and not self._qt_blocked:
            # A QSslServer's first readyRead slot (see _handshake_watcher), called directly.
            self._handshake_watcher._check_client_hello(self)
        self._emitting_ready_read = True
        try:
            self._ready_reads += 1
            self.readyRead.emit()
        finally:
            self._emitting_ready_read = False

    def _on_writable(self) -> None:
        tls = self._tls
        if tls is None:
            super()._on_writable()
        else:
            tls.on_writable()

    def _flush_write_buffer(self) -> int:
        tls = self._tls
        if tls is None:
            return super()._flush_write_buffer()
        return tls.flush_outgoing()

    def _on_socket_error(self, exc: OSError) -> None:
        tls = self._tls
        if tls is not None:
            tls.outgoing.clear()
            tls.tcp_closing = True  # the TCP connection goes down without a graceful close
        super()._on_socket_error(exc)

    def _finish_disconnect(self) -> None:
        """The end of every way down: Unconnected, readChannelFinished, the TLS layer's end
        (Qt's late alertSent), disconnected."""
        self._peer_name_given = False  # Qt forgets the peer name with the connection
        tls = self._tls
        if tls is None:
            super()._finish_disconnect()
            return
        previous = self._state
        self._reset_socket()
        self._set_state(_U)
        emit_if_connected(self, "readChannelFinished")
        if self._tls is tls:
            tls.on_disconnected()
        if previous is _OK or previous is _X:
            self.disconnected.emit()
        self._reset_endpoints()

    def _drop_connection(self) -> None:
        """Qt's abort() of the plain socket: down at once, no ClosingState, nothing flushed."""
        tls = self._tls
        if tls is not None:
            tls.outgoing.clear()
        self._abort_called = True
        try:
            super().disconnectFromHost()
        finally:
            self._abort_called = False

    # ================================================================== writing

    def writeData(self, data: Any) -> int:
        """Queue plaintext: sent at once in unencrypted mode, after ``encrypted`` otherwise."""
        if self._state is _U:
            self._set_error(SocketError.UnknownSocketError, _err.NOT_CONNECTED)
            return -1
        tls = self._tls
        if tls is None and self._plain_mode():
            return super().writeData(data)
        size = len(data) if type(data) is not memoryview else data.nbytes
        if size:
            self._write_buffer.append(data)
            if tls is not None and tls.phase is _ENCRYPTED:
                if tls.in_transmit:
                    # A slot called from transmit() (readyRead, bytesWritten, encrypted): one
                    # more pass of it takes the data; no loop callback is needed.
                    tls.transmit_again = True
                else:
                    tls.queue_transmit()
        return size

    def flush(self) -> bool:
        """Push queued plaintext through the engine and write ciphertext now; True if any was."""
        tls = self._tls
        if tls is None:
            return super().flush() if self._plain_mode() else False
        before = self._encrypted_writes
        tls.transmit()
        return self._encrypted_writes != before

    def bytesToWrite(self) -> int:
        """Plaintext not yet handed to the engine (unencrypted mode: data not yet sent)."""
        return self._write_buffer._size

    def bytesAvailable(self) -> int:
        """Decrypted bytes ready to read."""
        return self._read_buffer._size

    def encryptedBytesAvailable(self) -> int:
        """Ciphertext received from the network and not decrypted yet (a record not complete)."""
        tls = self._tls
        return tls.engine.ciphertext_pending if tls is not None else 0

    def encryptedBytesToWrite(self) -> int:
        """Ciphertext waiting to be written to the network."""
        tls = self._tls
        return tls.outgoing._size if tls is not None else 0

    # ================================================================== closing

    def disconnectFromHost(self) -> None:
        """Close gracefully: send queued plaintext, then close_notify, then close TCP.

        Emits stateChanged(Closing), alertSent(Warning, CloseNotify), stateChanged(Closing) (as
        PyQt6, whose private plain socket announces its own), stateChanged(Unconnected),
        readChannelFinished and disconnected. While connecting, or before ``encrypted`` with
        data queued, the close waits (Qt's pending close).
        """
        if self._state is _U:
            return
        tls = self._tls
        if tls is None:
            if not self._plain_mode() and self._state is _OK:
                self._write_buffer.clear()  # plaintext for a handshake that never started
            super().disconnectFromHost()
            return
        if self._state is not _X:
            self._set_state(_X)
            if self._state is not _X or self._tls is not tls:
                return
        if self._write_buffer._size:
            tls.close_after_flush = True
            tls.transmit()
            return
        tls.close_tls_and_tcp()

    def abort(self) -> None:
        """Drop the connection at once: queued data is discarded, no close_notify is sent."""
        self._write_buffer.clear()
        tls = self._tls
        if tls is not None:
            tls.close_after_flush = False
        if self._state is not _U:
            if tls is not None:
                tls.drain_kernel_input()
            elif self._sock is not None and self._state is _OK:
                drain_and_linger(self._sock)
            self._drop_connection()
        if self.isOpen():
            QIODevice.close(self)

    def close(self) -> None:
        """Close the connection (as disconnectFromHost(): queued data, close_notify) and the
        device (aboutToClose, unread data dropped).

        PyQt6's order on an encrypted socket: stateChanged(Closing), alertSent(close notify),
        stateChanged(Closing), aboutToClose, then Unconnected once flushed. A plain-mode socket
        behaves as QTcpSocket (aboutToClose first).
        """
        if not self._plain_mode() and self._state is not _U:
            self.disconnectFromHost()
        if self.isOpen():
            QIODevice.close(self)
        if self._state is not _U:
            self.disconnectFromHost()

    def resume(self) -> None:
        """Continue a handshake paused by PauseOnSslErrors (queued, as Qt).

        If the errors have been ignored in the meantime (``ignoreSslErrors()``), ``encrypted``
        follows; otherwise the handshake fails with SslHandshakeFailedError.
        """
        tls = self._tls
        if tls is not None and tls.phase is _PAUSED:
            tls.queue_resume()

    # ================================================================== blocking API

    def _run_queued(self) -> None:
        """Do what the loop would have done for this socket: resume(), a queued transmit().

        Inside one of our slots, while transmit() runs (it is not re-entrant), only what Qt's
        waits do first: encrypt the queued plaintext so that it can leave."""
        tls = self._tls
        if tls is None:
            return
        if tls.resume_queued:
            tls.resume_queued = False
            tls.resume_now()
            tls = self._tls
            if tls is None:
                return
        if tls.in_transmit:
            if (self._write_buffer._size and tls.phase is _ENCRYPTED
                    and tls.engine.state is EngineState.ENCRYPTED):
                tls.encrypt_outgoing()
            return
        if self._write_buffer._size or tls.outgoing._size or tls.engine.plaintext_pending:
            tls.transmit()

    def _poll_until(self, done: Any, deadline: _waits.Deadline) -> bool | None:
        """Poll the descriptor and run the handlers until ``done()`` (True), the socket is
        unconnected or can wait for nothing (False), or the deadline passes (None). Inside one
        of our own slots, what arrives is handed over from here (TlsLayer.deliver_nested)."""
        while not done():
            if self._state is _U:
                return False
            if deadline.expired():
                return None
            if not _waits.poll_io(self, deadline.remaining()):
                return False
            tls = self._tls
            if tls is not None and tls.in_transmit:
                tls.deliver_nested()
        return True

    def waitForConnected(self, msecs: int = 30000) -> bool:
        """Block until the TCP connection is up (True) or failed/timed out (False), no loop."""
        return _waits.wait_for_connected(self, msecs)

    def waitForEncrypted(self, msecs: int = 30000) -> bool:
        """Block until ``encrypted`` was emitted (True), or failure/timeout (False), no loop.

        As Qt: False when already encrypted, and on a plain socket that never starts a handshake.
        """
        msecs = _waits._check_msecs(msecs, "waitForEncrypted")
        tls = self._tls
        if (tls is not None and tls.phase is _ENCRYPTED) or self._plain_mode():
            return False
        deadline = _waits.Deadline(msecs)
        if self._state is _H or self._state is _C:
            if not _waits.wait_for_connected(self, msecs):
                return False
        if self._state is not _OK and self._state is not _X:
            return False
        if self._tls is None and self._mode is _PLAIN_MODE:
            self.startClientEncryption()
        self._run_queued()

        def settled() -> bool:
            tls = self._tls
            return tls is None or tls.phase is not _HANDSHAKING

        result = self._poll_until(settled, deadline)
        if result is None:
            return _waits._timed_out(self)
        tls = self._tls
        return tls is not None and tls.phase is _ENCRYPTED and self._state is not _U

    def waitForReadyRead(self, msecs: int = 30000) -> bool:
        """Block until ``readyRead`` was emitted (decrypted data arrived); waits for the
        handshake first when it is still running. Inside one of the socket's own slots
        (readyRead, encrypted) the new data's readyRead is emitted from inside the wait, as
        in Qt (recursively in a readyRead slot); the wait then returns True at once, where
        Qt's returns only at its timeout."""
        msecs = _waits._check_msecs(msecs, "waitForReadyRead")
        if self._plain_mode():
            return _waits.wait_for_ready_read(self, msecs)
        # Done once readyRead was emitted (counted at the emission, as Qt flags it: a socket
        # whose signals are blocked still ends its wait).
        before = self._ready_reads
        deadline = _waits.Deadline(msecs)
        tls = self._tls
        if tls is None or (tls.phase is not _ENCRYPTED and tls.phase is not _CLOSING):
            if not self.waitForEncrypted(msecs):
                return self._ready_reads != before
        self._maybe_resume_reading()
        self._run_queued()
        tls = self._tls
        if tls is not None and tls.in_transmit and self._ready_reads == before:
            tls.deliver_nested()  # what came since the outer transmit() read is ours
        if self._read_paused:
            return self._ready_reads != before  # the buffer is full: nothing can come
        result = self._poll_until(lambda: self._ready_reads != before, deadline)
        if result is None:
            return _waits._timed_out(self)
        return self._ready_reads != before

    def waitForBytesWritten(self, msecs: int = 30000) -> bool:
        """Block until ciphertext (plain mode: data) was written to the network (True)."""
        msecs = _waits._check_msecs(msecs, "waitForBytesWritten")
        if self._plain_mode():
            return _waits.wait_for_bytes_written(self, msecs)
        deadline = _waits.Deadline(msecs)
        tls = self._tls
        if tls is None or tls.phase is not _ENCRYPTED:
            if not self.waitForEncrypted(msecs):
                return False
        # Qt's wait flushes the ciphertext its private plain socket holds; qtls sends at once,
        # so ciphertext sent since the last wait (from a transmit() that ran inside
        # waitForEncrypted, say) is what Qt would still have held: True, as Qt's.
        before = self._written_mark
        self._run_queued()
        tls = self._tls
        if self._encrypted_writes == before and tls is not None and tls.outgoing._size:
            result = self._poll_until(lambda: self._encrypted_writes != before, deadline)
            if result is None:
                return _waits._timed_out(self)
        self._written_mark = self._encrypted_writes
        return self._encrypted_writes != before

    def waitForDisconnected(self, msecs: int = 30000) -> bool:
        """Block until UnconnectedState (True); False on timeout or when not connected."""
        msecs = _waits._check_msecs(msecs, "waitForDisconnected")
        if self._state is _U:
            return False
        if self._plain_mode():
            return _waits.wait_for_disconnected(self, msecs)
        deadline = _waits.Deadline(msecs)
        tls = self._tls
        if tls is None or tls.phase is _HANDSHAKING:
            if not self.waitForEncrypted(msecs):
                return self._state is _U
        self._run_queued()
        result = self._poll_until(lambda: self._state is _U, deadline)
        if result is None:
            return _waits._timed_out(self)
        return self._state is _U

    # ================================================================== configuration and status

    # -- local identity ---------------------------------------------------------------------

    def setLocalCertificate(self, certificate: Any, format: QSsl.EncodingFormat = QSsl.EncodingFormat.Pem) -> None:
        """Use ``certificate`` (a QSslCertificate, or the path of a PEM/DER file) as the local
        certificate; a file that cannot be read logs Qt's warning and changes nothing."""
        if isinstance(certificate, QSslCertificate):
            self._config.setLocalCertificate(certificate)
            return
        if not isinstance(certificate, str):
            raise TypeError(
                f"setLocalCertificate(): argument 1 has unexpected type '{type(certificate).__name__}'"
            )
        data = _read_file(certificate, "setLocalCertificate")
        if data is not None:
            self._config.setLocalCertificate(QSslCertificate(data, format))

    def setLocalCertificateChain(self, localChain: Any) -> None:
        """Use ``localChain`` (leaf first) as the chain sent to the peer."""
        self._config.setLocalCertificateChain(localChain)

    def localCertificate(self) -> QSslCertificate:
        """The local certificate, or a null certificate."""
        return self._config.localCertificate()

    def localCertificateChain(self) -> list[QSslCertificate]:
        """The local certificate chain, leaf first."""
        return self._config.localCertificateChain()

    def setPrivateKey(
        self,
        key: Any,
        algorithm: QSsl.KeyAlgorithm = QSsl.KeyAlgorithm.Rsa,
        format: QSsl.EncodingFormat = QSsl.EncodingFormat.Pem,
        passPhrase: Any = b"",
    ) -> None:
        """Use ``key`` (a QSslKey, or a key file name with its algorithm, format and passphrase)."""
        if isinstance(key, QSslKey):
            self._config.setPrivateKey(key)
            return
        if not isinstance(key, str):
            raise TypeError(f"setPrivateKey(): argument 1 has unexpected type '{type(key).__name__}'")
        data = _read_file(key, "setPrivateKey")
        if data is not None:
            self._config.setPrivateKey(
                QSslKey(data, algorithm, format, QSsl.KeyType.PrivateKey, bytes(passPhrase or b""))
            )

    def privateKey(self) -> QSslKey:
        """The local private key, or a null key."""
        return self._config.privateKey()

    # -- protocol and verification ----------------------------------------------------------

    def protocol(self) -> QSsl.SslProtocol:
        """The protocol (range) the next handshake may use."""
        return self._config.protocol()

    def setProtocol(self, protocol: QSsl.SslProtocol) -> None:
        """Set the protocol (range) for the next handshake."""
        self._config.setProtocol(protocol)

    def peerVerifyMode(self) -> _PeerVerifyMode:
        """How the peer is verified (AutoVerifyPeer: client VerifyPeer, server QueryPeer)."""
        return self._config.peerVerifyMode()

    def setPeerVerifyMode(self, mode: _PeerVerifyMode) -> None:
        """Set how the peer is verified."""
        self._config.setPeerVerifyMode(mode)

    def peerVerifyDepth(self) -> int:
        """The maximum peer chain depth checked (0: no limit)."""
        return self._config.peerVerifyDepth()

    def setPeerVerifyDepth(self, depth: int) -> None:
        """Set the maximum peer chain depth (negative values are refused with a warning, as Qt)."""
        if isinstance(depth, int) and not isinstance(depth, bool) and depth < 0:
            _log.warning("QSslSocket::setPeerVerifyDepth: cannot set negative depth of %d", depth)
            return
        self._config.setPeerVerifyDepth(depth)

    def peerVerifyName(self) -> str:
        """The name the certificate is checked against (and sent as SNI) instead of peerName()."""
        return self._verification_peer_name

    def setPeerVerifyName(self, hostName: str | None) -> None:
        """Check the peer certificate against ``hostName`` instead of the connected host name."""
        if hostName is not None and not isinstance(hostName, str):
            raise TypeError(
                f"setPeerVerifyName(self, hostName: str|None): argument 1 has unexpected type '{type(hostName).__name__}'"
            )
        self._verification_peer_name = hostName or ""

    # -- the session ------------------------------------------------------------------------

    def peerName(self) -> str:
        """The host name connected to, while connected or closing; "" while connecting and
        once unconnected (Qt's QSslSocket copies it from its inner plain socket when that
        connects and forgets it when the connection ends), unless set with setPeerName()."""
        if self._peer_name_given or self._state is _OK or self._state is _X:
            return self._peer_name
        return ""

    def setPeerName(self, name: str | None) -> None:
        """Set what peerName() returns (until the next connectToHost)."""
        super().setPeerName(name)
        self._peer_name_given = True

    def writeChannelCount(self) -> int:
        """1 while open for writing once connected, else 0: unlike QTcpSocket, Qt's QSslSocket
        keeps its write channel counted after the connection ends."""
        return 1 if self._channels_up and self.isWritable() else 0

    def isValid(self) -> bool:
        """Whether the device is open: Qt's QSslSocket keeps its socket engine in an inner
        plain socket, so QAbstractSocket::isValid() falls back to isOpen() (False right
        after close(), while the close_notify is still being flushed)."""
        return self.isOpen()

    def peerCertificate(self) -> QSslCertificate:
        """The peer's certificate (null before a handshake or when the peer sent none)."""
        return self._config.peerCertificate()

    def peerCertificateChain(self) -> list[QSslCertificate]:
        """The certificates the peer sent, leaf first (on both sides)."""
        return self._config.peerCertificateChain()

    def sessionCipher(self) -> QSslCipher:
        """The negotiated cipher: null before the handshake and, as in Qt (whose TLS session
        is freed when the connection ends), once the socket is unconnected again."""
        if self._state is _U:
            return QSslCipher()
        return self._config.sessionCipher()

    def sessionProtocol(self) -> QSsl.SslProtocol:
        """The negotiated protocol version: UnknownProtocol before the handshake and, as in
        Qt, once the socket is unconnected again."""
        if self._state is _U:
            return QSsl.SslProtocol.UnknownProtocol
        return self._config.sessionProtocol()

    def sessionKeyExchangeGroup(self) -> str:
        """qtls extension (Qt has no such API): the key-exchange group the last handshake
        used, as OpenSSL names it ("X25519MLKEM768", "x25519", "secp256r1"); "" before a
        handshake, or for a TLS 1.2 key exchange without a group (RSA, PSK)."""
        info = self._last_info
        return (info.group or "") if info is not None else ""

    # ================================================================== configuration

    def mode(self) -> _SslMode:
        """UnencryptedMode, SslClientMode or SslServerMode."""
        return self._mode

    def isEncrypted(self) -> bool:
        """True once ``encrypted`` was emitted and until the connection ends."""
        tls = self._tls
        return tls is not None and (tls.phase is _ENCRYPTED or tls.phase is _CLOSING)

    def sslConfiguration(self) -> QSslConfiguration:
        """A copy of the socket's configuration, including the session's negotiated fields
        (Qt fills in the cipher and protocol from the live session: none once unconnected)."""
        copy = QSslConfiguration(self._config)
        if self._state is _U:
            copy._set_session_cipher(None)
            copy._set_session_protocol(QSsl.SslProtocol.UnknownProtocol)
        return copy

    def setSslConfiguration(self, config: QSslConfiguration) -> None:
        """Use a copy of ``config`` for the next handshake."""
        if not isinstance(config, QSslConfiguration):
            raise TypeError(
                f"setSslConfiguration(self, config: QSslConfiguration): argument 1 has unexpected type '{type(config).__name__}'"
            )
        self._config = QSslConfiguration(config)

    def sslHandshakeErrors(self) -> list[QSslError]:
        """The errors of the last handshake (what ``sslErrors`` carried)."""
        return list(self._handshake_errors)

    def ocspResponses(self) -> list[QOcspResponse]:
        """The stapled OCSP responses checked during the last handshake (client side)."""
        return list(self._ocsp)

    def ignoreSslErrors(self, errors: Any = None) -> None:
        """Ignore the verification errors of this handshake.

        Without an argument: every error; call it in the ``sslErrors`` slot, or after
        ``connectToHostEncrypted()`` (which resets it, as Qt's does). With a list: exactly those
        errors, matched by code *and* certificate; it may be set before connecting and survives
        reconnections, as in Qt.
        """
        if errors is None:
            self._ignore_all = True
            return
        try:
            items = list(errors)
        except TypeError:
            raise TypeError(
                f"ignoreSslErrors(self, errors: Iterable[QSslError]): argument 1 has unexpected type '{type(errors).__name__}'"
            ) from None
        for index, item in enumerate(items):
            if not isinstance(item, QSslError):
                raise TypeError(
                    f"index {index} has type '{type(item).__name__}' but 'QSslError' is expected"
                )
        self._ignore_list = [QSslError(e) for e in items]

    def continueInterruptedHandshake(self) -> None:
        """From a slot of ``handshakeInterruptedOnError``: let the handshake go on."""
        tls = self._tls
        if tls is not None:
            tls.continue_interrupted = True

    # ================================================================== statics

    supportsSsl = staticmethod(_backend.supportsSsl)
    sslLibraryVersionNumber = staticmethod(_backend.sslLibraryVersionNumber)
    sslLibraryVersionString = staticmethod(_backend.sslLibraryVersionString)
    sslLibraryBuildVersionNumber = staticmethod(_backend.sslLibraryBuildVersionNumber)
    sslLibraryBuildVersionString = staticmethod(_backend.sslLibraryBuildVersionString)
    availableBackends = staticmethod(_backend.availableBackends)
    activeBackend = staticmethod(_backend.activeBackend)
    setActiveBackend = staticmethod(_backend.setActiveBackend)
    supportedProtocols = staticmethod(_backend.supportedProtocols)
    isProtocolSupported = staticmethod(_backend.isProtocolSupported)
    implementedClasses = staticmethod(_backend.implementedClasses)
    isClassImplemented = staticmethod(_backend.isClassImplemented)
    supportedFeatures = staticmethod(_backend.supportedFeatures)
    isFeatureSupported = staticmethod(_backend.isFeatureSupported)
