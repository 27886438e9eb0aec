"""Back-pressure with a slow reader (memory stays bounded on both sides) and 1,000 concurrent
clients on one start_server."""

from __future__ import annotations

import asyncio
import hashlib
import resource
from collections.abc import Callable
from typing import Any

import pytest

import qtls.aio
from tests.aio.helpers import Pki

CHUNK = 64 * 1024
MIB = 1 << 20


def test_a_slow_reader_blocks_drain_and_memory_stays_bounded(run: Callable[..., Any],
                                                            pki: Pki) -> None:
    report: dict[str, Any] = {}

    async def main() -> None:
        go = asyncio.Event()
        done: asyncio.Future[tuple[int, str]] = asyncio.get_running_loop().create_future()

        async def slow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await go.wait()  # reads nothing until the client is stuck in drain()
            sock = writer.get_extra_info("qsslsocket")
            report["server_buffered"] = (len(reader._buffer) + sock.bytesAvailable()
                                         + sock.encryptedBytesAvailable())
            digest, total = hashlib.sha256(), 0
            while data := await reader.read(CHUNK):
                digest.update(data)
                total += len(data)
            done.set_result((total, digest.hexdigest()))
            writer.close()

        server = await qtls.aio.start_server(slow, "127.0.0.1", 0,
                                             configuration=pki.server_conf())
        async with server:
            reader, writer = await qtls.aio.open_connection(
                "localhost", server.sockets[0].getsockname()[1],
                configuration=pki.client_conf(), timeout=10)
            low, high = writer.transport.get_write_buffer_limits()
            assert (low, high) == (16 * 1024, 64 * 1024)
            digest, sent, largest = hashlib.sha256(), 0, 0
            while True:
                chunk = sent.to_bytes(8, "big") * (CHUNK // 8)
                writer.write(chunk)
                digest.update(chunk)
                sent += len(chunk)
                try:
                    await asyncio.wait_for(writer.drain(), 0.5)
                except asyncio.TimeoutError:
                    break  # stuck: the kernel's buffers and the server's are full
                largest = max(largest, writer.transport.get_write_buffer_size())
                assert sent < 64 * MIB, "drain() never blocked"
            # After each drain() the queue was under the high-water mark.
            assert largest <= high
            go.set()
            await asyncio.wait_for(writer.drain(), 10)
            writer.close()
            await writer.wait_closed()
            total, received_digest = await asyncio.wait_for(done, 20)
        assert total == sent
        assert received_digest == digest.hexdigest()
        # What the server held while it did not read: the StreamReader's pause threshold
        # (2 x limit) and the socket's capped buffers, not what the client sent.
        assert report["server_buffered"] < 1 * MIB
        report["sent_before_blocking"] = sent

    run(main(), timeout=60)
    assert report["sent_before_blocking"] > report["server_buffered"]


def _raise_descriptor_limit(wanted: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= wanted:
        return
    if hard != resource.RLIM_INFINITY and hard < wanted:
        pytest.skip(f"needs {wanted} file descriptors, the hard limit is {hard}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def test_a_thousand_concurrent_clients_on_one_server(run: Callable[..., Any],
                                                     pki: Pki) -> None:
    clients = 1000
    _raise_descriptor_limit(2 * clients + 200)
    handled: list[int] = []

    async def main() -> None:
        everyone_in = asyncio.Event()

        async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            handled.append(1)
            line = await reader.readline()
            writer.write(line)
            await writer.drain()
            await reader.read()  # until the client leaves
            writer.close()

        server = await qtls.aio.start_server(echo, "127.0.0.1", 0, backlog=2048,
                                             configuration=pki.server_conf())
        port = server.sockets[0].getsockname()[1]
        connected = 0
        conf = pki.client_conf()

        async def client(n: int) -> bytes:
            nonlocal connected
            reader, writer = await qtls.aio.open_connection("localhost", port,
                                                            configuration=conf, timeout=60)
            writer.write(b"%d\n" % n)
            answer = await reader.readline()
            connected += 1
            if connected == clients:
                everyone_in.set()
            await everyone_in.wait()  # all 1,000 connections are open at once here
            writer.close()
            await writer.wait_closed()
            return answer

        async with server:
            answers = await asyncio.gather(*(client(n) for n in range(clients)))
        assert answers == [b"%d\n" % n for n in range(clients)]

    run(main(), timeout=120)
    assert len(handled) == clients
