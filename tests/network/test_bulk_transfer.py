"""200 MB each way at once over one qtls connection, with checksums and back-pressure."""

from __future__ import annotations

import hashlib
import os
import random
from typing import Any

import pytest

from qtls.QtNetwork import QHostAddress, QTcpServer, QTcpSocket
from tests.network.helpers import run_until

TOTAL = 200 * 1024 * 1024
BLOCK = os.urandom(2 * 1024 * 1024)
MAX_WRITE = 1024 * 1024
READ_LIMIT = 64 * 1024
OUTSTANDING = 4 * 1024 * 1024


class Source:
    """Writes TOTAL bytes in random sizes, keeping at most OUTSTANDING bytes buffered."""

    def __init__(self, sock: QTcpSocket, seed: int) -> None:
        self.sock = sock
        self.rng = random.Random(seed)
        self.view = memoryview(BLOCK)
        self.sent = 0
        self.digest = hashlib.blake2b()
        sock.bytesWritten.connect(self.fill)

    def fill(self, _n: int = 0) -> None:
        while self.sent < TOTAL and self.sock.bytesToWrite() < OUTSTANDING:
            size = min(self.rng.randint(1, MAX_WRITE), TOTAL - self.sent)
            offset = self.rng.randrange(len(BLOCK) - size + 1)
            piece = self.view[offset:offset + size]
            assert self.sock.write(piece) == size
            self.digest.update(piece)
            self.sent += size


class Sink:
    """Reads in random sizes; checks the read buffer never exceeds its limit."""

    def __init__(self, sock: QTcpSocket, seed: int, limit: int) -> None:
        self.sock = sock
        self.rng = random.Random(seed)
        self.limit = limit
        self.received = 0
        self.max_buffered = 0
        self.digest = hashlib.blake2b()
        sock.readyRead.connect(self.drain)

    def drain(self) -> None:
        available = self.sock.bytesAvailable()
        self.max_buffered = max(self.max_buffered, available)
        while self.sock.bytesAvailable():
            data = self.sock.read(self.rng.randint(1, 512 * 1024))
            assert data is not None
            self.digest.update(data)
            self.received += len(data)


def _connected_pair() -> tuple[QTcpServer, QTcpSocket, Any]:
    """A listening server, a qtls client connected to it, and the accepted socket."""
    server = QTcpServer()
    assert server.listen(QHostAddress("127.0.0.1"), 0)
    client = QTcpSocket()
    client.connectToHost(QHostAddress("127.0.0.1"), server.serverPort())
    assert client.waitForConnected(3000)
    assert server.waitForNewConnection(3000) == (True, False)
    accepted = server.nextPendingConnection()
    assert accepted is not None
    return server, client, accepted


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_200_mb_each_way_with_random_sizes_and_read_buffer_back_pressure(qtls_app: Any) -> None:
    server, client, accepted = _connected_pair()
    accepted.setReadBufferSize(READ_LIMIT)

    upload = Source(client, seed=1)
    upload_sink = Sink(accepted, seed=2, limit=READ_LIMIT)
    download = Source(accepted, seed=3)
    download_sink = Sink(client, seed=4, limit=0)
    upload.fill()
    download.fill()

    assert run_until(lambda: upload_sink.received == TOTAL and download_sink.received == TOTAL,
                     90_000), (upload_sink.received, download_sink.received)
    assert upload_sink.digest.digest() == upload.digest.digest()
    assert download_sink.digest.digest() == download.digest.digest()
    assert upload_sink.max_buffered <= READ_LIMIT  # back-pressure held
    assert download_sink.max_buffered > READ_LIMIT  # the unlimited side really read ahead
    client.abort()
    accepted.abort()
    server.close()


def test_read_buffer_limit_stops_reading_until_the_application_reads(qtls_app: Any) -> None:
    server, client, accepted = _connected_pair()
    accepted.setReadBufferSize(1000)
    client.write(b"z" * 100_000)
    assert run_until(lambda: accepted.bytesAvailable() == 1000)
    run_until(lambda: False, 50)
    assert accepted.bytesAvailable() == 1000  # stopped at the limit, the rest waits in the kernel
    got = bytearray(accepted.readAll())
    assert run_until(lambda: accepted.bytesAvailable() == 1000)  # resumed, stopped again
    accepted.setReadBufferSize(0)  # unlimited: everything comes in
    assert run_until(lambda: accepted.bytesAvailable() == 100_000 - len(got))
    got += accepted.readAll()
    assert bytes(got) == b"z" * 100_000
    client.abort()
    accepted.abort()
    server.close()
