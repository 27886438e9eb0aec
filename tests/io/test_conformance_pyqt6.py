"""The conformance suite over PyQt6's own QTcpSocket: proves the suite asserts Qt's behaviour."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.conformance.iodevice_suite import IODeviceConformance

QtNetwork = pytest.importorskip("PyQt6.QtNetwork")
QtCore = pytest.importorskip("PyQt6.QtCore")


class PyQt6TcpPair:
    """A PyQt6 QTcpSocket accepted by a QTcpServer, and a plain Python peer socket."""

    def __init__(self) -> None:
        self.app = QtCore.QCoreApplication.instance() or QtCore.QCoreApplication([])
        self.server = QtNetwork.QTcpServer()
        assert self.server.listen(QtNetwork.QHostAddress("127.0.0.1"), 0)
        self.peer = socket.create_connection(("127.0.0.1", self.server.serverPort()), timeout=5)
        assert self.server.waitForNewConnection(5000)
        self.device: Any = self.server.nextPendingConnection()
        self.peer.setblocking(False)
        self._pending = bytearray()
        self._peer_closed = False

    def _peer_flush(self) -> None:
        while self._pending:
            try:
                n = self.peer.send(self._pending)
            except BlockingIOError:
                return
            del self._pending[:n]

    def _drive(self, done: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not done():
            self._peer_flush()
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout}s waiting for {what}")
            if self.device.bytesToWrite():
                self.device.waitForBytesWritten(10)
            else:
                self.device.waitForReadyRead(10)
            self.app.processEvents()

    def send(self, data: bytes) -> None:
        self._pending += data
        self._peer_flush()

    def close_peer(self) -> None:
        self._drive(lambda: not self._pending, 10.0, "the peer's data to be delivered")
        self.peer.close()
        self._peer_closed = True

    def wait_for_bytes(self, n: int, timeout: float = 5.0) -> None:
        self._drive(lambda: self.device.bytesAvailable() >= n, timeout, f"{n} bytes")

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
        self.device.abort()
        self.server.close()
        if not self._peer_closed:
            self.peer.close()


@pytest.mark.pyqt6
class TestPyQt6TcpSocketConformance(IODeviceConformance):
    @pytest.fixture
    def pair(self) -> Iterator[PyQt6TcpPair]:
        pair = PyQt6TcpPair()
        yield pair
        pair.shutdown()
