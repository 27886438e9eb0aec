"""The transport under the streams: asyncio's Transport API on a QSslSocket."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

import qtls.aio
from tests.aio.helpers import Pki, stdlib_echo_server


class Collect(asyncio.Protocol):
    """A plain protocol: what arrives, and whether the connection was lost."""

    def __init__(self) -> None:
        self.chunks: list[Any] = []
        self.lost: asyncio.Future[Exception | None] = asyncio.get_running_loop().create_future()

    def data_received(self, data: bytes) -> None:
        self.chunks.append(data)

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost.set_result(exc)


def test_transport_api_and_a_plain_protocol_getting_bytes(run: Callable[..., Any],
                                                          pki: Pki) -> None:
    async def main() -> None:
        server, port = await stdlib_echo_server(pki.stdlib_server())
        async with server:
            reader, writer = await qtls.aio.open_connection(
                "localhost", port, configuration=pki.client_conf(), timeout=10)
            transport = writer.transport
            assert isinstance(transport, asyncio.Transport)
            assert transport.is_reading()
            transport.set_write_buffer_limits(high=1024)
            assert transport.get_write_buffer_limits() == (256, 1024)
            with pytest.raises(ValueError):
                transport.set_write_buffer_limits(high=1, low=2)
            with pytest.raises(TypeError):
                writer.write("text")  # type: ignore[arg-type]
            with pytest.raises(NotImplementedError):
                writer.write_eof()
            collect = Collect()
            transport.set_protocol(collect)
            assert transport.get_protocol() is collect
            writer.write(bytearray(b"mutable\n"))
            await asyncio.sleep(0.2)
            assert b"".join(collect.chunks) == b"MUTABLE\n"
            assert all(type(chunk) is bytes for chunk in collect.chunks)
            transport.close()
            assert transport.is_closing()
            writer.write(b"after close\n")  # dropped, as by asyncio's transports
            assert await asyncio.wait_for(collect.lost, 5) is None
            assert transport.get_write_buffer_size() == 0

    run(main())


def test_pause_reading_holds_data_back_until_resumed(run: Callable[..., Any],
                                                     pki: Pki) -> None:
    async def main() -> None:
        server, port = await stdlib_echo_server(pki.stdlib_server())
        async with server:
            reader, writer = await qtls.aio.open_connection(
                "localhost", port, configuration=pki.client_conf(), timeout=10)
            writer.transport.pause_reading()
            assert not writer.transport.is_reading()
            writer.write(b"held\n")
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(reader.readline(), 0.3)
            writer.transport.resume_reading()
            assert await asyncio.wait_for(reader.readline(), 5) == b"HELD\n"
            writer.close()
            await writer.wait_closed()

    run(main())


def test_abort_drops_the_connection_at_once(run: Callable[..., Any], pki: Pki) -> None:
    async def main() -> None:
        server, port = await stdlib_echo_server(pki.stdlib_server())
        async with server:
            reader, writer = await qtls.aio.open_connection(
                "localhost", port, configuration=pki.client_conf(), timeout=10)
            writer.transport.abort()
            assert writer.is_closing()
            await asyncio.wait_for(writer.wait_closed(), 5)
            assert await reader.read() == b""
            with pytest.raises(ConnectionResetError):
                await writer.drain()

    run(main())
