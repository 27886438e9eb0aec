"""qtls.aio.open_connection against the stdlib's asyncio.start_server(ssl=...)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

import qtls.aio
from qtls.QtNetwork import QSsl, QSslCertificate, QSslCipher, QSslError, QSslSocket
from tests.aio.helpers import Pki, stdlib_echo_server

E = QSslError.SslError


@pytest.mark.parametrize("tls", ["1.2", "1.3"])
def test_reader_behaves_as_the_stdlibs(run: Callable[..., Any], pki: Pki, tls: str) -> None:
    async def main() -> None:
        server, port = await stdlib_echo_server(pki.stdlib_server(tls=tls))
        async with server:
            reader, writer = await qtls.aio.open_connection(
                "localhost", port, configuration=pki.client_conf(), timeout=10)
            assert isinstance(reader, asyncio.StreamReader)
            assert isinstance(writer, asyncio.StreamWriter)
            writer.write(b"one\ntwo\n")
            writer.writelines([b"thr", b"ee;four\n", b"five\n"])
            await writer.drain()
            assert await reader.readline() == b"ONE\n"
            assert await reader.readexactly(4) == b"TWO\n"
            assert await reader.readuntil(b";") == b"THREE;"
            assert await reader.readline() == b"FOUR\n"
            writer.write(b"six\nseven\n")
            assert await reader.read(5) == b"FIVE\n"
            assert await reader.readline() == b"SIX\n"
            assert await reader.readexactly(6) == b"SEVEN\n"
            writer.close()
            assert writer.is_closing()
            assert await reader.read() == b""  # our own close ends the reader too
            await writer.wait_closed()

    run(main())


def test_lines_then_the_peers_close_end_async_iteration(run: Callable[..., Any],
                                                         pki: Pki) -> None:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"a\nb\nc")
        await writer.drain()
        writer.close()

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=pki.stdlib_server())
        async with server:
            reader, writer = await qtls.aio.open_connection(
                "localhost", server.sockets[0].getsockname()[1],
                configuration=pki.client_conf(), timeout=10)
            assert [line async for line in reader] == [b"a\n", b"b\n", b"c"]
            assert reader.at_eof()
            assert await reader.read() == b""
            with pytest.raises(asyncio.IncompleteReadError):
                await reader.readexactly(1)
            writer.close()
            await writer.wait_closed()

    run(main())


@pytest.mark.parametrize("tls", ["1.2", "1.3"])
def test_extra_info_names_the_session(run: Callable[..., Any], pki: Pki, tls: str) -> None:
    async def main() -> None:
        server, port = await stdlib_echo_server(pki.stdlib_server(tls=tls))
        async with server:
            reader, writer = await qtls.aio.open_connection(
                "127.0.0.1", port, configuration=pki.client_conf(), timeout=10)
            info = writer.get_extra_info
            assert info("peername")[:2] == ("127.0.0.1", port)
            assert info("sockname")[0] == "127.0.0.1" and info("sockname")[1] > 0
            assert info("peercert") == QSslCertificate(pki.server.cert_pem)
            assert info("peercert_chain")[0] == info("peercert")
            assert isinstance(info("cipher"), QSslCipher)
            expected = QSsl.SslProtocol.TlsV1_2 if tls == "1.2" else QSsl.SslProtocol.TlsV1_3
            assert info("protocol") == expected
            assert info("cipher").protocol() == expected
            assert info("ssl_errors") == []
            assert info("alpn_protocol") is None
            assert isinstance(info("qsslsocket"), QSslSocket)
            assert info("qsslsocket").isEncrypted()
            assert info("no such thing", "dflt") == "dflt"
            assert not writer.can_write_eof()
            writer.close()
            await writer.wait_closed()
            # asyncio's transports keep the addresses after the close.
            assert info("peername")[:2] == ("127.0.0.1", port)

    run(main())


# ----------------------------------------------------------------------------- verification


def _bad_leaves(pki: Pki) -> dict[str, tuple[Any, set[QSslError.SslError]]]:
    return {
        "expired": (pki.expired, {E.CertificateExpired}),
        "wrong host": (pki.wrong_host, {E.HostNameMismatch}),
        "unknown CA": (pki.unknown_ca,
                       {E.UnableToGetLocalIssuerCertificate, E.UnableToVerifyFirstCertificate}),
    }


@pytest.mark.parametrize("case", ["expired", "wrong host", "unknown CA"])
def test_verification_failure_raises_with_the_errors_and_ignoring_exactly_them_connects(
        run: Callable[..., Any], pki: Pki, case: str) -> None:
    leaf, kinds = _bad_leaves(pki)[case]

    async def main() -> None:
        server, port = await stdlib_echo_server(pki.stdlib_server(leaf))
        async with server:
            with pytest.raises(qtls.aio.TlsHandshakeError) as caught:
                await qtls.aio.open_connection("localhost", port,
                                               configuration=pki.client_conf(), timeout=10)
            failure = caught.value
            assert isinstance(failure, ConnectionError)
            assert {e.error() for e in failure.errors} == kinds
            assert all(e.certificate() == leaf.cert for e in failure.errors)
            for e in failure.errors:
                assert e.errorString() in str(failure)

            # The same errors for another certificate do not match (Qt's rule) ...
            other = [QSslError(e.error(), pki.client.cert) for e in failure.errors]
            with pytest.raises(qtls.aio.TlsHandshakeError):
                await qtls.aio.open_connection("localhost", port, configuration=pki.client_conf(),
                                               ignore_errors=other, timeout=10)
            # ... exactly these ones do.
            expected = [QSslError(e.error(), leaf.cert) for e in failure.errors]
            reader, writer = await qtls.aio.open_connection(
                "localhost", port, configuration=pki.client_conf(), ignore_errors=expected,
                timeout=10)
            assert {e.error() for e in writer.get_extra_info("ssl_errors")} == kinds
            writer.write(b"ok\n")
            assert await reader.readline() == b"OK\n"
            writer.close()
            await writer.wait_closed()

    run(main())


def test_ignore_errors_callable_decides(run: Callable[..., Any], pki: Pki) -> None:
    async def main() -> None:
        server, port = await stdlib_echo_server(pki.stdlib_server(pki.wrong_host))
        async with server:
            seen: list[list[QSslError]] = []

            def refuse(errors: list[QSslError]) -> bool:
                seen.append(errors)
                return False

            with pytest.raises(qtls.aio.TlsHandshakeError):
                await qtls.aio.open_connection("localhost", port,
                                               configuration=pki.client_conf(),
                                               ignore_errors=refuse, timeout=10)
            assert [e.error() for e in seen[0]] == [E.HostNameMismatch]

            def only_host_name(errors: list[QSslError]) -> bool:
                return all(e.error() == E.HostNameMismatch for e in errors)

            reader, writer = await qtls.aio.open_connection(
                "localhost", port, configuration=pki.client_conf(),
                ignore_errors=only_host_name, timeout=10)
            writer.write(b"x\n")
            assert await reader.readline() == b"X\n"
            writer.close()
            await writer.wait_closed()

            def broken(errors: list[QSslError]) -> bool:
                raise ValueError("the callback's own bug")

            with pytest.raises(qtls.aio.TlsHandshakeError) as caught:
                await qtls.aio.open_connection("localhost", port,
                                               configuration=pki.client_conf(),
                                               ignore_errors=broken, timeout=10)
            assert isinstance(caught.value.__cause__, ValueError)

    run(main())


def test_peer_verify_name_replaces_the_host_for_verification(
        run: Callable[..., Any], pki: Pki) -> None:
    async def main() -> None:
        server, port = await stdlib_echo_server(pki.stdlib_server(pki.wrong_host))
        async with server:
            reader, writer = await qtls.aio.open_connection(
                "127.0.0.1", port, configuration=pki.client_conf(),
                peer_verify_name="other.example", timeout=10)
            writer.write(b"named\n")
            assert await reader.readline() == b"NAMED\n"
            writer.close()
            await writer.wait_closed()

    run(main())


# ----------------------------------------------------------------------------- mTLS, ALPN


@pytest.mark.parametrize("tls", ["1.2", "1.3"])
def test_mutual_tls_with_a_stdlib_server_that_requires_a_client_certificate(
        run: Callable[..., Any], pki: Pki, tls: str) -> None:
    peers: list[Any] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peers.append(writer.get_extra_info("peercert"))
        writer.write(await reader.readline())
        await writer.drain()
        writer.close()

    async def main() -> None:
        server = await asyncio.start_server(
            handle, "127.0.0.1", 0, ssl=pki.stdlib_server(tls=tls, verify_clients=True))
        port = server.sockets[0].getsockname()[1]
        async with server:
            reader, writer = await qtls.aio.open_connection(
                "localhost", port, configuration=pki.client_conf(tls=tls, cert=pki.client),
                timeout=10)
            writer.write(b"who\n")
            assert await reader.readline() == b"who\n"
            writer.close()
            await writer.wait_closed()
            # Without a certificate the server refuses us: an error, not a hang.
            with pytest.raises(ConnectionError):
                reader, writer = await qtls.aio.open_connection(
                    "localhost", port, configuration=pki.client_conf(tls=tls), timeout=10)
                # (TLS 1.3: the server judges us after our Finished; we learn it on reading)
                writer.write(b"who\n")
                if await reader.read() == b"":
                    raise ConnectionResetError("refused after the handshake")
        subjects = [dict(x[0] for x in p["subject"]) if p["subject"] else p for p in peers]
        assert len(subjects) == 1

    run(main())


def test_alpn_is_negotiated_with_a_stdlib_server(run: Callable[..., Any], pki: Pki) -> None:
    async def main() -> None:
        server, port = await stdlib_echo_server(pki.stdlib_server(alpn=["h2", "http/1.1"]))
        async with server:
            reader, writer = await qtls.aio.open_connection(
                "localhost", port, configuration=pki.client_conf(alpn=[b"http/1.1"]),
                timeout=10)
            assert writer.get_extra_info("alpn_protocol") == "http/1.1"
            writer.close()
            await writer.wait_closed()

    run(main())
