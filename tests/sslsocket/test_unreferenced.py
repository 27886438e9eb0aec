"""A QSslSocket nobody references is closed and freed, as PyQt6 deletes it (see
tests/network/test_unreferenced.py for the plain sockets and servers)."""

from __future__ import annotations

import gc
import os
import socket
import ssl
import threading
import weakref
from typing import Any

import pytest

from qtls.QtNetwork import QSslSocket
from tests.sslsocket.helpers import Pki, client_for, run_until

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc/self/fd")


def _collect() -> None:
    for _ in range(3):
        gc.collect()


def test_an_unreferenced_encrypted_socket_is_closed_and_freed(pki: Pki, qtls_app: Any) -> None:
    context = pki.stdlib_server_context()
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(5)
    port = listener.getsockname()[1]
    seen: list[bytes] = []

    def serve() -> None:
        for _ in range(2):
            raw, _ = listener.accept()
            with context.wrap_socket(raw, server_side=True) as tls:
                tls.settimeout(5)
                try:
                    seen.append(tls.recv(10))
                except (OSError, ssl.SSLError) as exc:
                    seen.append(repr(exc).encode())

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()

    def connect() -> tuple[weakref.ref[QSslSocket], int, int]:
        client = client_for(pki)
        client.encrypted.connect(lambda: None)
        client.connectToHostEncrypted("localhost", port)
        assert client.waitForEncrypted(5000), client.errorString()
        fd = client.socketDescriptor()
        return weakref.ref(client), fd, os.fstat(fd).st_ino

    connect()
    _collect()
    assert run_until(lambda: len(seen) == 1, 5000)  # the first is gone: the server went on
    ref, fd, inode = connect()
    _collect()
    assert ref() is None
    # A single-threaded peer was served, saw the end of the first connection and took the
    # second: nothing held it.
    assert run_until(lambda: len(seen) == 2, 5000), seen
    thread.join(5)
    # The client's descriptor went with it (closed, or its number reused by another file).
    try:
        assert os.fstat(fd).st_ino != inode
    except OSError:
        pass
    listener.close()
