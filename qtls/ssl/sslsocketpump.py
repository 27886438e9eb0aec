"""QSslSocket's pump (Qt's ``transmit()``): plaintext and ciphertext between the socket's
buffers, the TLS engine and the private plain socket; the engine's callbacks.

A mixin, so that :mod:`qtls.ssl.sslsocket` keeps to the plain socket, the states and the API.
The theory of operation (buffers, the engine rule, flow control) is in that module's docstring.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from qtls.core.bytearray import QByteArray
from qtls.core.iodevice import QIODevice
from qtls.network.socketenums import SocketState
from qtls.network.tcpsocket import QTcpSocket
from qtls.ssl import sslsocketclosing as _closing
from qtls.ssl import sslsocketevents as _events
from qtls.ssl.engine import (
    EngineState,
    HandshakeCompleted,
    TlsEngine,
    VerifyError,
)
from qtls.ssl.engine.events import Event
from qtls.ssl.qssl import QSsl
from qtls.ssl.tlsphase import TlsPhase
from qtls.ssl.values.configuration import QSslConfiguration
from qtls.ssl.values.psk import QSslPreSharedKeyAuthenticator
from qtls.ssl.x509.certificate import QSslCertificate
from qtls.ssl.x509.error import QSslError, ssl_error_from_verify_code

__all__: list[str] = []

_U = SocketState.UnconnectedState
_OK = SocketState.ConnectedState
_X = SocketState.ClosingState

#: Plaintext goes into the engine only while less ciphertext than this waits in the plain socket.
_HIGH_WATER = 1024 * 1024

# Enum members as module constants for the data path: Python 3.11 resolves ``TlsPhase.X``
# through EnumType.__getattr__, ~0.1 µs each, a dozen times per message.
_HANDSHAKING = TlsPhase.HANDSHAKING
_PAUSED = TlsPhase.PAUSED
_ENCRYPTED = TlsPhase.ENCRYPTED
_CLOSING = TlsPhase.CLOSING
_ENGINE_ENCRYPTED = EngineState.ENCRYPTED

_WRITE_ONLY = QIODevice.OpenModeFlag.WriteOnly.value

if TYPE_CHECKING:
    from qtls.ssl.sslsocket import QSslSocket

    _PumpBase = QTcpSocket
else:
    _PumpBase = object


class SslPump(_PumpBase):
    """The pump of QSslSocket (mixed into the socket class)."""

    _config: QSslConfiguration
    _engine: TlsEngine | None
    _plain: QTcpSocket | None
    _phase: TlsPhase
    _in_transmit: bool
    _transmit_again: bool
    _ssl_pending_close: bool
    _held_events: list[Event]
    _reported_early: bool
    _continue_interrupted: bool
    #: readyRead emissions so far, counted just before each one (blocked signals included):
    #: what waitForReadyRead waits for, as Qt's ``readyReadEmittedPointer`` flag.
    _ready_reads = 0
    handshakeInterruptedOnError: Any
    preSharedKeyAuthenticationRequired: Any

    if TYPE_CHECKING:
        def _alive(self, engine: TlsEngine | None) -> bool: ...
        def _room(self) -> int | None: ...
        def _move_plain_input(self) -> None: ...
        def _undefer_plain_flush(self) -> bool: ...
        def _emit_relayed(self, name: str, *args: Any) -> None: ...

    def _flush_engine(self, engine: TlsEngine) -> None:
        """Hand the engine's ciphertext to the plain socket (the engine rule, first half)."""
        data = engine.data_to_send()
        if data:
            self._write_ciphertext(data)

    def _write_ciphertext(self, data: bytes | memoryview) -> None:
        """_flush_engine's second half (the hot path calls data_to_send() itself)."""
        plain = self._plain
        if data and plain is not None and (plain._state is _OK or plain._state is _X):
            if plain._open_mode._value_ & _WRITE_ONLY:
                # Straight to the plain socket's buffer: QIODevice.write's argument and mode
                # checks are for applications; this is our own bytes object.
                if type(data) is memoryview:
                    plain._write_owned(data)  # a big batch the engine gave up: no copy
                else:
                    plain.writeData(data)
            else:
                plain.write(data)  # not writable: QIODevice.write warns and refuses, as Qt

    def _transmit(self) -> None:
        """Qt's transmit(): move plaintext and ciphertext until nothing more can move."""
        if self._in_transmit:
            self._transmit_again = True
            return
        self._in_transmit = True
        try:
            while True:
                self._transmit_again = False
                if not self._transmit_once() and not self._transmit_again:
                    break
        finally:
            self._in_transmit = False

    def _encrypt_outgoing(self, engine: TlsEngine, plain: QTcpSocket) -> None:
        """Encrypt queued plaintext and hand the ciphertext to the plain socket (the pump's
        first step; also what a blocking wait inside one of our slots runs, see
        sslsocketwaits._run_queued)."""
        buffer = self._write_buffer
        total = 0
        # Encrypt the whole batch, then drain the BIO once: one BIO read, one plain-socket
        # write and one send() for the batch instead of one per application write.
        # (Ciphertext is counted as the plaintext it came from: the overhead is ~1 %.)
        space = _HIGH_WATER - plain._write_buffer._size
        chunks = buffer._chunks
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
        data = engine.data_to_send()  # (_flush_engine, inlined)
        if data:
            self._write_ciphertext(data)
        if total:
            # Not counted as progress: the loop above already took all it could, and a slot
            # that writes more from here asks for another pass itself (writeData sets
            # _transmit_again), so an empty extra pass per write is saved.
            signal = self.bytesWritten
            if signal._conns and not self._emitting_bytes_written:  # (no slot: no call)
                self._undefer_plain_flush()
                self._emitting_bytes_written = True
                try:
                    signal.emit(total)
                finally:
                    self._emitting_bytes_written = False
        if engine._events:
            self._undefer_plain_flush()  # (their signals run slots)
            _events.handle_events(cast("QSslSocket", self), engine, engine.events())

    def _transmit_once(self) -> bool:
        engine = self._engine
        plain = self._plain
        if engine is None or plain is None or self._phase is _PAUSED:
            return False
        progress = False
        # The hot path (a ping-pong runs it twice per message) reads the ring buffers' and the
        # engine's sizes as attributes (``_size``, ``_plaintext_size``, ``_events``) and
        # inlines _alive(): each Python call saved is ~1 % of a round trip.
        # -- outgoing plaintext (only once encrypted; earlier writes stay queued, as in Qt)
        buffer = self._write_buffer
        if buffer._size and self._phase is _ENCRYPTED and engine._state is _ENGINE_ENCRYPTED:
            self._encrypt_outgoing(engine, plain)
            if self._engine is not engine or self._state is _U:
                return False
        if self._ssl_pending_close and not buffer and self._state is _X and self._phase is _ENCRYPTED:
            self._ssl_pending_close = False
            self._undefer_plain_flush()
            _closing.close_tls_and_tcp(cast("QSslSocket", self))
            return False
        # -- incoming ciphertext
        source = plain._read_buffer
        if source._size or engine.ciphertext_fed:
            room = self._room() if self._read_buffer_size and self._phase is _ENCRYPTED else None
            if room is None or room > 0:
                # (_feed_engine, inlined: it runs once per message, and the call showed up as
                # 0.7% of a ping-pong round trip.)
                if not source._size:
                    engine.receive_ciphertext_pieces(())
                elif room is None or room >= source._size:
                    pieces = source.read_all_chunks()
                    plain._maybe_resume_reading()
                    engine.receive_ciphertext_pieces(pieces)
                else:
                    data = source.read(room)
                    plain._maybe_resume_reading()
                    engine.receive_ciphertext(data)
                progress = True
                events: list[Event] = []
                if engine._events:
                    events = engine.events()
                    self._undefer_plain_flush()  # (their signals run slots)
                if self._phase is _HANDSHAKING:
                    done = next((i for i, e in enumerate(events) if type(e) is HandshakeCompleted), -1)
                    if done < 0:
                        self._flush_engine(engine)
                        _events.handle_events(cast("QSslSocket", self), engine, events)
                        if not self._alive(engine):
                            return False
                    else:
                        # As Qt: the peer's certificate is judged before our last flight
                        # (a TLS 1.3 client's Finished, a server's tickets) leaves, so a peer
                        # we reject never sees the handshake complete.
                        _events.handle_events(cast("QSslSocket", self), engine, events[: done + 1])
                        if not self._alive(engine):
                            return False
                        if self._phase is _PAUSED:
                            self._held_events = events[done + 1 :]  # for resume()
                            return False
                        self._flush_engine(engine)
                        # encrypted() first, then tickets and the data that came with the
                        # handshake, then what followed it (a close_notify behind the data).
                        if not self._tickets_data_events(engine, events[done + 1 :]):
                            return False
                elif not events:
                    # The steady state (data records only): no events to map. The plaintext
                    # goes first and what the reading made for the peer (a KeyUpdate answer,
                    # rare) leaves after it, as in Qt's transmit loop; when a slot's write
                    # asks for another pass, that pass's data_to_send() takes it along with
                    # the write's own ciphertext: one C call per message less.
                    self._deliver_plaintext(engine)
                    if (self._transmit_again and self._write_buffer._size
                            and self._phase is _ENCRYPTED and engine._state is _ENGINE_ENCRYPTED
                            and self._engine is engine and self._state is not _U):
                        # A readyRead slot answered (a request/response exchange): encrypt the
                        # answer here rather than in one more pass of the whole pump. What the
                        # encryption's own slots write asks for another pass as usual.
                        self._transmit_again = False
                        self._encrypt_outgoing(engine, plain)
                        # No further pass unless something besides that write waits for one:
                        # a close the slot asked for, input, plaintext not delivered yet.
                        if not (self._ssl_pending_close or source._size or engine.ciphertext_fed
                                or engine._plaintext_size):
                            return False
                    else:
                        ciphertext = engine.data_to_send()  # (_flush_engine, inlined)
                        if ciphertext:
                            self._write_ciphertext(ciphertext)
                else:
                    self._flush_engine(engine)
                    if not self._tickets_data_events(engine, events):
                        return False
                if self._engine is not engine or self._state is _U:  # (_alive, inlined)
                    return False
            else:
                self._read_paused = True
        if (engine._plaintext_size and self._engine is engine and self._state is not _U
                and (self._phase is _ENCRYPTED or self._phase is _CLOSING)):
            self._deliver_plaintext(engine)
        return progress

    def _tickets_data_events(self, engine: TlsEngine, events: list[Event]) -> bool:
        """Hand a batch over in Qt's order: session tickets first (see tickets_first), then
        the plaintext, then what ended the stream (close_notify, a fatal alert). False when a
        slot closed or reset the socket on the way."""
        rest = _events.tickets_first(cast("QSslSocket", self), engine, events)
        if not self._alive(engine):
            return False
        self._deliver_plaintext(engine)
        if not self._alive(engine):
            return False
        _events.handle_events(cast("QSslSocket", self), engine, rest)
        return True

    def _transmit_nested(self) -> None:
        """The incoming half of the pump for a blocking wait inside one of our own slots
        (``waitForReadyRead`` in a readyRead or encrypted slot), where the pump that emitted
        the signal is further up the stack and does not run again until the slot returns.

        As in Qt, whose transmit() runs again from inside the wait: the ciphertext the wait
        received is decrypted now and readyRead is emitted for it at once, recursively when
        the slot is itself a readyRead slot. Session tickets, close_notify and alerts that
        came with it are handled in the usual order (tickets, data, the rest). The outer pump
        then goes on where it was; it copes with whatever the nested signals' slots did, as
        it copes with a slot that closes the socket.
        """
        engine = self._engine
        plain = self._plain
        if (engine is None or plain is None or self._phase is not _ENCRYPTED
                or engine.state is not _ENGINE_ENCRYPTED or engine._events):
            return  # (events already waiting belong to the outer pump, in their order)
        source = plain._read_buffer
        room = self._room() if self._read_buffer_size else None
        if room is not None and room <= 0:
            self._read_paused = True
            return
        if not source._size and not engine.ciphertext_fed:
            return
        self._feed_engine(engine, plain, room)
        events = engine.events() if engine._events else []
        self._flush_engine(engine)  # (a KeyUpdate answer, our close_notify reply)
        # Inside a readyRead slot Qt emits readyRead again, from inside the wait: the guard
        # against recursive emission is lifted for this delivery.
        emitting, self._emitting_ready_read = self._emitting_ready_read, False
        try:
            self._tickets_data_events(engine, events)
        finally:
            self._emitting_ready_read = emitting

    @staticmethod
    def _feed_engine(engine: TlsEngine, plain: QTcpSocket, room: int | None) -> None:
        """Decrypt the plain socket's ciphertext, at most ``room`` bytes of it (None: all).

        The pieces go into the BIO as they are: joining them would copy (and for a 4 MiB
        burst, allocate) everything once more. With nothing buffered, what the plain socket
        fed the BIO itself (see _sink_ciphertext) is decrypted."""
        source = plain._read_buffer
        if not source._size:
            engine.receive_ciphertext_pieces(())
        elif room is None or room >= source._size:
            pieces = source.read_all_chunks()
            plain._maybe_resume_reading()
            engine.receive_ciphertext_pieces(pieces)
        else:
            data = source.read(room)
            plain._maybe_resume_reading()
            engine.receive_ciphertext(data)

    def _sink_ciphertext(self, data: memoryview, size: int) -> bool:
        """The plain socket's receive hook: once encrypted, without a read-buffer limit and
        outside the pump, received ciphertext goes into the engine's BIO at once, and the
        readyRead that follows runs the pump that decrypts it. That skips one copy of every
        byte (into the plain socket's buffer) and the buffer's bookkeeping."""
        engine = self._engine
        if (engine is None or self._phase is not _ENCRYPTED or self._read_buffer_size
                or self._in_transmit):
            return False
        return engine.feed_ciphertext(data, size)

    def _deliver_plaintext(self, engine: TlsEngine) -> None:
        if not engine._plaintext_size or (self._phase is not _ENCRYPTED and self._phase is not _CLOSING):
            return
        # The engine hands over a buffer it keeps no reference to: no copy into the ring.
        chunks = engine._plaintext
        if len(chunks) == 1:
            # engine.read_plaintext(), inlined for its usual case (one block per batch).
            block = chunks[0]
            chunks.clear()
            engine._plaintext_size = 0
        else:
            block = engine.read_plaintext()
        ring = self._read_buffer
        if not ring._size and type(block) is QByteArray:
            # RingBuffer.append_owned's own step for an empty ring, without the call (the
            # usual case: the application read the last message before this one came).
            ring._chunks.append(block)  # type: ignore[arg-type]
            ring._size = len(block)
        else:
            ring.append_owned(block)
        self._emit_ready_read()

    def _emit_ready_read(self) -> None:
        if self._emitting_ready_read:
            return
        self._emitting_ready_read = True
        plain = self._plain
        deferring = plain is not None and plain._defer_flush
        if deferring:  # (_undefer_plain_flush, inlined: nothing is deferred yet, usually)
            plain._defer_flush = False  # type: ignore[union-attr]
            if plain._flush_deferred:  # type: ignore[union-attr]
                plain._undefer_flush()  # type: ignore[union-attr]
        try:
            self._ready_reads += 1
            self.readyRead.emit()
        finally:
            self._emitting_ready_read = False
            if deferring:
                plain._defer_flush = True  # type: ignore[union-attr]

    def _schedule(self, attribute: str, callback: Any) -> None:
        """Run ``callback`` from the thread's loop soon (Qt's queued invokeMethod), once."""
        if getattr(self, attribute):
            return
        setattr(self, attribute, True)

        def run() -> None:
            setattr(self, attribute, False)
            callback()

        try:
            self._event_loop().call_soon(run)
        except RuntimeError:  # the loop is closed: blocking waits will pump instead
            setattr(self, attribute, False)

    def _pump(self) -> None:
        """The queued pump: decided when it runs, since a handshake may have started since."""
        if self._engine is None:
            self._move_plain_input()
        elif self._write_buffer and self._phase is _ENCRYPTED:
            # Qt's _q_flushWriteBuffer calls q->flush(): transmit() and then plainSocket->flush(),
            # so the ciphertext of a write leaves in this loop turn instead of waiting one more
            # turn (and two epoll_ctl calls) for the plain socket's writable event.
            self.flush()
        else:
            self._transmit()

    def _maybe_resume_reading(self) -> None:
        """The application read: if the buffer had filled, pump again (queued, as Qt)."""
        if not self._read_paused:
            return
        room = self._room()
        if room is not None and room <= 0:
            return
        self._read_paused = False
        self._schedule("_flush_scheduled", self._pump)

    # -- hooks called by the engine from inside OpenSSL callbacks --------------------------------

    def _on_verify_error(self, error: VerifyError) -> bool:
        self._reported_early = True
        self._continue_interrupted = False
        cert = QSslCertificate(error.certificate, QSsl.EncodingFormat.Der)
        self._emit_relayed("handshakeInterruptedOnError",
                           QSslError(ssl_error_from_verify_code(error.code), cert))
        decision, self._continue_interrupted = self._continue_interrupted, False
        return decision

    def _on_psk_required(self, hint: bytes, max_identity: int, max_psk: int) -> tuple[bytes, bytes] | None:
        auth = QSslPreSharedKeyAuthenticator._for_handshake(hint, max_identity, max_psk)
        self._emit_relayed("preSharedKeyAuthenticationRequired", auth)
        return auth._handshake_answer()

    def _on_psk_identity(self, identity: bytes, max_psk: int) -> bytes | None:
        hint = self._config._d.psk_identity_hint
        auth = QSslPreSharedKeyAuthenticator._for_server(identity, hint, max_psk)
        self._emit_relayed("preSharedKeyAuthenticationRequired", auth)
        answer = auth._handshake_answer()
        return answer[1] if answer else None

