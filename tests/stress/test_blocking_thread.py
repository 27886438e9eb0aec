"""A socket used only through the blocking waits, in a thread that never runs its loop, is
freed when the thread drops it, and the thread's loop (3 descriptors) is closed when the thread
ends.

Before the fix, the transmit() a write() queues on the thread's loop (Qt's queued flush) held
the socket strongly; the loop never ran, so every socket stayed alive, and through the
socket's thread the loop's own finaliser never fired: 3 descriptors per such thread, forever.
"""

from __future__ import annotations

import gc
import os
import threading
import weakref
from typing import Any

import pytest

from qtls.QtNetwork import QSslSocket
from tests.loops import run_until
from tests.stress.harness import StressServer, settle
from tests.stress.scenarios import _client_configuration

pytestmark = [pytest.mark.stress, pytest.mark.timeout(20)]


def _fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_a_blocking_thread_frees_its_sockets_and_its_loop(qtls_app: Any) -> None:
    server = StressServer()
    refs: list[weakref.ref[QSslSocket]] = []
    state: dict[str, Any] = {}
    release = threading.Event()

    def client() -> None:
        sock = QSslSocket()
        sock.setSslConfiguration(_client_configuration())
        sock.connectToHostEncrypted("127.0.0.1", server.port)
        if sock.waitForEncrypted(5000):
            sock.write(b"ping")  # queues a transmit on this thread's loop, which never runs
            reply = b""
            while len(reply) < 4 and sock.waitForReadyRead(5000):
                reply += bytes(sock.readAll())
            state["reply"] = reply
        sock.abort()
        refs.append(weakref.ref(sock))
        del sock
        gc.collect()
        state["freed while the thread lives"] = refs[0]() is None
        release.wait(10)

    settle(server)
    gc.collect()  # what earlier tests left must not be freed during this one and skew the count
    before = _fds()
    worker = threading.Thread(target=client)
    worker.start()
    try:
        assert run_until(lambda: "freed while the thread lives" in state, 10_000)
        assert state["reply"] == b"PING"
        assert state["freed while the thread lives"]
    finally:
        release.set()
        worker.join(10)
    del worker
    gc.collect()
    settle(server)
    assert _fds() == before  # the thread's loop was closed with the thread
    server.close()


def test_a_blocking_thread_does_not_gather_a_loop_callback_per_connection(qtls_app: Any) -> None:
    """Each write queues its flush for the loop's next turn (as Qt posts it); in a thread whose
    loop never runs, those must not pile up one per connection (they did: 100,000 sequential
    connections left 100,000 callbacks until the thread ended)."""
    import socket

    from qtls.core import dispatch
    from qtls.QtNetwork import QTcpSocket

    server = StressServer()
    plain = socket.create_server(("127.0.0.1", 0), backlog=64)
    state: dict[str, Any] = {}

    def client() -> None:
        replies = []
        for _ in range(20):
            sock = QSslSocket()
            sock.setSslConfiguration(_client_configuration())
            sock.connectToHostEncrypted("127.0.0.1", server.port)
            if sock.waitForEncrypted(5000):
                sock.write(b"ping")
                reply = b""
                while len(reply) < 4 and sock.waitForReadyRead(5000):
                    reply += bytes(sock.readAll())
                replies.append(reply)
            sock.abort()
            tcp = QTcpSocket()
            tcp.connectToHost("127.0.0.1", plain.getsockname()[1])
            if tcp.waitForConnected(5000):
                tcp.write(b"x")
                tcp.waitForBytesWritten(5000)
            tcp.abort()
        del sock, tcp
        gc.collect()
        state["replies"] = replies
        state["waiting callbacks"] = len(dispatch.thread_loop()._ready)  # type: ignore[attr-defined]

    worker = threading.Thread(target=client)
    worker.start()
    try:
        assert run_until(lambda: "waiting callbacks" in state, 15_000)
    finally:
        worker.join(10)
    assert state["replies"] == [b"PING"] * 20
    assert state["waiting callbacks"] <= 1
    plain.close()
    server.close()
