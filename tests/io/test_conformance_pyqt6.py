"""The conformance suite over PyQt6's own QTcpSocket: proves the suite asserts Qt's behaviour."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conformance.iodevice_suite import IODeviceConformance
from tests.conformance.rawpeer import RawPeerPair

QtNetwork = pytest.importorskip("PyQt6.QtNetwork")
QtCore = pytest.importorskip("PyQt6.QtCore")


class PyQt6TcpPair(RawPeerPair):
    """A PyQt6 QTcpSocket accepted by a QTcpServer, and a plain Python peer socket."""

    def __init__(self) -> None:
        self.app = QtCore.QCoreApplication.instance() or QtCore.QCoreApplication([])
        self.server = QtNetwork.QTcpServer()
        assert self.server.listen(QtNetwork.QHostAddress("127.0.0.1"), 0)
        super().__init__(
            socket.create_connection(("127.0.0.1", self.server.serverPort()), timeout=5)
        )
        assert self.server.waitForNewConnection(5000)
        self.device: Any = self.server.nextPendingConnection()

    def drive_device(self) -> None:
        if self.device.bytesToWrite():
            self.device.waitForBytesWritten(10)
        else:
            self.device.waitForReadyRead(10)
        self.app.processEvents()

    def shutdown(self) -> None:
        self.device.abort()
        self.server.close()
        self.close_peer_socket()


@pytest.mark.pyqt6
class TestPyQt6TcpSocketConformance(IODeviceConformance):
    @pytest.fixture
    def pair(self) -> Iterator[PyQt6TcpPair]:
        pair = PyQt6TcpPair()
        yield pair
        pair.shutdown()
