"""The QIODevice conformance suite over qtls QTcpSocket pairs (loop-driven and blocking)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from qtls.QtNetwork import QHostAddress, QTcpServer
from tests.conformance.iodevice_suite import IODeviceConformance
from tests.conformance.rawpeer import RawPeerPair
from tests.network.helpers import spin


class TcpPair(RawPeerPair):
    """A qtls QTcpSocket accepted by a qtls QTcpServer, and a plain Python peer socket.

    ``blocking`` drives the device with waitForReadyRead/waitForBytesWritten (no loop);
    otherwise the thread's event loop runs in short slices.
    """

    def __init__(self, blocking: bool) -> None:
        self.blocking = blocking
        self.server = QTcpServer()
        assert self.server.listen(QHostAddress("127.0.0.1"), 0)
        super().__init__(
            socket.create_connection(("127.0.0.1", self.server.serverPort()), timeout=5)
        )
        assert self.server.waitForNewConnection(5000) == (True, False)
        self.device: Any = self.server.nextPendingConnection()

    def drive_device(self) -> None:
        if not self.blocking:
            spin(2)
        elif self.device.bytesToWrite():
            self.device.waitForBytesWritten(10)
        else:
            self.device.waitForReadyRead(10)

    def shutdown(self) -> None:
        self.device.abort()
        self.server.close()
        self.close_peer_socket()


class TestTcpSocketConformanceLoop(IODeviceConformance):
    @pytest.fixture
    def pair(self, qtls_app: Any) -> Iterator[TcpPair]:
        pair = TcpPair(blocking=False)
        yield pair
        pair.shutdown()


class TestTcpSocketConformanceBlocking(IODeviceConformance):
    @pytest.fixture
    def pair(self) -> Iterator[TcpPair]:
        pair = TcpPair(blocking=True)
        yield pair
        pair.shutdown()
