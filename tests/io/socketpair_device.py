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
from tests.conformance.rawpeer import RawPeerPair

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


class SocketPair(RawPeerPair):
    """The conformance-suite pair: a SocketPairDevice and a plain non-blocking peer socket."""

    def __init__(self) -> None:
        mine, peer = socket.socketpair()
        self.device = SocketPairDevice(mine)
        self.device.open(QIODevice.OpenModeFlag.ReadWrite)
        super().__init__(peer)

    def drive_device(self) -> None:
        self.device.pump(0.01)

    def shutdown(self) -> None:
        self.device.close()
        self.close_peer_socket()
