"""QSslSocket: the TLS socket (a QTcpSocket), Qt's semantics on a sans-I/O engine.

Theory of operation
===================

The split is Qt's. A QSslSocket *is* a QTcpSocket to the application (same states, signals and
QIODevice API), but it never touches a descriptor itself: it owns a private plain
:class:`QTcpSocket` (Qt's ``d->plainSocket``, here ``_plain``) that does the TCP work, and a
:class:`~qtls.ssl.engine.TlsEngine` that does the TLS work. One pump, :meth:`QSslSocket._transmit`
(Qt's ``transmit()``, in :mod:`qtls.ssl.sslsocketpump`), moves bytes between them::

      application                      QSslSocket                         _plain (QTcpSocket)
      write() ──▶ _write_buffer ──send_plaintext──▶ engine ──data_to_send──▶ write() ──▶ kernel
      read()  ◀── _read_buffer  ◀──read_plaintext── engine ◀─receive_ciphertext─ _read_buffer ◀── kernel

* The socket's own QIODevice buffers hold *plaintext*; the plain socket's hold *ciphertext*.
  ``bytesWritten(n)`` counts plaintext the engine accepted, ``encryptedBytesWritten(n)`` the
  ciphertext the plain socket wrote to the kernel (its own ``bytesWritten``).
* The engine rule: after every call into the engine, send what ``data_to_send()`` returns,
  then handle ``events()`` (:meth:`_flush_engine`, :func:`qtls.ssl.sslsocketevents.handle_events`).
  A fatal alert is therefore always written before the TCP connection goes down. The one
  exception is the batch that completes the handshake: its events are handled first, because
  Qt judges the peer's certificate before our last flight goes out (see Verification).
* Everything that can make progress calls ``_transmit``: the plain socket's ``readyRead`` and
  ``bytesWritten``, a write by the application (queued, as Qt queues ``_q_flushWriteBuffer``),
  reads that free room under ``setReadBufferSize`` (queued too), ``resume()``, the blocking
  waits. ``_transmit`` is not re-entrant: a slot that writes while it runs just asks for
  another round.
* Flow control: plaintext is handed to the engine only while the plain socket has less than
  ``_HIGH_WATER`` (:mod:`qtls.ssl.sslsocketpump`) bytes of ciphertext queued, so a 1 GB
  ``write`` does not become 1 GB of ciphertext in memory; ciphertext is taken from the plain
  socket only while the plaintext buffer has room (``setReadBufferSize``), and the plain
  socket stops reading the kernel when its own buffer is full, so the peer is slowed down by
  TCP itself.

States
======

The TCP state (``state()``) mirrors the plain socket's, as Qt's ``_q_stateChangedSlot`` does;
the TLS phase is :class:`~qtls.ssl.tlsphase.TlsPhase` (UNENCRYPTED, HANDSHAKING, PAUSED,
ENCRYPTED, CLOSING) with its transition table in :mod:`qtls.ssl.tlsphase`. ``mode()`` is
Qt's SslMode: set (with ``modeChanged``) when a handshake starts, kept until the next
connection.

Unencrypted mode (plain QTcpSocket behaviour, before STARTTLS) moves received bytes into the
socket's own buffer. Bytes still unread there when ``startClientEncryption()`` /
``startServerEncryption()`` is called are handed to the engine first: in Qt they are still in
the plain socket's buffer, which is how a server can ``peek()`` at the first byte of a
ClientHello and then start the handshake (QSslServer does exactly that).

Verification is Qt's: OpenSSL's verify callback records errors without failing; once the
engine reports the handshake complete, :mod:`qtls.ssl.verdict` adds the host-name,
missing-certificate and OCSP checks, the socket emits ``peerVerifyError`` for each and one
``sslErrors(list)``; unless the application ignored them (``ignoreSslErrors()`` in the slot, or
a matching ``ignoreSslErrors(list)`` beforehand) or asked to pause (``PauseOnSslErrors``), the
socket fails with ``SslHandshakeFailedError`` and disconnects. As in Qt, our last handshake
flight is held back until that decision, so a rejected peer never sees the handshake complete.
Failures inside OpenSSL (a fatal alert either way, "no shared cipher", garbage) write the
pending alert and flush it before the TCP connection is dropped, so the peer learns the cause.

Closing: ``disconnectFromHost()`` waits for queued plaintext, sends close_notify, and lets the
plain socket flush and close. Before the descriptor is closed, unread input in the kernel is
drained, FIN is sent, and a duplicate descriptor keeps reading until the peer's FIN
(:meth:`_drain_kernel_input`, :mod:`qtls.ssl.lingerer`): closing a TCP socket with unread data
makes the kernel send RST, which destroys the peer's unread data, our last bytes included.

Signal order is PyQt6's, checked scenario by scenario against PyQt6 itself
(tests/sslsocket/test_pyqt6_parity.py), quirks included: ClosingState is emitted twice after
``disconnectFromHost()`` on an encrypted socket, RemoteHostClosedError twice after the peer's
close_notify, and ``alertSent(close notify)`` just before ``disconnected`` even after ``abort()``.

Where qtls differs from Qt on purpose: a peer's close_notify is answered at once (Qt waits
for the TCP FIN); ``waitForBytesWritten``/``waitForReadyRead`` right after
``connectToHostEncrypted`` wait for the handshake (Qt returns False in that window); closing
never resets the connection (see :mod:`qtls.ssl.lingerer`); ``ephemeralServerKey()`` stays
null (cryptography's bindings do not expose ``SSL_get_peer_tmp_key``); a server-side socket
reports alerts only while alertSent/alertReceived have receivers (connecting one switches the
reporting on, see ``_signal_connected``), which spares OpenSSL's info callback on every state
change of every other handshake.
"""

from __future__ import annotations

from typing import Any

from qtls.core.bytearray import QByteArray
from qtls.core.iodevice import QIODevice
from qtls.core.qobject import QObject
from qtls.core.signals import (
    emit_if_connected,
    has_receivers,
    install_relay,
    mute_signal,
    pyqtSignal,
    pyqtSlot,
)
from qtls.network.socketenums import SocketError, SocketState
from qtls.network.tcpsocket import QTcpSocket
from qtls.ssl import sslsocketclosing as _closing
from qtls.ssl import sslsocketconnect as _connect
from qtls.ssl import sslsocketevents as _events
from qtls.ssl.engine import (
    TlsEngine,
)
from qtls.ssl.engine.events import ConnectionInfo, Event
from qtls.ssl.qssl import QSsl
from qtls.ssl.sslsocketapi import SslSocketApi
from qtls.ssl.sslsocketpump import SslPump
from qtls.ssl.tlsphase import TlsPhase, check_phase
from qtls.ssl.values.configuration import QSslConfiguration
from qtls.ssl.values.configurationdata import PeerVerifyMode, SslMode
from qtls.ssl.values.ocsp import QOcspResponse
from qtls.ssl.values.psk import QSslPreSharedKeyAuthenticator
from qtls.ssl.verdict import errors_ignored
from qtls.ssl.x509.error import QSslError

__all__ = ["QSslSocket"]

_U = SocketState.UnconnectedState
_X = SocketState.ClosingState

# Enum members as module constants for the data path: Python 3.11 resolves ``TlsPhase.X``
# through EnumType.__getattr__, ~0.1 µs each, a dozen times per message.
_UNENCRYPTED = TlsPhase.UNENCRYPTED
_HANDSHAKING = TlsPhase.HANDSHAKING
_PAUSED = TlsPhase.PAUSED
_ENCRYPTED = TlsPhase.ENCRYPTED
_PLAIN_MODE = SslMode.UnencryptedMode

# The engine decrypts into QByteArray blocks: readAll() returns such a block as it is.
_plaintext_block = QByteArray._sized


class QSslSocket(SslSocketApi, SslPump, QTcpSocket):
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
    # A server engine reports alerts only when someone listens (see start_encryption); a slot
    # connected later switches the reporting on (_signal_connected).
    alertSent.notify_connect = True
    alertReceived.notify_connect = True

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._config = QSslConfiguration.defaultConfiguration()
        self._mode = _PLAIN_MODE
        self._phase = _UNENCRYPTED
        self._engine: TlsEngine | None = None
        self._plain: QTcpSocket | None = None
        self._auto_start = False
        self._initialized = False
        self._ssl_pending_close = False
        self._ignore_all = False
        self._ignore_list: list[QSslError] = []
        self._handshake_errors: list[QSslError] = []
        self._ocsp: list[QOcspResponse] = []
        self._verification_peer_name = ""
        self._deferred_alerts: list[tuple[QSsl.AlertLevel, QSsl.AlertType, str]] = []
        self._defer_alerts = False
        self._reported_early = False
        self._continue_interrupted = False
        self._resume_scheduled = False
        self._flush_scheduled = False
        self._in_transmit = False
        self._transmit_again = False
        self._session_resumed = False  # for tests and diagnostics: was the last session resumed?
        self._last_info: ConnectionInfo | None = None
        self._held_events: list[Event] = []  # engine events that came after a paused handshake

    # ================================================================== the plain socket

    def _ensure_plain(self) -> QTcpSocket:
        plain = self._plain
        if plain is None:
            plain = self._plain = QTcpSocket(self)
            # The plain socket is private, so we are its only listener: its stateChanged,
            # errorOccurred, readChannelFinished and disconnected call us through relays
            # instead of connections (four connects less per accepted socket, and no
            # emission bookkeeping), and readyRead and bytesWritten call hooks (the hot path).
            # hostFound and connected only fire while the plain socket connects:
            # _link_dialing() relays them then, so a server's adopted descriptor does without.
            install_relay(plain, "stateChanged", self._on_plain_state)
            plain._ready_read_hook = self._on_plain_ready_read
            plain._bytes_written_hook = self._on_plain_bytes_written
            # (Their signals then have nobody to call: no bound signal is made per socket.)
            mute_signal(plain, "readyRead")
            mute_signal(plain, "bytesWritten")
            # Set once here rather than checked on every pump pass: _sink_ciphertext itself
            # refuses data until the socket is encrypted.
            plain._ciphertext_sink = self._sink_ciphertext
            install_relay(plain, "errorOccurred", self._on_plain_error)
            install_relay(plain, "readChannelFinished", self._on_plain_read_channel_finished)
            install_relay(plain, "disconnected", self._on_plain_disconnected)
            plain.setReadBufferSize(self._read_buffer_size)
            for option, value in self._options.items():
                plain.setSocketOption(option, value)
        return plain

    _dialing_linked = False  # an instance attribute only once _link_dialing() ran
    # True while encryptedBytesWritten is emitted: a pump follows (see _on_plain_bytes_written).
    # A class default, so that a socket nobody listens to that way carries no attribute.
    _pump_follows = False

    def _link_dialing(self, plain: QTcpSocket) -> None:
        """Link the plain socket's hostFound and connected (once per plain socket), before it
        connects to a host or adopts a descriptor that is still connecting."""
        if not self._dialing_linked:
            self._dialing_linked = True
            # Relays, as for the plain socket's other signals: no connections per client.
            install_relay(plain, "hostFound", self._on_plain_host_found)
            install_relay(plain, "connected", self._on_plain_connected)

    def _on_plain_host_found(self) -> None:
        self.hostFound.emit()

    @pyqtSlot(SocketState)
    def _on_plain_state(self, state: SocketState) -> None:
        # Qt's _q_stateChangedSlot: the TCP state is the plain socket's, and every change of
        # the plain socket is re-emitted, even one the QSslSocket announced itself already
        # (PyQt6 emits ClosingState twice after disconnectFromHost on an encrypted socket).
        self.setSocketState(state)
        emit_if_connected(self, "stateChanged", state)

    @pyqtSlot()
    def _on_plain_connected(self) -> None:
        plain = self._plain
        assert plain is not None
        self.setLocalAddress(plain.localAddress())
        self.setLocalPort(plain.localPort())
        self.setPeerAddress(plain.peerAddress())
        self.setPeerPort(plain.peerPort())
        if self._auto_start:
            self.startClientEncryption()
        self.connected.emit()
        if self._ssl_pending_close and not self._auto_start:
            self._ssl_pending_close = False
            self.disconnectFromHost()

    @pyqtSlot()
    def _on_plain_ready_read(self) -> None:
        if self._phase is _UNENCRYPTED and self._engine is None:
            self._move_plain_input()
            return
        plain = self._plain
        if plain is None:
            return
        # The ciphertext this pump writes (an echo written in a readyRead slot) is flushed
        # when the pump is done, instead of on the loop's next turn: one loop iteration less
        # per round trip. Only while our own code runs: before a slot runs, what was deferred
        # is queued as usual (_undefer_plain_flush), since a slot may run a nested event loop.
        plain._defer_flush = True
        try:
            self._transmit()
        finally:
            plain._defer_flush = False
        if plain._flush_deferred:
            plain._flush_deferred = False
            plain._flush_write_buffer()

    def _undefer_plain_flush(self) -> bool:
        """Slots are about to run: ciphertext written so far leaves on the loop's next turn as
        usual, so that a slot that runs a nested event loop cannot hold it back. True when the
        plain socket was deferring (the caller may resume deferring after the slots)."""
        plain = self._plain
        if plain is not None and plain._defer_flush:
            plain._undefer_flush()
            return True
        return False

    def _move_plain_input(self) -> None:
        """Unencrypted mode: the plain socket's bytes become ours, then readyRead."""
        plain = self._plain
        if plain is None or not plain._read_buffer:
            return
        source = plain._read_buffer
        room = self._room()
        if room is None or room >= len(source):
            for chunk in source.read_all_chunks():
                self._read_buffer.append(chunk)
        elif room > 0:
            self._read_buffer.append(source.read(room))
        else:
            self._read_paused = True
            return
        plain._maybe_resume_reading()
        if self._hello_watch and not self._qt_blocked:
            # A QSslServer's first readyRead slot (see _handshake_watcher), called directly.
            self._handshake_watcher._check_client_hello(self)
        self._emit_ready_read()

    @pyqtSlot(int)
    def _on_plain_bytes_written(self, written: int) -> None:
        if self._mode is _PLAIN_MODE:
            self.bytesWritten.emit(written)
        else:
            signal = self.encryptedBytesWritten
            if signal._conns:  # (once per flush: no call when nothing listens)
                # A slot that writes more (a bulk sender's flow control) needs no queued pump:
                # the pump below takes its plaintext (see writeData).
                self._pump_follows = True
                try:
                    signal.emit(written)
                finally:
                    self._pump_follows = False
        plain = self._plain
        if plain is None:
            return
        plaintext_waits = self._write_buffer._size and self._phase is _ENCRYPTED
        # (The private QTcpSocket's state() and bytesToWrite(), read as attributes.)
        if plain._state is _X and not plain._write_buffer._size:
            _closing.drain_kernel_input(self)  # the plain socket closes its descriptor right after
            if plaintext_waits:
                self._schedule("_flush_scheduled", self._pump)  # what writeData left to us
        elif plaintext_waits:
            self._transmit()

    @pyqtSlot(SocketError)
    def _on_plain_error(self, error: SocketError) -> None:
        plain = self._plain
        if plain is None:
            return
        if plain._read_buffer and self._engine is not None:
            self._transmit()  # Qt: decrypt what arrived before reporting the error
        self._set_error_and_emit(error, plain.errorString())

    def _on_plain_read_channel_finished(self) -> None:
        emit_if_connected(self, "readChannelFinished")

    @pyqtSlot()
    def _on_plain_disconnected(self) -> None:
        _closing.on_plain_disconnected(self)

    # The QSslServer handling this socket's handshake (see QSslServer._watch_handshake): told
    # of errorOccurred, encrypted and destruction just before the signal goes out.
    _handshake_watcher: Any = None
    _hello_watch = False  # the watcher checks the first bytes before our first readyRead
    # The handshake signals the watcher relays (QSslServer._link_relays), by name.
    _relayed: frozenset[str] = frozenset()

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
        plain = self._plain
        super()._destroy()  # destroys the plain socket too (a child)
        if plain is not None:
            # The plain socket's hooks are our bound methods: a reference cycle that only the
            # garbage collector could free, ~75 objects per connection. Cut it, so a deleted
            # socket is freed at once (and a busy server runs the collector far less often).
            plain._ready_read_hook = plain._bytes_written_hook = None
            plain._ciphertext_sink = None
        self._engine = None

    def _signal_connected(self, name: str | None) -> None:
        """Qt's connectNotify, for alertSent/alertReceived: a handshake started without alert
        receivers reports alerts from now on."""
        engine = self._engine
        if engine is not None:
            engine.report_alerts()

    # ================================================================== per-connection state

    def _init_connection(self) -> None:
        """Qt's QSslSocketPrivate::init(): forget the last connection (not ignoreSslErrors(list))."""
        self._mode = _PLAIN_MODE
        self._phase = _UNENCRYPTED
        self._engine = None
        self._auto_start = False
        self._ssl_pending_close = False
        self._ignore_all = False
        self._handshake_errors = []
        self._ocsp = []
        self._deferred_alerts = []
        self._reported_early = False
        self._continue_interrupted = False
        self._session_resumed = False
        self._last_info = None
        self._held_events = []
        self._config._reset_session_state()

    def _set_phase(self, phase: TlsPhase) -> None:
        check_phase(self._phase, phase)
        self._phase = phase
        engine = self._engine
        if phase is _HANDSHAKING and engine is not None:
            # A new engine (it goes to HANDSHAKING right after it is made): records are
            # decrypted straight into QByteArrays, which readAll() then hands out as they are.
            # Set here once rather than checked on every pump pass.
            engine.new_plaintext_block = _plaintext_block

    def _room(self) -> int | None:
        """Free space in the plaintext buffer under setReadBufferSize; None when unlimited."""
        limit = self._read_buffer_size
        return None if not limit else max(0, limit - len(self._read_buffer))

    def _alive(self, engine: TlsEngine | None) -> bool:
        """False once a slot aborted, closed or replaced the connection ``engine`` served."""
        return self._engine is engine and engine is not None and self._state is not _U

    def _connection_info(self) -> ConnectionInfo | None:
        """Internal hook (demo, CLI, QSslServer): what the last handshake negotiated, beyond Qt's
        API: key-exchange group, SNI name seen by a server, whether the session was resumed.
        Kept after the connection ended; None before a handshake completed."""
        return self._last_info

    # ================================================================== connecting

    def connectToHost(self, *args: Any, **kwargs: Any) -> None:
        """Connect without encryption (a plain QTcpSocket until ``startClientEncryption()``).

        Same arguments as QAbstractSocket.connectToHost. After ``connectToHostEncrypted`` this
        is the step that starts the TCP connection; the handshake starts once connected.
        """
        _connect.connect_to_host(self, *args, **kwargs)

    def connectToHostEncrypted(self, *args: Any, **kwargs: Any) -> None:
        """Connect and start the client handshake as soon as the TCP connection is up.

        ``connectToHostEncrypted(hostName, port, mode=ReadWrite, protocol=AnyIPProtocol)`` or
        ``connectToHostEncrypted(hostName, port, sslPeerName, mode=ReadWrite, protocol=...)``:
        ``sslPeerName`` replaces the host name for SNI and certificate verification. Emits
        Qt's sequence: stateChanged(HostLookup/Connecting/Connected), modeChanged(SslClientMode),
        connected, then (after verification) encrypted. A protocol this OpenSSL cannot honour
        fails at once with SslInvalidUserDataError.
        """
        _connect.connect_to_host_encrypted(self, *args, **kwargs)

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
        return _connect.set_socket_descriptor(self, socketDescriptor, state, mode)

    def startClientEncryption(self) -> None:
        """Start a client handshake on a connected, unencrypted socket (STARTTLS).

        Does nothing (with Qt's warning) when already encrypting or not connected.
        """
        _connect.start_encryption_if_possible(self, server=False)

    def startServerEncryption(self) -> None:
        """Start a server handshake on a connected, unencrypted socket (after setSocketDescriptor).

        Needs a local certificate and private key (or PSK); a certificate without its key fails
        with SslInvalidUserDataError naming the cause, then SslInternalError, as Qt reports.
        """
        _connect.start_encryption_if_possible(self, server=True)

    # ================================================================== writing

    def writeData(self, data: Any) -> int:
        """Queue plaintext: sent at once in unencrypted mode, after ``encrypted`` otherwise."""
        if self._state is _U or self._plain is None:
            self._set_error(SocketError.UnknownSocketError, "Socket is not connected")
            return -1
        if self._mode is _PLAIN_MODE and not self._auto_start:
            return self._plain.write(data)
        size = len(data) if type(data) is not memoryview else data.nbytes
        if size:
            self._write_buffer.append(data)
            if self._phase is _ENCRYPTED:
                if self._in_transmit:
                    # A slot called from the pump (readyRead, bytesWritten, encrypted): one
                    # more pass of the running pump takes it, so no queued pump is needed.
                    self._transmit_again = True
                elif self._pump_follows:
                    pass  # an encryptedBytesWritten slot: _on_plain_bytes_written pumps next
                else:
                    self._schedule("_flush_scheduled", self._pump)
        return size

    def flush(self) -> bool:
        """Push queued plaintext through the engine and write ciphertext now; True if any was."""
        plain = self._plain
        if plain is None:
            return False
        written = False
        if self._engine is not None:
            before = len(self._write_buffer)
            self._transmit()
            written = len(self._write_buffer) < before
        return plain.flush() or written

    def bytesToWrite(self) -> int:
        """Plaintext not yet handed to the engine (unencrypted mode: the plain socket's queue)."""
        if self._mode is _PLAIN_MODE and not self._auto_start and self._plain is not None:
            return self._plain.bytesToWrite()
        return self._write_buffer._size

    def bytesAvailable(self) -> int:
        """Decrypted bytes ready to read."""
        return self._read_buffer._size  # (len() would call RingBuffer.__len__)

    def encryptedBytesAvailable(self) -> int:
        """Ciphertext received from the network and not decrypted yet."""
        return self._plain.bytesAvailable() if self._plain is not None else 0

    def encryptedBytesToWrite(self) -> int:
        """Ciphertext waiting in the plain socket to be written to the network."""
        plain = self._plain
        # (The private plain socket's bytesToWrite(), read as an attribute: a bulk sender's
        # flow control asks this several times per write.)
        return plain._write_buffer._size if plain is not None else 0

    # ================================================================== closing

    def disconnectFromHost(self) -> None:
        """Close gracefully: send queued plaintext, then close_notify, then close TCP.

        Emits stateChanged(Closing), alertSent(Warning, CloseNotify), stateChanged(Closing) (the
        plain socket's, as PyQt6), stateChanged(Unconnected), readChannelFinished and
        disconnected. While connecting, or before ``encrypted`` with data queued, the close
        waits (Qt's pending close).
        """
        _closing.disconnect_from_host(self)

    def abort(self) -> None:
        """Drop the connection at once: queued data is discarded, no close_notify is sent."""
        _closing.abort(self)

    def close(self) -> None:
        """Close the connection (as disconnectFromHost(): queued data, close_notify) and the
        device (aboutToClose, unread data dropped).

        PyQt6's order on an encrypted socket: stateChanged(Closing), alertSent(close notify),
        stateChanged(Closing), aboutToClose, then Unconnected once flushed. A plain-mode socket
        behaves as QTcpSocket (aboutToClose first).
        """
        _closing.close(self)

    def resume(self) -> None:
        """Continue a handshake paused by PauseOnSslErrors (queued, as Qt).

        If the errors have been ignored in the meantime (``ignoreSslErrors()``), ``encrypted``
        follows; otherwise the handshake fails with SslHandshakeFailedError.
        """
        if self._phase is not _PAUSED:
            return
        self._schedule("_resume_scheduled", self._resume_now)

    def _resume_now(self) -> None:
        engine = self._engine
        if self._phase is not _PAUSED or engine is None:
            return
        if errors_ignored(self._handshake_errors, self._ignore_all, self._ignore_list):
            self._set_phase(_HANDSHAKING)
            self._flush_engine(engine)  # the flight held back while paused
            held, self._held_events = self._held_events, []
            _events.become_encrypted(self)
            if not self._alive(engine):
                return
            self._deliver_plaintext(engine)
            _events.handle_events(self, engine, held)
            self._transmit()
        else:
            self._set_phase(_HANDSHAKING)
            _events.fail_verification(self, engine)

    # ================================================================== plain-socket pass-through

    def isValid(self) -> bool:
        """True while the plain socket has a descriptor."""
        return self._plain is not None and self._plain.isValid()

    def socketDescriptor(self) -> int:
        """The plain socket's descriptor, or -1."""
        return self._plain.socketDescriptor() if self._plain is not None else -1

    def setSocketOption(self, option: Any, value: Any) -> None:
        """Set a socket option on the underlying TCP socket (now or when it is created)."""
        super().setSocketOption(option, value)
        if self._plain is not None:
            self._plain.setSocketOption(option, value)

    def socketOption(self, option: Any) -> Any:
        """A socket option of the underlying TCP socket (None without one)."""
        super().socketOption(option)  # type check
        return self._plain.socketOption(option) if self._plain is not None else None

    def setReadBufferSize(self, size: int) -> None:
        """Limit decrypted data buffered (0 = unlimited); the plain socket gets the same limit."""
        super().setReadBufferSize(size)
        if self._plain is not None:
            self._plain.setReadBufferSize(size)
