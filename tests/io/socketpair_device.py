"""A minimal buffered sequential QIODevice over one end of ``socket.socketpair()``.

It follows the internal contract the TCP and TLS sockets use (received bytes go to
``_read_buffer`` and readyRead is emitted; ``writeData`` appends to ``_write_buffer`` and
flushes with ``send(first_chunk())``/``free``), driven by a ``selectors`` poll instead of an
event loop. ``SocketPair`` is the conformance-suite pair built on it.
"""

from __future__ import annotations

import selectors
import socket
import time

from qtls.core.iodevice import QIODevice

_RECV = 256 * 1024


class SocketPairDevice(QIODevice):
    """A sequential device over a non-blocking socket; ``pump()`` moves bytes both ways."""

    def __init__(self, sock: socket.socket) -> None:
        super().__init__()
        sock.setblocking(False)
        self.sock = sock
        self.eof = False
        self._recv_buf = bytearray(_RECV)

    def isSequential(self) -> bool:
        return True

    def readData(self, maxlen: int) -> bytes:
        return b""  # everything received is already in _read_buffer

    def writeData(self, data: bytes) -> int:
        self._write_buffer.append(data)
        self._flush()
        return len(data)

    def _flush(self) -> int:
        sent_total = 0
        while self._write_buffer:
            try:
                sent = self.sock.send(self._write_buffer.first_chunk())
            except BlockingIOError:
                break
            self._write_buffer.free(sent)
            sent_total += sent
        if sent_total:
            self.bytesWritten.emit(sent_total)
        return sent_total

    def _receive(self) -> int:
        got = 0
        while not self.eof:
            try:
                n = self.sock.recv_into(self._recv_buf)
            except BlockingIOError:
                break
            if n == 0:
                self.eof = True
                self.readChannelFinished.emit()
                break
            self._read_buffer.append(self._recv_buf[:n])  # the ring buffer copies it once
            got += n
        if got:
            self.readyRead.emit()
        return got

    def pump(self, timeout: float) -> bool:
        """Wait up to ``timeout`` for the socket, then receive and flush. True if bytes moved."""
        with selectors.DefaultSelector() as sel:
            events = selectors.EVENT_READ | (selectors.EVENT_WRITE if self._write_buffer else 0)
            sel.register(self.sock, events)
            sel.select(timeout)
        return bool(self._receive() + self._flush())

    def waitForReadyRead(self, msecs: int) -> bool:
        deadline = time.monotonic() + msecs / 1000
        while not self.eof:
            if self._receive():
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self.pump(left)
        return False

    def close(self) -> None:
        super().close()
        self.sock.close()


class SocketPair:
    """The conformance-suite pair: a SocketPairDevice and a plain non-blocking peer socket."""

    def __init__(self) -> None:
        mine, peer = socket.socketpair()
        self.device = SocketPairDevice(mine)
        self.device.open(QIODevice.OpenModeFlag.ReadWrite)
        peer.setblocking(False)
        self.peer = peer
        self._pending = bytearray()  # what the peer could not send yet
        self._peer_closed = False

    def _peer_flush(self) -> None:
        while self._pending:
            try:
                n = self.peer.send(self._pending)
            except BlockingIOError:
                return
            del self._pending[:n]

    def _drive(self, done, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout
        while not done():
            self._peer_flush()
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout}s waiting for {what}")
            self.device.pump(0.01)

    def send(self, data: bytes) -> None:
        self._pending += data
        self._peer_flush()

    def close_peer(self) -> None:
        self._drive(lambda: not self._pending, 10.0, "the peer's data to be delivered")
        self.peer.close()
        self._peer_closed = True

    def wait_for_bytes(self, n: int, timeout: float = 5.0) -> None:
        self._drive(lambda: self.device.bytesAvailable() >= n, timeout, f"{n} bytes available")

    def receive(self, n: int, timeout: float = 5.0) -> bytes:
        out = bytearray()

        def got_all() -> bool:
            while len(out) < n:
                try:
                    chunk = self.peer.recv(n - len(out))
                except BlockingIOError:
                    return False
                if not chunk:
                    raise AssertionError(f"peer saw EOF after {len(out)} of {n} bytes")
                out.extend(chunk)
            return True

        self._drive(got_all, timeout, f"the peer to receive {n} bytes")
        return bytes(out)

    def shutdown(self) -> None:
        self.device.close()
        if not self._peer_closed:
            self.peer.close()
