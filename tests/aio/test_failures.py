"""Failures raise, never hang: refused, unresolvable, timed out, handshake failures, peers that
vanish (reads end with what arrived and then b"", drain() raises ConnectionResetError)."""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Callable
from typing import Any

import pytest

import qtls.aio
from tests.aio.helpers import Pki


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_refused_raises_connection_refused_error(run: Callable[..., Any]) -> None:
    async def main() -> None:
        port = _closed_port()
        with pytest.raises(ConnectionRefusedError) as caught:
            await qtls.aio.open_connection("127.0.0.1", port, timeout=5)
        assert str(port) in str(caught.value)
        with pytest.raises(ConnectionRefusedError):
            await qtls.aio.open_connection("127.0.0.1", port, encrypted=False, timeout=5)

    run(main())


def test_unresolvable_name_raises_gaierror(run: Callable[..., Any]) -> None:
    async def main() -> None:
        with pytest.raises(socket.gaierror) as caught:
            await qtls.aio.open_connection("no-such-host.invalid", 443, timeout=10)
        assert "no-such-host.invalid" in str(caught.value)

    run(main())


def test_a_server_that_never_answers_times_out(run: Callable[..., Any]) -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # accepts TCP, never speaks TLS
        writer.close()  # (3.12+: the server's wait_closed() waits for this)

    async def main() -> None:
        server = await asyncio.start_server(silent, "127.0.0.1", 0)
        async with server:
            port = server.sockets[0].getsockname()[1]
            loop = asyncio.get_running_loop()
            started = loop.time()
            with pytest.raises(asyncio.TimeoutError) as caught:
                await qtls.aio.open_connection("127.0.0.1", port, timeout=0.3)
            assert loop.time() - started < 5
            assert "timed out" in str(caught.value)
            # The stdlib's own timeout around ours works the same way, and cancels cleanly.
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(qtls.aio.open_connection("127.0.0.1", port), 0.3)

    run(main())


def test_a_server_that_closes_during_the_handshake_raises_tls_handshake_error(
        run: Callable[..., Any]) -> None:
    async def rude(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1)
        writer.close()

    async def main() -> None:
        server = await asyncio.start_server(rude, "127.0.0.1", 0)
        async with server:
            port = server.sockets[0].getsockname()[1]
            with pytest.raises(qtls.aio.TlsHandshakeError) as caught:
                await qtls.aio.open_connection("127.0.0.1", port, timeout=5)
            assert caught.value.errors == []
            assert caught.value.error_string
            assert caught.value.error_string in str(caught.value)

    run(main())


def test_no_shared_protocol_version_raises_with_no_verification_errors(
        run: Callable[..., Any], pki: Pki) -> None:
    async def main() -> None:
        server = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0,
                                            ssl=pki.stdlib_server(tls="1.3"))
        async with server:
            port = server.sockets[0].getsockname()[1]
            with pytest.raises(qtls.aio.TlsHandshakeError) as caught:
                await qtls.aio.open_connection("localhost", port,
                                               configuration=pki.client_conf(tls="1.2"),
                                               timeout=5)
            assert caught.value.errors == []

    run(main())


def test_a_vanishing_peer_ends_reads_with_what_arrived_and_drain_raises(
        run: Callable[..., Any], pki: Pki) -> None:
    async def vanish(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"last words")
        await writer.drain()
        await asyncio.sleep(0.05)
        writer.transport.abort()  # no close_notify: the TCP connection just goes

    async def main() -> None:
        server = await asyncio.start_server(vanish, "127.0.0.1", 0, ssl=pki.stdlib_server())
        async with server:
            reader, writer = await qtls.aio.open_connection(
                "localhost", server.sockets[0].getsockname()[1],
                configuration=pki.client_conf(), timeout=5)
            assert await asyncio.wait_for(reader.read(), 5) == b"last words"
            assert await reader.read() == b""
            assert writer.is_closing()
            with pytest.raises(ConnectionResetError):
                writer.write(b"into the void")
                await writer.drain()
            writer.close()
            await asyncio.wait_for(writer.wait_closed(), 5)

    run(main())


def test_a_drain_waiting_on_a_peer_that_leaves_raises(run: Callable[..., Any],
                                                     pki: Pki) -> None:
    accepted: list[asyncio.StreamWriter] = []

    async def stall(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(writer)
        await asyncio.sleep(30)  # never reads

    async def main() -> None:
        server = await asyncio.start_server(stall, "127.0.0.1", 0, ssl=pki.stdlib_server())
        async with server:
            reader, writer = await qtls.aio.open_connection(
                "localhost", server.sockets[0].getsockname()[1],
                configuration=pki.client_conf(), timeout=5)
            chunk = b"x" * 65536

            async def flood() -> None:
                while True:
                    writer.write(chunk)
                    await writer.drain()

            task = asyncio.ensure_future(flood())
            await asyncio.sleep(0.3)
            assert not task.done()  # blocked in drain(): the peer reads nothing
            accepted[0].transport.abort()
            with pytest.raises(ConnectionResetError):
                await asyncio.wait_for(task, 5)
            writer.close()

    run(main())


def test_cancelling_open_connection_aborts_the_socket(run: Callable[..., Any]) -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # returns once the cancelled client's socket is gone
        writer.close()

    async def main() -> None:
        server = await asyncio.start_server(silent, "127.0.0.1", 0)
        async with server:
            port = server.sockets[0].getsockname()[1]
            task = asyncio.ensure_future(qtls.aio.open_connection("127.0.0.1", port))
            await asyncio.sleep(0.2)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

    run(main())


def test_ssl_context_is_refused_with_a_clear_message(run: Callable[..., Any]) -> None:
    async def main() -> None:
        with pytest.raises(TypeError, match="QSslConfiguration"):
            await qtls.aio.open_connection("127.0.0.1", 1,
                                           configuration=ssl.create_default_context())  # type: ignore[arg-type]

    run(main())
