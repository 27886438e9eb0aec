"""A socket or server nobody references is closed and freed, as PyQt6 deletes it.

The event loop holds its reader/writer registrations weakly; the collected object drops its
connection (the peer sees EOF) and closes its descriptor. Counted with weak references and the
process's open descriptors.
"""

from __future__ import annotations

import gc
import os
import socket
import weakref
from typing import Any

import pytest

from qtls.QtNetwork import QHostAddress, QSslServer, QTcpServer, QTcpSocket
from tests.network.helpers import spin


def _descriptors() -> int:
    return len(os.listdir("/proc/self/fd"))


pytestmark = pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc/self/fd")


def _collect() -> None:
    for _ in range(3):
        gc.collect()


def _connected_tcp_socket(port: int) -> weakref.ref[QTcpSocket]:
    sock = QTcpSocket()
    sock.readyRead.connect(lambda: None)  # a connection, as most programs make
    sock.connectToHost("127.0.0.1", port)
    assert sock.waitForConnected(3000)
    spin(20)  # the loop registers the reader
    return weakref.ref(sock)


def test_an_unreferenced_tcp_socket_is_closed_and_freed(qtls_app: Any) -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    _connected_tcp_socket(port)  # the thread's loop and its descriptors exist from here on
    listener.accept()[0].close()
    _collect()
    before = _descriptors()
    ref = _connected_tcp_socket(port)
    peer, _ = listener.accept()
    _collect()
    assert ref() is None
    assert _descriptors() == before + 1  # the peer's end only
    peer.settimeout(3)
    assert peer.recv(10) == b""  # our side is closed: EOF
    peer.close()
    listener.close()


def test_an_unreferenced_server_stops_listening(qtls_app: Any) -> None:
    def listen(kind: type) -> tuple[int, weakref.ref[Any]]:
        server = kind()
        server.newConnection.connect(lambda: None)
        assert server.listen(QHostAddress("127.0.0.1"), 0)
        spin(20)
        return server.serverPort(), weakref.ref(server)

    for kind in (QTcpServer, QSslServer):
        port, ref = listen(kind)
        _collect()
        assert ref() is None, kind
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=3)
