"""One gibibyte each way, at the same time, through qtls on both ends; checksums must match."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from qtls.QtNetwork import QSslSocket
from tests.sslsocket.helpers import Pki, TlsServer, client_for, run_until

GIB = 1024 * 1024 * 1024
CHUNK = 1024 * 1024


class Stream:
    """Writes ``total`` bytes of a pattern into ``sock`` as it drains; hashes what it reads."""

    def __init__(self, sock: QSslSocket, pattern: bytes, total: int) -> None:
        self.sock = sock
        self.chunk = (pattern * (CHUNK // len(pattern) + 1))[:CHUNK]
        self.total = total
        self.sent = 0
        self.received = 0
        self.digest = hashlib.sha256()
        sock.bytesWritten.connect(self.feed)
        sock.readyRead.connect(self.drain)

    def feed(self, _n: int = 0) -> None:
        # Keep a few chunks queued: enough to keep the pipe full, bounded memory.
        while self.sent < self.total and self.sock.bytesToWrite() < 4 * CHUNK:
            self.sock.write(self.chunk)
            self.sent += CHUNK

    def drain(self) -> None:
        while True:
            data = self.sock.read(4 * CHUNK)
            if not data:
                return
            self.digest.update(data)
            self.received += len(data)


def _expected(pattern: bytes, total: int) -> str:
    chunk = (pattern * (CHUNK // len(pattern) + 1))[:CHUNK]
    digest = hashlib.sha256()
    for _ in range(total // CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_one_gibibyte_each_way_with_equal_checksums(pki: Pki, qtls_app: Any) -> None:
    server = TlsServer(pki.server_config())
    client = client_for(pki)
    client.connectToHostEncrypted("localhost", server.port())
    assert run_until(lambda: client.isEncrypted() and bool(server.sockets)
                     and server.sockets[0].isEncrypted(), 5000), client.errorString()
    up = Stream(client, b"client->server ", GIB)
    down = Stream(server.sockets[0], b"server->client!", GIB)
    up.feed()
    down.feed()
    assert run_until(lambda: up.received == GIB and down.received == GIB, 100_000), (
        up.sent, up.received, down.sent, down.received)
    # What the server read is what the client wrote, and the other way round.
    assert down.digest.hexdigest() == _expected(b"client->server ", GIB)
    assert up.digest.hexdigest() == _expected(b"server->client!", GIB)
    server.shutdown()
