"""The event-loop registration and the plain read/write pump of QAbstractSocket.

``SocketPump`` is the base of QAbstractSocket: it owns the non-blocking ``socket.socket``,
keeps the loop's reader/writer registrations in step with what the socket wants
(``_update_io``), reads bursts into the read buffer (``_on_readable``), drains the write
buffer (``_flush_write_buffer``) and implements the QIODevice hooks. The system calls
themselves are in :mod:`qtls.network.socketio`. State changes and signals other than
readyRead/bytesWritten belong to QAbstractSocket; the pump calls them through the methods
declared at the end of the class. A subclass that moves bytes differently (QSslSocket, through
its TLS layer) overrides ``_on_readable``, ``_on_writable``, ``_wants_read``/``_wants_write``
and ``writeData``; see abstractsocket's module docstring for the theory of operation.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import weakref
from typing import Any

from qtls.core.bytearray import QByteArray
from qtls.core.dispatch import post, thread_loop
from qtls.core.iodevice import QIODevice
from qtls.core.qobject import QObject
from qtls.core.soon import SoonQueue, soon_queue
from qtls.network import socketerrors as _err
from qtls.network.socketenums import SocketError as _SocketError
from qtls.network.socketenums import SocketState as _SocketState
from qtls.network.socketio import receive_burst, send_chunks

__all__: list[str] = []

_READ_ONLY = QIODevice.OpenModeFlag.ReadOnly.value
_TEXT = QIODevice.OpenModeFlag.Text.value

_U = _SocketState.UnconnectedState
_C = _SocketState.ConnectingState
_OK = _SocketState.ConnectedState
_X = _SocketState.ClosingState


def _readable(ref: weakref.ref[SocketPump]) -> None:
    pump = ref()
    if pump is not None:
        pump._on_readable()


def _run_soon(pump: SocketPump) -> None:
    pump._on_soon()


def _writable(ref: weakref.ref[SocketPump]) -> None:
    pump = ref()
    if pump is not None:
        pump._on_writable()


def _registration_is(loop: asyncio.AbstractEventLoop, fd: int, weak: Any) -> bool:
    """Whether ``fd``'s registration in ``loop`` is the one made with ``weak``: a descriptor
    closed behind its owner's back (by code that shared it) may carry another socket's
    registration by now, which must stay. Only selector loops can tell; others are trusted."""
    selector = getattr(loop, "_selector", None)
    if selector is None or weak is None:
        return True
    try:
        handles = selector.get_key(fd).data
    except (KeyError, ValueError):
        return False
    return any(getattr(handle, "_args", None) == (weak,) for handle in handles if handle)


def release_descriptor(loop: asyncio.AbstractEventLoop | None, sock: socket.socket,
                       registered: bool, owner_thread: threading.Thread | None,
                       weak: Any = None) -> None:
    """Unregister ``sock`` from ``loop`` and close it: its owner was garbage-collected (Qt's
    destructor closes a socket or server nobody can reach any more). From another thread than
    the owner's, the loop does it, since asyncio loops are not thread-safe."""
    def release() -> None:
        try:
            if registered and loop is not None and not loop.is_closed():
                fd = sock.fileno()
                if fd >= 0 and _registration_is(loop, fd, weak):
                    loop.remove_reader(sock)
                    loop.remove_writer(sock)
        finally:
            sock.close()

    if (not registered or loop is None or loop.is_closed() or owner_thread is None
            or owner_thread is threading.current_thread()):
        release()
        return
    try:
        loop.call_soon_threadsafe(release)
    except RuntimeError:  # the loop closed meanwhile
        sock.close()


class SocketPump(QIODevice):
    """Descriptor, loop registration and byte pump (the base of QAbstractSocket)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._state = _U
        self._sock: socket.socket | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._reader_on = False
        self._writer_on = False
        self._read_buffer_size = 0
        self._read_paused = False  # reader off because the read buffer is full
        self._emitting_ready_read = False
        self._emitting_bytes_written = False
        self._generation = 0  # bumped whenever the descriptor goes away
        # Bumped by every read burst / flush that moved bytes: what the waits wait for (Qt's
        # waits succeed on new data even when readyRead is not re-emitted inside its slot).
        self._reads = 0
        self._writes = 0
        self._flush_queued = False  # a _queued_flush is waiting in the loop (see writeData)

    def _reset_socket(self) -> None:
        """Forget the descriptor: unregister it from the loop and close it (no signals)."""
        sock = self._sock
        if sock is None:
            return
        self._set_reader(False)
        self._set_writer(False)
        self._sock = None
        self._generation += 1
        try:
            sock.close()
        except OSError:
            pass

    def _destroy(self) -> None:
        self._reset_socket()
        super()._destroy()

    def __del__(self) -> None:
        # The loop holds its reader/writer registrations through weak references (see
        # _set_reader), so a socket nobody references is collected; then, as Qt's destructor
        # does, its connection is dropped and its descriptor closed.
        d = self.__dict__
        sock = d.get("_sock")
        if sock is not None:
            release_descriptor(d.get("_loop"), sock,
                               bool(d.get("_reader_on") or d.get("_writer_on")),
                               d.get("_qt_thread"), d.get("_weak"))

    # ---------------------------------------------------------------- loop registration

    def _event_loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None or self._loop.is_closed():
            self._loop = thread_loop()
        return self._loop

    def _wants_read(self) -> bool:
        return (self._state is _OK and self._sock is not None and not self._read_paused)

    def _wants_write(self) -> bool:
        if self._sock is None:
            return False
        if self._state is _C:
            return True
        return self._state in (_OK, _X) and bool(self._write_buffer)

    def _update_io(self) -> None:
        """Make the loop's reader/writer registrations follow _wants_read/_wants_write."""
        self._set_reader(self._wants_read())
        self._set_writer(self._wants_write())

    def _set_reader(self, on: bool) -> None:
        if on is self._reader_on:
            return
        sock = self._sock
        if sock is None:
            self._reader_on = False
            return
        loop = self._event_loop()
        if on:
            # The callback holds the socket weakly: the loop must not keep alive a socket
            # nobody references. The selector holds the descriptor's socket.socket itself, so
            # that the garbage collector cannot close the descriptor while it is registered
            # (it finalizes a collected socket's parts in any order; see __del__).
            loop.add_reader(sock, _readable, self._weak_self())
        else:
            loop.remove_reader(sock.fileno())
        self._reader_on = on

    def _set_writer(self, on: bool) -> None:
        if on is self._writer_on:
            return
        sock = self._sock
        if sock is None:
            self._writer_on = False
            return
        loop = self._event_loop()
        if on:
            loop.add_writer(sock, _writable, self._weak_self())
        else:
            loop.remove_writer(sock.fileno())
        self._writer_on = on

    _weak: weakref.ref[SocketPump] | None = None
    # (loop, its SoonQueue, our entry's weak reference) once something was queued (_queue_soon).
    _soon: tuple[asyncio.AbstractEventLoop, SoonQueue, weakref.ref[SocketPump]] | None = None
    _flush_generation = 0

    def _weak_self(self) -> weakref.ref[SocketPump]:
        ref = self._weak
        if ref is None:
            ref = self._weak = weakref.ref(self)
        return ref

    # ---------------------------------------------------------------- reading

    def _on_readable(self) -> None:
        """Read one burst into the read buffer; emit readyRead once; handle EOF and errors."""
        sock = self._sock
        if sock is None or self._state is not _OK:
            return
        buffer = self._read_buffer
        limit = self._read_buffer_size
        room = 0
        if limit:
            room = limit - buffer._size
            if room <= 0:
                self._read_paused = True
                self._set_reader(False)
                return
        burst = receive_burst(sock, buffer.append_prefix, room)
        generation = self._generation
        if burst.total:
            self._reads += 1
        if limit and buffer._size >= limit:
            self._read_paused = True
            self._set_reader(False)
        if burst.total and not self._emitting_ready_read:
            self._emit_ready_read()
        if generation != self._generation or self._state is not _OK:
            return  # a slot closed or aborted the socket
        if burst.failure is not None:
            self._on_socket_error(burst.failure)
        elif burst.eof:
            self._set_error_and_emit(_SocketError.RemoteHostClosedError, _err.REMOTE_CLOSED)
            if self._state is _OK:
                self.disconnectFromHost()

    def _emit_ready_read(self) -> None:
        """readyRead, once: a slot that reads more inside its slot gets no second one (Qt)."""
        self._emitting_ready_read = True
        try:
            signal = self.readyRead
            if signal._conns:  # (no call per read burst when nobody listens)
                signal.emit()
        finally:
            self._emitting_ready_read = False

    def _maybe_resume_reading(self) -> None:
        """Turn the reader back on once the read buffer has room again."""
        if not self._read_paused:
            return
        if self._read_buffer_size and len(self._read_buffer) >= self._read_buffer_size:
            return
        self._read_paused = False
        self._update_io()

    # Reads that consume buffered data may make room for the reader again (back-pressure).
    def read(self, maxlen: int) -> bytes | None:
        """QIODevice.read; also resumes reading from the network when the buffer had filled."""
        buffer = self._read_buffer
        if type(maxlen) is int and 0 < maxlen <= buffer._size:
            # Fast path for a read the buffer holds whole (a ping-pong's every read): what
            # QIODevice.read ends up doing, after checks that cannot fail here (readable, not
            # text mode, no transaction, readData() not overridden) and without its layers.
            mode = self._open_mode._value_
            if (mode & _READ_ONLY and not mode & _TEXT and not self._transaction
                    and type(self).readData is SocketPump.readData):
                chunk = buffer.read(maxlen)
                self._device_short = False
                # (No _account(): for a sequential device outside a transaction it does nothing.)
                if self._read_paused:  # (no call unless the buffer had filled)
                    self._maybe_resume_reading()
                return chunk
        data = super().read(maxlen)
        self._maybe_resume_reading()
        return data

    def readAll(self) -> Any:
        """QIODevice.readAll; also resumes reading from the network when the buffer had filled."""
        buffer = self._read_buffer
        chunks = buffer._chunks
        if len(chunks) == 1 and not buffer._head:
            # Fast path for a buffer holding one QByteArray block (what a subclass that
            # decrypts into such blocks usually holds), handed out as it is (QIODevice.readAll does the same, after checks that cannot
            # fail here: readable, not text mode, no transaction, readData() not overridden).
            block = chunks[0]
            mode = self._open_mode._value_
            if (type(block) is QByteArray and mode & _READ_ONLY and not mode & _TEXT
                    and not self._transaction and type(self).readData is SocketPump.readData):
                buffer.clear()
                if self._read_paused:  # (no call unless the buffer had filled)
                    self._maybe_resume_reading()
                return block
        data = super().readAll()
        self._maybe_resume_reading()
        return data

    def readLine(self, maxlen: int | None = None) -> Any:
        """QIODevice.readLine; also resumes reading when the buffer had filled."""
        data = super().readLine() if maxlen is None else super().readLine(maxlen)
        self._maybe_resume_reading()
        return data

    def skip(self, maxSize: int) -> int:
        """QIODevice.skip; also resumes reading when the buffer had filled."""
        skipped = super().skip(maxSize)
        self._maybe_resume_reading()
        return skipped

    def readData(self, maxlen: int) -> bytes:
        """Called by QIODevice when the read buffer lacks data: re-enable reading (Qt)."""
        self._maybe_resume_reading()
        return b""

    def readLineData(self, maxlen: int) -> bytes:
        """Lines are served from the read buffer by QIODevice; nothing more here."""
        self._maybe_resume_reading()
        return b""

    def skipData(self, maxSize: int) -> int:
        """Skipping is served from the read buffer by QIODevice; nothing more here."""
        self._maybe_resume_reading()
        return 0

    # ---------------------------------------------------------------- writing

    def writeData(self, data: Any) -> int:
        """Buffer ``data`` and let the writer send it; -1 when not connected (Qt)."""
        if self._state is _U:
            self._set_error(_SocketError.UnknownSocketError, _err.NOT_CONNECTED)
            return -1
        size = len(data) if type(data) is not memoryview else data.nbytes
        if size:
            self._write_buffer.append(data)
            if not self._writer_on and not self._flush_queued and self._state is _OK:
                self._queue_flush()
        return size

    def _queue_flush(self) -> None:
        """Flush on the loop's next turn, as Qt's write notifier would, without the notifier.

        A connected socket with an empty write buffer is writable in practice, so waiting for
        the loop to report it costs two epoll_ctl calls (writer on, writer off) and a selector
        round per write (a third of a ping-pong round trip). The data still leaves on the next
        loop turn, as in Qt; the writer is registered only when the kernel did not take it all.
        """
        if not self._queue_soon():
            self._set_writer(True)  # the loop is closed: the writer (or a blocking wait) drains it
            return
        self._flush_queued = True
        self._flush_generation = self._generation

    def _queue_soon(self) -> bool:
        """Have _on_soon() called on the loop's next turn; False when the loop is closed.

        Weakly, through the loop's SoonQueue (see qtls.core.soon): a loop that never runs
        must not pin us, nor keep a callback per write. One entry per socket, whatever it
        queued: _on_soon looks at the flags."""
        loop = self._event_loop()
        soon = self._soon
        if soon is None or soon[0] is not loop:
            queue = soon_queue(loop)
            soon = self._soon = (loop, queue, queue.watch(self))
        return soon[1].add(loop, soon[2], _run_soon)

    def _on_soon(self) -> None:
        """The loop's turn for what this socket queued (subclasses queue more)."""
        if self._flush_queued:
            self._queued_flush()

    def _queued_flush(self) -> None:
        self._flush_queued = False
        if self._flush_generation != self._generation or self._writer_on or not self._write_buffer:
            return  # a new descriptor, the writer is on, or a wait drained the buffer
        self._flush_write_buffer()

    def _on_writable(self) -> None:
        if self._state is _C:
            self._on_connect_event()
        else:
            self._flush_write_buffer()

    def _flush_write_buffer(self) -> int:
        """Send as much of the write buffer as the kernel takes now; emit bytesWritten once."""
        sock = self._sock
        state = self._state
        if sock is None or (state is not _OK and state is not _X):  # (no tuple per flush)
            return 0
        buffer = self._write_buffer
        total, failure = send_chunks(sock, buffer)
        generation = self._generation
        if total:
            self._writes += 1
        if total and not self._emitting_bytes_written:
            self._emitting_bytes_written = True
            try:
                signal = self.bytesWritten
                if signal._conns:  # (no call per flush when nobody listens)
                    signal.emit(total)
            finally:
                self._emitting_bytes_written = False
        if generation != self._generation:
            return total
        if failure is not None:
            self._on_socket_error(failure)
            return total
        if not buffer._size and self._state is _X:
            self._finish_disconnect()
        elif self._state is _X:
            self._update_io()  # closing with data left: the writer drains it, nothing is read
        elif buffer._size or self._writer_on:  # (all sent with the writer off: nothing to change)
            self._set_writer(self._wants_write())
        return total

    def flush(self) -> bool:
        """Write as much buffered data as possible without blocking; True if any was written."""
        return self._flush_write_buffer() > 0

    def _on_socket_error(self, exc: OSError) -> None:
        """A read/write failed: report it, then go down without flushing (Qt's order)."""
        error, text = _err.from_os_error(exc)
        self._write_buffer.clear()
        self._set_error_and_emit(error, text)
        if self._state in (_OK, _X):
            if self._state is _OK:
                self._set_state(_X)
            if self._state is _X:
                self._finish_disconnect()

    def _set_thread(self, thread: threading.Thread) -> None:
        """moveToThread: leave the old thread's loop, register with the new one there."""
        moving = thread is not self._qt_thread
        if moving and self._soon is not None:
            self._soon[1].discard(self._soon[2])  # what waits on the old loop stays there
            self._soon = None
        if moving and self._flush_queued:
            self._flush_queued = False
            if self._write_buffer and self._sock is not None and not self._writer_on:
                self._set_writer(True)  # the move below re-registers it with the new loop
        if moving and (self._reader_on or self._writer_on):
            # moveToThread runs in the object's current thread, so the old loop is ours.
            self._set_reader(False)
            self._set_writer(False)
            self._loop = None
            super()._set_thread(thread)
            post(thread, self._update_io)
            return
        if moving:
            self._loop = None
        super()._set_thread(thread)

    # ---------------------------------------------------------------- hooks (QAbstractSocket)

    def _set_state(self, state: _SocketState) -> None:
        raise NotImplementedError

    def _set_error(self, error: _SocketError, text: str) -> None:
        raise NotImplementedError

    def _set_error_and_emit(self, error: _SocketError, text: str) -> None:
        raise NotImplementedError

    def _on_connect_event(self) -> None:
        raise NotImplementedError

    def _finish_disconnect(self) -> None:
        raise NotImplementedError

    def disconnectFromHost(self) -> None:
        raise NotImplementedError
