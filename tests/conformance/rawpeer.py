"""The peer half of a conformance pair: a plain non-blocking Python socket.

Every pair that runs :class:`~tests.conformance.iodevice_suite.IODeviceConformance` against a
device whose peer is a plain socket (socketpair, TCP, PyQt6's QTcpSocket) shares this logic; a
subclass sets ``device`` and ``peer`` and says how to drive its device for a moment
(:meth:`RawPeerPair.drive_device`).
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from typing import Any


class RawPeerPair:
    """Peer-side ``send``/``close_peer``/``receive`` and bounded waits for the suite."""

    device: Any

    def __init__(self, peer: socket.socket) -> None:
        peer.setblocking(False)
        self.peer = peer
        self._pending = bytearray()  # what the peer could not send yet
        self._peer_closed = False

    def drive_device(self) -> None:
        """Let the device make progress for a short moment (event loop slice or a wait)."""
        raise NotImplementedError

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
            self.drive_device()

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

    def close_peer_socket(self) -> None:
        if not self._peer_closed:
            self.peer.close()
            self._peer_closed = True
