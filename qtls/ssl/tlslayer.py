"""TlsLayer: the TLS state of one connection and the one ``transmit()`` that moves its bytes.

Qt splits its TLS socket into QSslSocket (API, signals) and a backend "cryptograph"
(``TlsCryptographOpenSSL``: the SSL object, ``transmit()``, the handshake and the verification
decisions). A :class:`TlsLayer` is that cryptograph: a slotted record made when a handshake
starts and dropped when the connection ends, so "a new connection" is "a new layer", and a
callback that outlived its connection finds ``socket._tls is not self`` and stops.

Theory of operation
===================

One socket, one descriptor, one engine::

      application            QSslSocket              TlsLayer / TlsEngine             kernel
      write() ──▶ _write_buffer ──── transmit(): send_plaintext ──▶ data_to_send ──send──▶
      read()  ◀── _read_buffer  ◀─── transmit(): read_plaintext ◀── receive_ciphertext ◀─recv─

* Received ciphertext goes from ``recv_into`` (the thread's receive buffer) straight into the
  engine (``QSslSocket._on_readable``); there is no ciphertext read buffer. The engine decrypts
  at once; ``transmit()`` then hands the plaintext to the read buffer and emits ``readyRead``.
* Ciphertext goes from the engine straight to ``send()``; what the kernel refuses waits in
  :attr:`TlsLayer.outgoing` (the only ciphertext buffer) until the descriptor is writable.
* ``bytesWritten(n)`` counts plaintext the engine took, ``encryptedBytesWritten(n)`` ciphertext
  the kernel took.
* The engine rule: after every call into the engine, send what ``data_to_send()`` returns,
  then handle ``events()``; so a fatal alert always leaves before the TCP connection goes down.
  The exception is the batch that completes the handshake: its events are handled first,
  because Qt judges the peer's certificate before our last flight goes out (a peer we reject
  never sees the handshake complete).

``transmit()`` has the shape of Qt's: one loop, run again while a slot called from inside it
asked for more (``transmit_again``): (0) ciphertext the kernel refused earlier, (1) queued
plaintext into the engine and out, (2) a close waiting for that plaintext, (3) the engine's
events and output, (4) decrypted data to the application. Everything runs it: a readable or
writable descriptor, a write (queued once on the loop, or one more pass when the write comes
from a slot inside the pump), ``flush()``, ``resume()``, and the blocking waits.

Flow control: plaintext goes into the engine only while less than :data:`HIGH_WATER` bytes
of ciphertext wait for the kernel; ciphertext is received only while the read buffer has room
under ``setReadBufferSize`` (and the kernel window then slows the peer).

The flags that the phase depends on are listed with the phase table in :mod:`qtls.ssl.tlsphase`.
"""

from __future__ import annotations

import socket as _socket_module
import sys
import weakref
from collections.abc import Sequence
from typing import TYPE_CHECKING

from qtls.core.bytearray import QByteArray
from qtls.core.eventloop import nested_turn_hooks
from qtls.core.ringbuffer import RingBuffer
from qtls.core.signals import emit_if_connected
from qtls.core.soon import SoonQueue, soon_queue
from qtls.network.socketenums import PauseMode, SocketError, SocketState
from qtls.network.socketio import send_chunks, send_now
from qtls.ssl.engine import (
    AlertLevel,
    AlertReceived,
    AlertSent,
    CloseNotifyReceived,
    EngineState,
    HandshakeCompleted,
    SessionTicketReceived,
    TlsEngine,
    TlsError,
    VerifyError,
)
from qtls.ssl.engine.events import ConnectionInfo, Event
from qtls.ssl.lingerer import drain_and_linger
from qtls.ssl.qssl import QSsl
from qtls.ssl.tlsphase import TlsPhase, check_phase
from qtls.ssl.tlssettings import resolve_verify_mode
from qtls.ssl.values.configurationdata import PeerVerifyMode, SslMode
from qtls.ssl.values.psk import QSslPreSharedKeyAuthenticator
from qtls.ssl.verdict import certificate_from_der, check_handshake, errors_ignored, fill_session
from qtls.ssl.x509.certificate import QSslCertificate
from qtls.ssl.x509.error import QSslError, ssl_error_from_verify_code

if TYPE_CHECKING:
    import asyncio

    from qtls.ssl.sslsocket import QSslSocket

__all__: list[str] = []

#: Plaintext goes into the engine only while less ciphertext than this waits for the kernel.
HIGH_WATER = 1024 * 1024

_U = SocketState.UnconnectedState
_OK = SocketState.ConnectedState
_X = SocketState.ClosingState
_HANDSHAKING = TlsPhase.HANDSHAKING
_PAUSED = TlsPhase.PAUSED
_ENCRYPTED = TlsPhase.ENCRYPTED
_CLOSING = TlsPhase.CLOSING
_ENGINE_ENCRYPTED = EngineState.ENCRYPTED
_SERVER_MODE = SslMode.SslServerMode
_VERIFY_PEER = PeerVerifyMode.VerifyPeer
_PAUSE_ON_SSL_ERRORS = PauseMode.PauseOnSslErrors
_HANDSHAKE_FAILED = SocketError.SslHandshakeFailedError
_REMOTE_HOST_CLOSED = SocketError.RemoteHostClosedError
_TLS_CLOSED = "The TLS/SSL connection has been closed"
_SHUT_WR = _socket_module.SHUT_WR
# The outgoing buffer of every layer that has nothing waiting; never appended to (see queue()).
_NOTHING_WAITS = RingBuffer()


def _alert_args(event: AlertSent | AlertReceived) -> tuple[QSsl.AlertLevel, QSsl.AlertType, str]:
    level = QSsl.AlertLevel.Fatal if event.level is AlertLevel.FATAL else QSsl.AlertLevel.Warning
    try:
        kind = QSsl.AlertType(event.description)
    except ValueError:
        kind = QSsl.AlertType.UnknownAlertMessage
    return level, kind, event.text


def _serve_nested_loop() -> None:
    """Before each iteration of a nested event loop: the layers whose transmit() waits up the
    stack (a slot it called runs the loop) send what their slots wrote (see serve_nested).

    Found by walking up the stack, not kept in a list by transmit() itself: nested loops are
    rare, and transmit() runs for every record (a list kept per thread cost ~0.75 % of a
    ping-pong round trip's instructions)."""
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code is _TRANSMIT_CODE:
            layer = frame.f_locals.get("self")
            if isinstance(layer, TlsLayer):
                layer.serve_nested()
        frame = frame.f_back  # type: ignore[assignment]


nested_turn_hooks.append(_serve_nested_loop)


def _run_soon(layer: TlsLayer) -> None:
    """What the loop's turn does for a layer that queued work: resume(), then transmit()
    (the order of SslSocket._run_queued, the blocking waits' version of this)."""
    if layer.resume_queued:
        layer.resume_queued = False
        layer.resume_now()
    if layer.transmit_queued:
        layer.transmit_queued = False
        if layer.alive():
            layer.transmit()


class TlsLayer:
    """The TLS state of one connection of a QSslSocket (Qt's TlsCryptograph); see the module
    docstring. Made by ``QSslSocket`` when a handshake starts, dropped when the connection ends."""

    __slots__ = (
        "socket", "engine", "phase", "outgoing", "in_transmit", "transmit_again",
        "transmit_queued", "resume_queued", "close_after_flush", "tcp_closing", "held_events",
        "unreported_written",
        "deferred_alerts", "defer_alerts", "reported_early", "continue_interrupted", "soon",
        "__weakref__",
    )

    def __init__(self, socket: QSslSocket, engine: TlsEngine) -> None:
        self.socket = socket
        self.engine = engine
        self.phase = TlsPhase.UNENCRYPTED
        #: Ciphertext the kernel did not take yet: empty almost always, so every layer starts
        #: with one shared empty buffer, replaced by its own when something must wait
        #: (queue()); a buffer costs ~0.8 KiB, and a server holds thousands of layers.
        self.outgoing = _NOTHING_WAITS
        self.in_transmit = False
        self.transmit_again = False
        #: Ciphertext sent during the running transmit(), for one encryptedBytesWritten after it.
        self.unreported_written = 0
        self.transmit_queued = False
        self.resume_queued = False
        #: (loop, its SoonQueue, our entry's weak reference) once something was queued.
        self.soon: tuple[asyncio.AbstractEventLoop, SoonQueue, weakref.ref[TlsLayer]] | None = None
        self.close_after_flush = False
        self.tcp_closing = False
        #: Engine events that came behind a paused handshake (PauseOnSslErrors), for resume().
        self.held_events: list[Event] = []
        #: alertSent signals held back to where Qt emits them (just before disconnected).
        self.deferred_alerts: list[tuple[QSsl.AlertLevel, QSsl.AlertType, str]] = []
        self.defer_alerts = False
        self.reported_early = False
        self.continue_interrupted = False
        engine.on_verify_error = self.on_verify_error
        engine.on_psk_required = self.on_psk_required
        engine.on_psk_identity = self.on_psk_identity
        # Records are decrypted straight into QByteArrays, which readAll() hands out as they are.
        engine.new_plaintext_block = QByteArray._sized
        self.set_phase(_HANDSHAKING)

    def set_phase(self, phase: TlsPhase) -> None:
        check_phase(self.phase, phase)
        self.phase = phase

    def alive(self) -> bool:
        """False once a slot aborted, closed or replaced the connection this layer served."""
        socket = self.socket
        return socket._tls is self and socket._state is not _U

    def drop(self) -> None:
        """The connection is over: forget the socket and cut the engine's hooks (no cycles)."""
        engine = self.engine
        engine.on_verify_error = engine.on_psk_required = engine.on_psk_identity = None
        if self.phase is not TlsPhase.UNENCRYPTED:
            self.set_phase(TlsPhase.UNENCRYPTED)

    # ============================================================== transmit

    def transmit(self) -> None:
        """Qt's transmit(): move plaintext and ciphertext until nothing more can move."""
        if self.in_transmit:
            self.transmit_again = True
            return
        self.in_transmit = True
        try:
            while True:
                self.transmit_again = False
                self._transmit_once()
                if not self.alive():
                    break
                if self.transmit_again:
                    continue
                if self.unreported_written:
                    # encryptedBytesWritten once the pass is over, where Qt's plain socket
                    # emits it (after encrypted and bytesWritten); a slot that writes more
                    # asks for one more pass.
                    self.report_written()
                    if self.transmit_again and self.alive():
                        continue
                break
        finally:
            self.in_transmit = False

    def _transmit_once(self) -> None:
        socket = self.socket
        engine = self.engine
        if self.phase is _PAUSED:
            return
        # (0) ciphertext the kernel refused before
        if self.outgoing._size:
            self.flush_outgoing()
            if not self.alive():
                return
        # (1) plaintext out, only once encrypted (earlier writes stay queued, as in Qt)
        if (socket._write_buffer._size and self.phase is _ENCRYPTED
                and engine.state is _ENGINE_ENCRYPTED and self.outgoing._size < HIGH_WATER):
            self.encrypt_outgoing()
            if not self.alive():
                return
            if socket._write_buffer._size and not self.outgoing._size:
                self.transmit_again = True  # the kernel took the whole batch: the next one
        # (2) a close that waited for the plaintext queued before it
        if self.close_after_flush and not socket._write_buffer._size and self.phase is _ENCRYPTED:
            self.close_after_flush = False
            self.close_tls_and_tcp()
            return
        # (3) the engine's events and output, (4) decrypted data
        events = engine.events()
        if self.phase is _HANDSHAKING:
            done = next((i for i, e in enumerate(events) if type(e) is HandshakeCompleted), -1)
            if done < 0:
                self.send_engine_output()
                self.handle_events(events)
                return
            self.handle_events(events[: done + 1])
            if not self.alive():
                return
            if self.phase is _PAUSED:
                self.held_events = events[done + 1 :]
                return
            self.send_engine_output()
            self.tickets_data_events(events[done + 1 :])
        elif not events:
            # The steady state (data records only). The plaintext goes first; what the reading
            # made for the peer (a KeyUpdate answer, rare) leaves after it, or with the answer
            # a readyRead slot wrote, in the pass that the answer asks for.
            self.deliver_plaintext()
            if not self.transmit_again:
                self.send_engine_output()
            elif (socket._write_buffer._size and self.phase is _ENCRYPTED and self.alive()
                    and engine.state is _ENGINE_ENCRYPTED and not self.outgoing._size):
                # A readyRead slot answered (a request/response exchange): its answer is
                # encrypted and sent in this pass, with whatever else the engine has for the
                # peer, instead of in one more pass of the whole loop.
                self.transmit_again = False
                self.encrypt_outgoing()
                if self.alive() and (self.close_after_flush or (
                        socket._write_buffer._size and not self.outgoing._size)):
                    self.transmit_again = True  # a close after the answer, or another batch
        else:
            self.send_engine_output()
            self.tickets_data_events(events)

    def queue_transmit(self) -> None:
        """Run transmit() from the thread's loop soon, once (Qt's queued _q_flushWriteBuffer)."""
        if not self.transmit_queued:
            self.transmit_queued = self._queue_soon()

    def queue_resume(self) -> None:
        """resume() runs from the loop (queued, as Qt's)."""
        if not self.resume_queued:
            self.resume_queued = self._queue_soon()

    def _queue_soon(self) -> bool:
        """Have _run_soon() called on the socket's loop's next turn; False when that loop is
        closed (the blocking waits then do the work).

        Through the loop's SoonQueue, which holds us weakly: a loop that never runs (a thread
        using only the blocking waits) must not keep every socket that wrote alive, nor,
        through the socket, its thread and so the loop itself (see dispatch._new_loop_for),
        nor one callback per write (see qtls.core.soon)."""
        soon = self.soon
        loop = self.socket._loop
        if soon is None or soon[0] is not loop or loop is None:
            loop = self.socket._event_loop()
            queue = soon_queue(loop)
            soon = self.soon = (loop, queue, queue.watch(self))
        return soon[1].add(loop, soon[2], _run_soon)

    def forget_queued(self) -> None:
        """Take back what waits on the loop (the socket moves to another thread's loop)."""
        soon = self.soon
        if soon is not None:
            soon[1].discard(soon[2])
            self.soon = None

    # ============================================================== outgoing flow

    def encrypt_outgoing(self) -> None:
        """Encrypt queued plaintext (a batch, up to the high-water mark) and send it."""
        socket = self.socket
        engine = self.engine
        buffer = socket._write_buffer
        chunks = buffer._chunks
        total = 0
        space = HIGH_WATER - self.outgoing._size
        # Encrypt the whole batch, then drain the engine once: one BIO read and one send()
        # for the batch instead of one per application write.
        while buffer._size and total < space:
            # The head chunk itself when none of it was taken yet (the usual case: no view).
            chunk = chunks[0] if not buffer._head else buffer.first_chunk()
            taken = engine.send_plaintext(chunk)
            if taken <= 0:
                break
            total += taken
            if taken == len(chunk):  # all of the head chunk's unread bytes: drop it
                chunks.popleft()
                buffer._head = 0
                buffer._size -= taken
            else:
                buffer.free(taken)
        self.send_engine_output()
        if not self.alive():
            return
        if total and not socket._emitting_bytes_written:
            signal = socket.bytesWritten
            if signal._conns:
                socket._emitting_bytes_written = True
                try:
                    signal.emit(total)
                finally:
                    socket._emitting_bytes_written = False
        events = engine.events()
        if events:
            self.handle_events(events)

    def send_engine_output(self) -> None:
        """What the engine has for the peer goes to the kernel now (the rest is queued)."""
        data = self.engine.data_to_send()
        if data:
            self.send_ciphertext(data)

    def send_ciphertext(self, data: bytes | memoryview) -> None:
        socket = self.socket
        sock = socket._sock
        state = socket._state
        if sock is None or (state is not _OK and state is not _X):
            return
        if self.outgoing._size:
            self.queue(data)  # behind what waits already; the writer is on
            return
        sent, failure = send_now(sock, data)
        if failure is not None:
            socket._on_socket_error(failure)
            return
        if sent < len(data):
            self.queue(data[sent:])
            socket._set_writer(True)
        if sent:
            self.ciphertext_written(sent)

    def queue_ciphertext(self) -> None:
        """What the engine has for the peer waits for the writer (a close: Qt's plain socket
        flushes its close_notify from the loop, so ``disconnected`` comes later, not inside the
        call that closed)."""
        data = self.engine.data_to_send()
        if data and self.socket._sock is not None:
            self.queue(data)

    def queue(self, data: bytes | memoryview) -> None:
        """Keep ciphertext for the writer (behind what waits already)."""
        outgoing = self.outgoing
        if outgoing is _NOTHING_WAITS:
            outgoing = self.outgoing = RingBuffer()
        outgoing.append_owned(data)

    def flush_outgoing(self) -> int:
        """Send the queued ciphertext as far as the kernel takes it."""
        socket = self.socket
        sock = socket._sock
        if sock is None or not self.outgoing._size:
            return 0
        sent, failure = send_chunks(sock, self.outgoing)
        if failure is not None:
            socket._on_socket_error(failure)
            return sent
        if sent:
            self.ciphertext_written(sent)
            if not self.alive():
                return sent
        if not self.outgoing._size:
            if self.tcp_closing:
                self.finish_tcp_close()
                return sent
        socket._update_io()
        return sent

    def ciphertext_written(self, count: int) -> None:
        self.socket._encrypted_writes += 1
        self.unreported_written += count
        if not self.in_transmit:
            self.report_written()

    def report_written(self) -> None:
        count, self.unreported_written = self.unreported_written, 0
        signal = self.socket.encryptedBytesWritten
        if signal._conns:  # (no call per send when nobody listens)
            signal.emit(count)

    def on_writable(self) -> None:
        """The descriptor takes data again: the queued ciphertext, then what waited for it."""
        self.flush_outgoing()
        if self.alive() and not self.outgoing._size and not self.tcp_closing:
            socket = self.socket
            if socket._write_buffer._size and self.phase is _ENCRYPTED:
                self.transmit()

    # ============================================================== incoming flow

    def deliver_plaintext(self) -> None:
        engine = self.engine
        if not engine.plaintext_pending or (self.phase is not _ENCRYPTED
                                            and self.phase is not _CLOSING):
            return
        block = engine.read_plaintext()  # a block nobody else holds: no copy into the ring
        ring = self.socket._read_buffer
        if not ring._size and type(block) is QByteArray:  # (append_owned's empty case, inline)
            ring._chunks.append(block)  # type: ignore[arg-type]
            ring._size = len(block)
        else:
            ring.append_owned(block)
        self.socket._emit_ready_read()

    def tickets_data_events(self, events: Sequence[Event]) -> None:
        """Hand a batch over in Qt's order: session tickets first (Qt stores them from
        OpenSSL's new-session callback, inside the SSL_read that met them, so a readyRead slot
        already sees the new session), then the plaintext, then what ended the stream."""
        rest: list[Event] = []
        for event in events:
            if type(event) is SessionTicketReceived:
                self.on_session_ticket(event)
                if not self.alive():
                    return
            else:
                rest.append(event)
        self.deliver_plaintext()
        if self.alive():
            self.handle_events(rest)

    def serve_nested(self) -> None:
        """A nested event loop turns inside one of the socket's slots (``QEventLoop.exec()`` in
        a readyRead or encrypted slot, waiting for an answer), while the transmit() that
        emitted the signal waits up the stack: what the slot wrote leaves now, as in Qt, whose
        write flush is an event the nested loop delivers. What arrives meanwhile is handed
        over once the slot returns, as in Qt (PyQt6, same scenario: the answer's readyRead
        comes after the nested loop, in an encrypted slot as in a readyRead one)."""
        if (self.socket._write_buffer._size and self.phase is _ENCRYPTED and self.alive()
                and self.engine.state is _ENGINE_ENCRYPTED):
            self.encrypt_outgoing()

    def deliver_nested(self) -> None:
        """A blocking wait inside one of the socket's own slots (``waitForReadyRead`` in a
        readyRead or encrypted slot), while the transmit() that emitted the signal waits up
        the stack: as Qt, whose transmit() runs again inside the wait, the data is handed over
        now, with readyRead emitted from inside the wait (the guard against recursive
        emission is lifted for it). The outer transmit() copes with what the slots did."""
        if self.phase is not _ENCRYPTED:
            return
        events = self.engine.events()
        self.send_engine_output()
        socket = self.socket
        emitting, socket._emitting_ready_read = socket._emitting_ready_read, False
        try:
            self.tickets_data_events(events)
        finally:
            socket._emitting_ready_read = emitting

    # ============================================================== handshake flow

    def start(self, leftover: bytes, *, server: bool) -> None:
        """The handshake's first step: a client's ClientHello; bytes received before it (a
        server's peeked ClientHello) go to the engine first."""
        engine = self.engine
        if not server:
            engine.start_handshake()
        if leftover:
            engine.receive_ciphertext(leftover)
        if server:
            self.send_engine_output()
        else:
            # The ClientHello leaves from the writer, as from Qt's plain socket: its
            # encryptedBytesWritten comes after connected, which is emitted after this.
            self.queue_ciphertext()
            self.socket._update_io()
        if self.alive():
            self.handle_events(engine.events())
        if server and self.alive():
            self.transmit()

    def handle_events(self, events: Sequence[Event]) -> None:
        """Map engine events to Qt signals (the engine rule, second half)."""
        socket = self.socket
        for event in events:
            if socket._tls is not self:
                return
            kind = type(event)
            if kind is AlertSent:
                args = _alert_args(event)  # type: ignore[arg-type]
                if self.defer_alerts:
                    self.deferred_alerts.append(args)
                else:
                    socket._emit_relayed("alertSent", *args)
            elif kind is AlertReceived:
                socket._emit_relayed("alertReceived", *_alert_args(event))  # type: ignore[arg-type]
            elif kind is HandshakeCompleted:
                self.on_handshake_completed(event.info)  # type: ignore[attr-defined]
            elif kind is SessionTicketReceived:
                self.on_session_ticket(event)  # type: ignore[arg-type]
            elif kind is CloseNotifyReceived:
                self.on_close_notify()
            elif kind is TlsError:
                self.on_tls_error(event)  # type: ignore[arg-type]

    def on_handshake_completed(self, info: ConnectionInfo) -> None:
        socket = self.socket
        config = socket._config
        cache: dict[bytes, QSslCertificate] = {}
        chain = [certificate_from_der(der, cache) for der in info.peer_chain]
        fill_session(config, info, chain)
        socket._session_resumed = info.session_resumed
        socket._last_info = info
        server = socket._mode is _SERVER_MODE
        verify_peer = resolve_verify_mode(config.peerVerifyMode(), server) is _VERIFY_PEER
        verdict = check_handshake(
            server=server,
            verify_peer=verify_peer,
            peer_name=socket._verification_peer_name or socket._peer_name,
            chain=chain,
            verify_errors=self.engine.verify_errors,
            errors_reported_early=self.reported_early,
            ocsp_wanted=config.ocspStaplingEnabled(),
            ocsp_der=info.ocsp_response,
            verified_chain=[certificate_from_der(der, cache) for der in info.verified_chain],
            configuration=config,
        )
        socket._ocsp = verdict.ocsp_responses
        for error in verdict.peer_verify_errors:
            socket._emit_relayed("peerVerifyError", error)
            if not self.alive():
                return
        if verdict.fatal:
            self.fail_handshake(verdict.fatal)
            return
        socket._handshake_errors = verdict.ssl_errors
        if verdict.ssl_errors:
            socket._emit_relayed("sslErrors", list(verdict.ssl_errors))
            if not self.alive():
                return
            if verify_peer and not errors_ignored(
                    verdict.ssl_errors, socket._ignore_all, socket._ignore_list):
                if socket._pause_mode & _PAUSE_ON_SSL_ERRORS:
                    self.set_phase(_PAUSED)
                    return
                self.fail_verification()
                return
        self.become_encrypted()

    def become_encrypted(self) -> None:
        socket = self.socket
        self.set_phase(_ENCRYPTED)
        watcher = socket._handshake_watcher
        if watcher is not None and not socket._qt_blocked:
            watcher._socket_encrypted(socket)  # a QSslServer: before the signal, as if connected first
        socket.encrypted.emit()
        if not self.alive():
            return
        if socket._pending_close and socket._auto_start:
            socket._pending_close = False
            socket.disconnectFromHost()
        elif socket._write_buffer._size:
            self.transmit()

    def resume_now(self) -> None:
        """resume() after PauseOnSslErrors: go on if the errors were ignored meanwhile."""
        socket = self.socket
        if self.phase is not _PAUSED or not self.alive():
            return
        if errors_ignored(socket._handshake_errors, socket._ignore_all, socket._ignore_list):
            self.set_phase(_HANDSHAKING)
            self.send_engine_output()  # the flight held back while paused
            held, self.held_events = self.held_events, []
            self.become_encrypted()
            if not self.alive():
                return
            self.deliver_plaintext()
            if self.alive():
                self.handle_events(held)
            if self.alive():
                self.transmit()
                socket._update_io()
        else:
            self.set_phase(_HANDSHAKING)
            self.fail_verification()

    def fail_verification(self) -> None:
        """Unignored sslErrors: SslHandshakeFailedError, then the TCP connection is closed.

        As Qt: our last handshake flight was held back and is dropped, so the peer sees the
        connection close without the handshake completing; the alertSent(close notify)
        signal comes just before disconnected, where Qt emits it.
        """
        socket = self.socket
        errors = socket._handshake_errors
        socket._set_error_and_emit(_HANDSHAKE_FAILED,
                                   errors[0].errorString() if errors else "SSL error")
        if not self.alive():
            return
        self.shutdown_tls(defer_alerts=True, send=False)
        self.close_tcp()

    def fail_handshake(self, text: str) -> None:
        self.socket._set_error_and_emit(_HANDSHAKE_FAILED, text)
        self.abort_after_failure()

    def on_tls_error(self, event: TlsError) -> None:
        if event.during_handshake or self.phase is _HANDSHAKING or self.phase is _PAUSED:
            error, text = _HANDSHAKE_FAILED, f"Error during SSL handshake: {event.reason}"
        else:
            error, text = SocketError.SslInternalError, f"Error while reading: {event.reason}"
        self.socket._set_error_and_emit(error, text)
        self.abort_after_failure()

    def on_session_ticket(self, event: SessionTicketReceived) -> None:
        config = self.socket._config
        if config.testSslOption(QSsl.SslOption.SslOptionDisableSessionPersistence):
            return
        config.setSessionTicket(event.session)
        config._set_session_ticket_life_time_hint(event.lifetime_hint)
        self.socket.newSessionTicketReceived.emit()

    # -- hooks called by the engine from inside OpenSSL callbacks -------------------------------

    def on_verify_error(self, error: VerifyError) -> bool:
        self.reported_early = True
        self.continue_interrupted = False
        cert = QSslCertificate(error.certificate, QSsl.EncodingFormat.Der)
        self.socket._emit_relayed("handshakeInterruptedOnError",
                                  QSslError(ssl_error_from_verify_code(error.code), cert))
        decision, self.continue_interrupted = self.continue_interrupted, False
        return decision

    def on_psk_required(self, hint: bytes, max_identity: int,
                        max_psk: int) -> tuple[bytes, bytes] | None:
        auth = QSslPreSharedKeyAuthenticator._for_handshake(hint, max_identity, max_psk)
        self.socket._emit_relayed("preSharedKeyAuthenticationRequired", auth)
        return auth._handshake_answer()

    def on_psk_identity(self, identity: bytes, max_psk: int) -> bytes | None:
        hint = self.socket._config._d.psk_identity_hint
        auth = QSslPreSharedKeyAuthenticator._for_server(identity, hint, max_psk)
        self.socket._emit_relayed("preSharedKeyAuthenticationRequired", auth)
        answer = auth._handshake_answer()
        return answer[1] if answer else None

    # ============================================================== shutdown flow

    def on_close_notify(self) -> None:
        """The peer closed TLS: RemoteHostClosedError once, as Qt; the connection is reported
        closed when the peer's FIN comes (then the second RemoteHostClosedError and the close,
        from QSslSocket._on_readable). Our close_notify and our FIN answer at once (Qt sends
        neither until the connection ends): a peer that waits for them before closing is not
        kept waiting."""
        if self.phase is _ENCRYPTED or self.phase is _HANDSHAKING or self.phase is _PAUSED:
            self.set_phase(_CLOSING)
        self.socket._set_error_and_emit(_REMOTE_HOST_CLOSED, _TLS_CLOSED)
        if self.alive():
            self.shutdown_tls(defer_alerts=True)
        sock = self.socket._sock
        if self.alive() and sock is not None and not self.outgoing._size:
            # Nothing can follow our close_notify: our FIN too, so that a peer waiting for it
            # (one that keeps its side open until we close) is not kept waiting either.
            try:
                sock.shutdown(_SHUT_WR)
            except OSError:
                pass

    def shutdown_tls(self, *, defer_alerts: bool, send: bool = True, queue: bool = False) -> None:
        """Close TLS (close_notify when encrypted). ``send`` hands it to the kernel (``queue``:
        to the writer); otherwise what the engine still had to send is dropped (the connection
        is going down without it)."""
        engine = self.engine
        self.defer_alerts = defer_alerts
        try:
            engine.shutdown()
            if not send:
                engine.data_to_send()
            elif queue:
                self.queue_ciphertext()
            else:
                self.send_engine_output()
            self.handle_events(engine.events())
        finally:
            self.defer_alerts = False

    def close_tls_and_tcp(self) -> None:
        """close_notify (when encrypted), then the TCP connection's graceful close."""
        if self.phase is _ENCRYPTED or self.phase is _CLOSING:
            if self.phase is _ENCRYPTED:
                self.set_phase(_CLOSING)
            self.shutdown_tls(defer_alerts=False, queue=True)
        if self.alive():
            self.close_tcp()

    def close_tcp(self, *, drain: bool = True) -> None:
        """What Qt's private plain socket does on disconnectFromHost: its own ClosingState
        (emitted even when QSslSocket announced Closing already: PyQt6 emits it twice), the
        queued ciphertext flushed by the writer, then the close."""
        socket = self.socket
        if self.tcp_closing or socket._state is _U:
            return
        self.tcp_closing = True
        if socket._state is not _X:
            socket.setSocketState(_X)
        emit_if_connected(socket, "stateChanged", _X)
        if not self.alive():
            return
        if self.outgoing._size:
            socket._update_io()  # reader off (closing), writer on: flush_outgoing finishes
            return
        self.finish_tcp_close(drain=drain)

    def finish_tcp_close(self, *, drain: bool = True) -> None:
        if drain:
            self.drain_kernel_input()
        self.socket._finish_disconnect()

    def abort_after_failure(self) -> None:
        """Qt's trySendFatalAlert + abort(): the alert is written, then the TCP connection is
        dropped (stateChanged(Unconnected) without ClosingState)."""
        socket = self.socket
        if socket._tls is not self:
            return
        self.send_engine_output()
        if self.outgoing._size:
            self.flush_outgoing()
        socket._write_buffer.clear()
        self.close_after_flush = False
        if socket._tls is self and socket._state is not _U:
            self.drain_kernel_input()
            socket._drop_connection()

    def drain_kernel_input(self) -> None:
        """Never close with unread input: the kernel would send RST, which destroys what the
        peer had not read yet, our last bytes included (see :mod:`qtls.ssl.lingerer`). Nothing
        to do once the peer's close_notify came: nothing but its FIN may follow it."""
        sock = self.socket._sock
        if sock is not None and not self.engine.close_notify_received:
            drain_and_linger(sock)

    def on_disconnected(self) -> None:
        """The TCP connection is gone (Qt's _q_disconnectedSlot and the backend's
        disconnected()): the alerts Qt emits when it destroys the SSL object, then the layer
        goes."""
        socket = self.socket
        engine = self.engine
        if engine.state is _ENGINE_ENCRYPTED:
            # Qt's destroySslContext() calls SSL_shutdown on a connection that never closed
            # TLS (abort, a lost connection): the alertSent(close notify) signal comes here,
            # though nothing reaches the peer.
            self.shutdown_tls(defer_alerts=True, send=False)
        self.drop()
        if socket._tls is self:
            socket._tls = None
        alerts, self.deferred_alerts = self.deferred_alerts, []
        for args in alerts:
            socket._emit_relayed("alertSent", *args)

    def __repr__(self) -> str:
        return f"<TlsLayer {self.phase.name} engine={self.engine.state.name}>"



_TRANSMIT_CODE = TlsLayer.transmit.__code__  # what _serve_nested_loop looks for up the stack
