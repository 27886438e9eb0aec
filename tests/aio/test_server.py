"""qtls.aio.start_server with the stdlib's asyncio.open_connection(ssl=...) and qtls clients."""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import Callable
from typing import Any

import pytest

import qtls.aio
from qtls.QtNetwork import QSslCertificate
from tests.aio.helpers import Pki


async def _echo_upper(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    async for line in reader:
        writer.write(line.upper())
        await writer.drain()
    writer.close()
    await writer.wait_closed()


@pytest.mark.parametrize("tls", ["1.2", "1.3"])
def test_stdlib_client_talks_to_a_qtls_server(run: Callable[..., Any], pki: Pki,
                                              tls: str) -> None:
    async def main() -> None:
        server = await qtls.aio.start_server(_echo_upper, "127.0.0.1", 0,
                                             configuration=pki.server_conf(tls=tls))
        async with server:
            assert server.is_serving()
            port = server.sockets[0].getsockname()[1]
            reader, writer = await asyncio.open_connection(
                "127.0.0.1", port, ssl=pki.stdlib_client(tls=tls), server_hostname="localhost")
            assert writer.get_extra_info("ssl_object").version() == f"TLSv{tls}"
            writer.write(b"hello\nworld\n")
            assert await reader.readline() == b"HELLO\n"
            assert await reader.readline() == b"WORLD\n"
            writer.close()
            await writer.wait_closed()
        assert not server.is_serving()
        assert server.sockets == ()

    run(main())


def test_plain_function_callback_and_server_side_extra_info(run: Callable[..., Any],
                                                            pki: Pki) -> None:
    seen: dict[str, Any] = {}

    def greet(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen["peername"] = writer.get_extra_info("peername")
        seen["peercert"] = writer.get_extra_info("peercert")
        seen["encrypted"] = writer.get_extra_info("qsslsocket").isEncrypted()
        writer.write(b"hi\n")
        writer.close()

    async def main() -> None:
        server = await qtls.aio.start_server(
            greet, "127.0.0.1", 0, configuration=pki.server_conf(verify_clients=True))
        async with server:
            port = server.sockets[0].getsockname()[1]
            reader, writer = await asyncio.open_connection(
                "127.0.0.1", port, ssl=pki.stdlib_client(cert=pki.client),
                server_hostname="localhost")
            local = writer.get_extra_info("sockname")  # (3.10's SSL transport forgets it at EOF)
            assert await reader.read() == b"hi\n"
            writer.close()
            await writer.wait_closed()
        assert seen["peername"][:2] == local[:2]
        assert seen["peercert"] == QSslCertificate(pki.client.cert_pem)
        assert seen["encrypted"] is True

    run(main())


def test_clients_failing_the_handshake_are_logged_and_never_reach_the_callback(
        run: Callable[..., Any], pki: Pki, caplog: pytest.LogCaptureFixture) -> None:
    handed: list[Any] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        handed.append(writer.get_extra_info("peercert"))
        writer.close()

    async def main() -> None:
        server = await qtls.aio.start_server(
            handle, "127.0.0.1", 0, configuration=pki.server_conf(verify_clients=True))
        async with server:
            port = server.sockets[0].getsockname()[1]
            # A client whose CA is unknown to it refuses the server ...
            untrusting = ssl.create_default_context()
            with pytest.raises(ssl.SSLError):
                await asyncio.open_connection("127.0.0.1", port, ssl=untrusting,
                                              server_hostname="localhost")
            # ... a client without the certificate the server requires is refused ...
            async def without_certificate() -> None:
                reader, writer = await asyncio.open_connection(
                    "127.0.0.1", port, ssl=pki.stdlib_client(), server_hostname="localhost")
                try:
                    if await reader.read() == b"":  # TLS 1.3: refused after our Finished
                        raise ConnectionResetError
                finally:
                    writer.close()

            with pytest.raises((ConnectionError, ssl.SSLError)):
                await without_certificate()
            # ... and a port scanner speaking plain text is dropped silently.
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"GET / HTTP/1.0\r\n\r\n")
            assert await reader.read() == b""
            writer.close()
            # A good client still gets through.
            reader, writer = await asyncio.open_connection(
                "127.0.0.1", port, ssl=pki.stdlib_client(cert=pki.client),
                server_hostname="localhost")
            assert await reader.read() == b""
            writer.close()
            await asyncio.sleep(0.05)
        assert handed == [QSslCertificate(pki.client.cert_pem)]

    with caplog.at_level(logging.INFO, logger="qtls.aio"):
        run(main())
    dropped = [r for r in caplog.records if "dropped before its handshake" in r.getMessage()]
    assert len(dropped) >= 2


def test_handshake_timeout_drops_a_silent_client(run: Callable[..., Any], pki: Pki) -> None:
    handed: list[Any] = []

    async def main() -> None:
        server = await qtls.aio.start_server(lambda r, w: handed.append(w), "127.0.0.1", 0,
                                             configuration=pki.server_conf(),
                                             handshake_timeout=0.2)
        async with server:
            port = server.sockets[0].getsockname()[1]
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"\x16")  # the start of a ClientHello, and then nothing
            assert await asyncio.wait_for(reader.read(), 5) == b""
            writer.close()
        assert handed == []

    run(main())


def test_server_api_like_asyncio(run: Callable[..., Any], pki: Pki) -> None:
    async def main() -> None:
        server = await qtls.aio.start_server(_echo_upper, "127.0.0.1", 0,
                                             configuration=pki.server_conf())
        assert server.get_loop() is asyncio.get_running_loop()
        sock = server.sockets[0]
        assert sock.getsockname()[0] == "127.0.0.1"
        assert sock.fileno() >= 0
        task = asyncio.ensure_future(server.serve_forever())
        await asyncio.sleep(0)
        with pytest.raises(RuntimeError):
            await server.serve_forever()
        reader, writer = await qtls.aio.open_connection(
            "localhost", sock.getsockname()[1], configuration=pki.client_conf(), timeout=10)
        writer.write(b"a\n")
        assert await reader.readline() == b"A\n"
        # close() stops listening but leaves the connection; wait_closed() waits for it.
        server.close()
        assert not server.is_serving()
        closed = asyncio.ensure_future(server.wait_closed())
        await asyncio.sleep(0.05)
        assert not closed.done()
        writer.write(b"still here\n")
        assert await reader.readline() == b"STILL HERE\n"
        writer.close()
        await asyncio.wait_for(closed, 5)
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(task, 5)
        with pytest.raises(ConnectionRefusedError):
            await qtls.aio.open_connection("127.0.0.1", sock.getsockname()[1], timeout=5)

    run(main())


def test_close_clients_and_abort_clients_end_open_connections(run: Callable[..., Any],
                                                               pki: Pki) -> None:
    async def idle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()

    async def main() -> None:
        server = await qtls.aio.start_server(idle, "127.0.0.1", 0,
                                             configuration=pki.server_conf())
        port = server.sockets[0].getsockname()[1]
        pairs = [await qtls.aio.open_connection("localhost", port,
                                                configuration=pki.client_conf(), timeout=10)
                 for _ in range(2)]
        await asyncio.sleep(0.05)
        server.close()
        server.close_clients()
        assert await asyncio.wait_for(pairs[0][0].read(), 5) == b""
        await asyncio.wait_for(server.wait_closed(), 5)
        for _, writer in pairs:
            writer.close()

        server = await qtls.aio.start_server(idle, "127.0.0.1", 0,
                                             configuration=pki.server_conf())
        port = server.sockets[0].getsockname()[1]
        reader, writer = await qtls.aio.open_connection(
            "localhost", port, configuration=pki.client_conf(), timeout=10)
        await asyncio.sleep(0.05)
        server.close()
        server.abort_clients()
        assert await asyncio.wait_for(reader.read(), 5) == b""
        await asyncio.wait_for(server.wait_closed(), 5)
        writer.close()

    run(main())


def test_an_exception_in_the_handler_is_reported_and_closes_the_connection(
        run: Callable[..., Any], pki: Pki) -> None:
    reported: list[dict[str, Any]] = []

    async def broken(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        raise ValueError("handler bug")

    async def main() -> None:
        asyncio.get_running_loop().set_exception_handler(lambda loop, ctx: reported.append(ctx))
        server = await qtls.aio.start_server(broken, "127.0.0.1", 0,
                                             configuration=pki.server_conf())
        async with server:
            reader, writer = await qtls.aio.open_connection(
                "localhost", server.sockets[0].getsockname()[1],
                configuration=pki.client_conf(), timeout=10)
            assert await asyncio.wait_for(reader.read(), 5) == b""
            writer.close()
        assert isinstance(reported[0]["exception"], ValueError)

    run(main())


def test_listening_on_a_taken_port_raises_oserror(run: Callable[..., Any], pki: Pki) -> None:
    async def main() -> None:
        server = await qtls.aio.start_server(_echo_upper, "127.0.0.1", 0,
                                             configuration=pki.server_conf())
        async with server:
            port = server.sockets[0].getsockname()[1]
            with pytest.raises(OSError):
                await qtls.aio.start_server(_echo_upper, "127.0.0.1", port,
                                            configuration=pki.server_conf())

    run(main())


def test_alpn_is_chosen_by_the_qtls_server(run: Callable[..., Any], pki: Pki) -> None:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write((writer.get_extra_info("alpn_protocol") or "none").encode())
        writer.close()

    async def main() -> None:
        server = await qtls.aio.start_server(
            handle, "127.0.0.1", 0, configuration=pki.server_conf(alpn=[b"h2", b"http/1.1"]))
        async with server:
            port = server.sockets[0].getsockname()[1]
            reader, writer = await asyncio.open_connection(
                "127.0.0.1", port, ssl=pki.stdlib_client(alpn=["http/1.1"]),
                server_hostname="localhost")
            assert writer.get_extra_info("ssl_object").selected_alpn_protocol() == "http/1.1"
            assert await reader.read() == b"http/1.1"
            writer.close()

    run(main())


def _have_ipv6_loopback() -> bool:
    import socket

    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _have_ipv6_loopback(), reason="no IPv6 loopback here")
def test_one_server_on_several_addresses(run: Callable[..., Any], pki: Pki) -> None:
    async def main() -> None:
        server = await qtls.aio.start_server(_echo_upper, ["127.0.0.1", "::1"], 0,
                                             configuration=pki.server_conf())
        async with server:
            names = [s.getsockname() for s in server.sockets]
            assert [n[0] for n in names] == ["127.0.0.1", "::1"]
            assert len(names[1]) == 4  # (host, port, flowinfo, scope_id), as for AF_INET6
            for host, port, *_ in names:
                reader, writer = await qtls.aio.open_connection(
                    host, port, configuration=pki.client_conf(), peer_verify_name="localhost",
                    timeout=10)
                writer.write(b"via " + host.encode() + b"\n")
                assert await reader.readline() == b"VIA " + host.upper().encode() + b"\n"
                assert writer.get_extra_info("peername")[0] == host
                writer.close()
                await writer.wait_closed()

    run(main())


def test_the_readers_limit_is_the_stdlibs(run: Callable[..., Any], pki: Pki) -> None:
    async def main() -> None:
        server = await qtls.aio.start_server(_echo_upper, "127.0.0.1", 0,
                                             configuration=pki.server_conf())
        async with server:
            reader, writer = await qtls.aio.open_connection(
                "localhost", server.sockets[0].getsockname()[1],
                configuration=pki.client_conf(), limit=16, timeout=10)
            writer.write(b"x" * 40 + b"\n")
            with pytest.raises(ValueError):  # LimitOverrunError, reported as the stdlib does
                await reader.readline()
            writer.close()
            await writer.wait_closed()

    run(main())
