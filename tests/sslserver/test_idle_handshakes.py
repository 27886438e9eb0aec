"""Idle connections that never send a ClientHello do not stall a QSslServer.

Qt counts sockets still in their handshake against maxPendingConnections() (30): 40 idle TCP
connections made a real client wait until the 5 s handshake timeout dropped them (PyQt6:
4.8 s). qtls keeps maxPendingConnections() for encrypted sockets waiting to be taken and gives
handshakes in progress their own, larger limit, maxHandshakesInProgress().

The delay is the behaviour under test here, so one test measures it, with a wide bound: the
real client must be encrypted within 1 s while 1,000 idle connections sit there.
"""

from __future__ import annotations

import socket
from typing import Any

import pytest

from qtls.QtNetwork import QSslServer, QSslSocket
from tests.sslserver.helpers import client_context, run_until, start_server, stdlib_client

IDLE = 1000


@pytest.fixture
def descriptors() -> Any:
    """Enough descriptors for both ends of the idle connections (restored afterwards)."""
    resource = pytest.importorskip("resource")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 2 * IDLE + 512
    if soft < wanted:
        if hard != resource.RLIM_INFINITY and hard < wanted:
            pytest.skip(f"RLIMIT_NOFILE hard limit {hard} < {wanted} descriptors needed")
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def _open_idle(server: QSslServer, count: int, sockets: list[socket.socket]) -> bool:
    """Connect ``count`` clients that never send a byte; True once the server holds them all.

    Non-blocking connects in batches smaller than the listen backlog (50), the server's loop
    running between batches to accept them (a thread doing blocking connects is far slower,
    each connect waiting for the GIL).
    """
    target = len(server.findChildren(QSslSocket)) + count
    while count > 0:
        batch = min(count, 25)
        for _ in range(batch):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setblocking(False)
            sock.connect_ex(("127.0.0.1", server.serverPort()))
            sockets.append(sock)
        count -= batch
        expected = target - count
        if not run_until(lambda n=expected: len(server.findChildren(QSslSocket)) >= n, 10_000):
            return False
    return True


def test_limits_default_and_are_settable(qtls_app: Any) -> None:
    server = QSslServer()
    assert server.maxPendingConnections() == 30  # Qt's, for encrypted sockets
    assert server.maxHandshakesInProgress() == 4096
    server.setMaxHandshakesInProgress(3)
    assert server.maxHandshakesInProgress() == 3
    with pytest.raises(TypeError):
        server.setMaxHandshakesInProgress("3")  # type: ignore[arg-type]


def test_a_real_client_is_served_while_a_thousand_idle_connections_wait(
    qtls_app: Any, descriptors: Any
) -> None:
    server, accepted = start_server()
    server.setHandshakeTimeout(60_000)  # the idle ones stay for the whole test
    idle: list[socket.socket] = []
    try:
        assert _open_idle(server, IDLE, idle)
        assert len(server.findChildren(QSslSocket)) == IDLE
        peer = stdlib_client(server.serverPort(), client_context())
        assert run_until(peer.connected.is_set, 1000), "the real client waited for the idle ones"
        assert peer.reply == b"PING"
        assert len(accepted) == 1
    finally:
        for sock in idle:
            sock.close()
        server.close()


def test_handshakes_beyond_the_limit_wait_in_the_backlog(qtls_app: Any) -> None:
    server, accepted = start_server()
    server.setHandshakeTimeout(60_000)
    server.setMaxHandshakesInProgress(2)
    idle: list[socket.socket] = []
    try:
        assert _open_idle(server, 2, idle)
        peer = stdlib_client(server.serverPort(), client_context())
        # Two idle handshakes fill the limit: the real client waits in the kernel's backlog.
        assert not run_until(peer.connected.is_set, 300)
        idle.pop().close()  # one idle client leaves: its slot frees, the real client is served
        assert run_until(peer.connected.is_set, 5000)
        assert len(accepted) == 1
    finally:
        for sock in idle:
            sock.close()
        server.close()


def test_max_pending_connections_still_bounds_encrypted_sockets_not_taken(qtls_app: Any) -> None:
    server, accepted = start_server(echo=False)
    server.pendingConnectionAvailable.disconnect()  # nobody takes the encrypted sockets
    server.setMaxPendingConnections(1)
    first = stdlib_client(server.serverPort(), client_context(), payload=b"")
    assert run_until(lambda: server.hasPendingConnections())
    assert first.wait()
    second = stdlib_client(server.serverPort(), client_context(), payload=b"")
    # One encrypted socket is pending: the next client is not accepted until it is taken.
    assert not run_until(second.connected.is_set, 300)
    assert server.nextPendingConnection() is not None
    assert run_until(second.connected.is_set, 5000)
    server.close()
