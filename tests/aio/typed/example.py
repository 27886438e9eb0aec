"""A user program on qtls.aio, type-checked with ``mypy --strict`` by tests/aio/test_typing.py.

It is what an application writes; it must stay clean under --strict without casts.
"""

from __future__ import annotations

import asyncio

import qtls.aio
from qtls.QtNetwork import QSslCertificate, QSslCipher, QSslConfiguration, QSslError


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    async for line in reader:
        writer.write(line)
        await writer.drain()
    writer.close()
    await writer.wait_closed()


def accept_host_name_mismatch(errors: list[QSslError]) -> bool:
    return all(e.error() == QSslError.SslError.HostNameMismatch for e in errors)


async def client(port: int, conf: QSslConfiguration) -> bytes:
    reader, writer = await qtls.aio.open_connection(
        "localhost", port, configuration=conf, ignore_errors=accept_host_name_mismatch,
        timeout=5.0)
    cert: QSslCertificate | None = writer.get_extra_info("peercert")
    cipher: QSslCipher | None = writer.get_extra_info("cipher")
    print(cert, cipher)
    writer.write(b"ping\n")
    await writer.drain()
    answer: bytes = await reader.readline()
    writer.close()
    await writer.wait_closed()
    return answer


async def starttls(port: int, conf: QSslConfiguration) -> None:
    reader, writer = await qtls.aio.open_connection("localhost", port, encrypted=False)
    await reader.readline()
    await writer.start_tls(conf, peer_verify_name="localhost", timeout=5.0)
    writer.close()


async def main(server_conf: QSslConfiguration, client_conf: QSslConfiguration) -> None:
    server: qtls.aio.Server = await qtls.aio.start_server(
        handle, "127.0.0.1", 0, configuration=server_conf)
    async with server:
        port: int = server.sockets[0].getsockname()[1]
        try:
            print(await client(port, client_conf))
        except qtls.aio.TlsHandshakeError as failure:
            errors: list[QSslError] = failure.errors
            print(errors)
        sock = (await qtls.aio.open_connection("localhost", port))[1].qsslsocket
        await sock.disconnected.wait(5.0)
