"""qtls.aio against ``openssl s_server`` / ``s_client``, qtls against itself, and STARTTLS."""

from __future__ import annotations

import asyncio
import re
import shutil
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

import qtls.aio
from qtls.QtNetwork import QSslCertificate
from tests.aio.helpers import Pki

OPENSSL = shutil.which("openssl")
needs_openssl = pytest.mark.skipif(
    OPENSSL is None,
    reason="the openssl command-line tool is not installed (`make test` installs it)")


def _files(tmp_path: Path, pki: Pki) -> dict[str, str]:
    paths = {}
    for name, data in {"cert": pki.server.chain_pem, "key": pki.server.key_pem,
                       "ca": pki.ca_pem}.items():
        path = tmp_path / f"{name}.pem"
        path.write_bytes(data)
        paths[name] = str(path)
    return paths


@asynccontextmanager
async def _process(*args: str) -> AsyncIterator[asyncio.subprocess.Process]:
    """An openssl process, killed on the way out whatever happened."""
    assert OPENSSL is not None
    proc = await asyncio.create_subprocess_exec(
        OPENSSL, *args, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT)
    try:
        yield proc
    finally:
        if proc.returncode is None:
            proc.kill()
        await asyncio.wait_for(proc.wait(), 5)


@needs_openssl
@pytest.mark.parametrize("tls", ["1.2", "1.3"])
def test_client_against_openssl_s_server(run: Callable[..., Any], pki: Pki, tmp_path: Path,
                                         tls: str) -> None:
    files = _files(tmp_path, pki)

    async def main() -> None:
        async with _process("s_server", "-accept", "127.0.0.1:0", "-cert", files["cert"],
                            "-key", files["key"], f"-tls{tls.replace('.', '_')}",
                            "-rev") as proc:
            assert proc.stdout is not None
            port = None
            while port is None:
                line = await asyncio.wait_for(proc.stdout.readline(), 10)
                assert line, "s_server exited before listening"
                found = re.search(rb"ACCEPT .*:(\d+)", line)
                port = int(found.group(1)) if found else None
            reader, writer = await qtls.aio.open_connection(
                "localhost", port, configuration=pki.client_conf(), timeout=10)
            assert writer.get_extra_info("protocol").name == f"TlsV{tls.replace('.', '_')}"
            writer.write(b"hello openssl\n")
            assert await asyncio.wait_for(reader.readline(), 10) == b"lssnepo olleh\n"
            writer.close()
            await writer.wait_closed()

    run(main())


@needs_openssl
@pytest.mark.parametrize("tls", ["1.2", "1.3"])
def test_openssl_s_client_against_the_server(run: Callable[..., Any], pki: Pki,
                                             tmp_path: Path, tls: str) -> None:
    files = _files(tmp_path, pki)

    async def upper(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write((await reader.readline()).upper())
        await writer.drain()
        writer.close()

    async def main() -> None:
        server = await qtls.aio.start_server(upper, "127.0.0.1", 0,
                                             configuration=pki.server_conf())
        async with server:
            port = server.sockets[0].getsockname()[1]
            async with _process("s_client", "-connect", f"127.0.0.1:{port}", "-CAfile",
                                files["ca"], "-verify_return_error", "-servername", "localhost", "-ign_eof",
                                f"-tls{tls.replace('.', '_')}") as proc:
                out, _ = await asyncio.wait_for(proc.communicate(b"ping\n"), 10)
            text = out.decode(errors="replace")
            assert "PING" in text
            assert "Verify return code: 0 (ok)" in text
            assert f"TLSv{tls}" in text

    run(main())


@needs_openssl
def test_openssl_s_client_starttls_smtp_against_the_server(run: Callable[..., Any], pki: Pki,
                                                          tmp_path: Path) -> None:
    files = _files(tmp_path, pki)

    async def smtp(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        assert isinstance(writer, qtls.aio.TlsStreamWriter)
        writer.write(b"220 qtls ESMTP ready\r\n")
        while True:
            line = await reader.readline()
            if not line:
                return
            if line.upper().startswith((b"EHLO", b"HELO")):
                writer.write(b"250-qtls greets you\r\n250 STARTTLS\r\n")
            elif line.upper().startswith(b"STARTTLS"):
                writer.write(b"220 Ready to start TLS\r\n")
                await writer.start_tls()
                break
        writer.write((await reader.readline()).upper())
        await writer.drain()
        writer.close()

    async def main() -> None:
        server = await qtls.aio.start_server(smtp, "127.0.0.1", 0,
                                             configuration=pki.server_conf(), encrypted=False)
        async with server:
            port = server.sockets[0].getsockname()[1]
            async with _process("s_client", "-connect", f"127.0.0.1:{port}", "-starttls",
                                "smtp", "-CAfile", files["ca"], "-verify_return_error",
                                "-servername", "localhost", "-ign_eof") as proc:
                out, _ = await asyncio.wait_for(proc.communicate(b"secret\n"), 10)
            text = out.decode(errors="replace")
            assert "SECRET" in text
            assert "Verify return code: 0 (ok)" in text

    run(main())


# ----------------------------------------------------------------------------- qtls ↔ qtls


@pytest.mark.parametrize("tls", ["1.2", "1.3"])
def test_qtls_client_and_server_with_mutual_tls(run: Callable[..., Any], pki: Pki,
                                                tls: str) -> None:
    async def whoami(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        known = writer.get_extra_info("peercert") == QSslCertificate(pki.client.cert_pem)
        writer.write(b"known client\n" if known else b"stranger\n")
        await writer.drain()
        writer.close()

    async def main() -> None:
        server = await qtls.aio.start_server(
            whoami, "127.0.0.1", 0, configuration=pki.server_conf(tls=tls, verify_clients=True))
        async with server:
            reader, writer = await qtls.aio.open_connection(
                "localhost", server.sockets[0].getsockname()[1],
                configuration=pki.client_conf(tls=tls, cert=pki.client), timeout=10)
            assert await reader.readline() == b"known client\n"
            assert await reader.read() == b""
            writer.close()
            await writer.wait_closed()

    run(main())


def _starttls_server(pki: Pki) -> Callable[..., Any]:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"READY\n")
        assert await reader.readline() == b"STARTTLS\n"
        writer.write(b"GO\n")
        await writer.drain()
        assert isinstance(writer, qtls.aio.TlsStreamWriter)
        await writer.start_tls()
        writer.write(b"secure " + (await reader.readline()))
        await writer.drain()
        writer.close()

    return handle


def test_starttls_between_qtls_client_and_server(run: Callable[..., Any], pki: Pki) -> None:
    async def main() -> None:
        server = await qtls.aio.start_server(_starttls_server(pki), "127.0.0.1", 0,
                                             configuration=pki.server_conf(), encrypted=False)
        async with server:
            reader, writer = await qtls.aio.open_connection(
                "localhost", server.sockets[0].getsockname()[1],
                configuration=pki.client_conf(), encrypted=False, timeout=10)
            assert writer.get_extra_info("cipher") is None
            assert await reader.readline() == b"READY\n"
            writer.write(b"STARTTLS\n")
            assert await reader.readline() == b"GO\n"
            await writer.start_tls(timeout=10)
            assert writer.get_extra_info("qsslsocket").isEncrypted()
            assert writer.get_extra_info("cipher") is not None
            with pytest.raises(RuntimeError):
                await writer.start_tls()
            writer.write(b"hello\n")
            assert await reader.readline() == b"secure hello\n"
            writer.close()
            await writer.wait_closed()

    run(main())


def test_starttls_failure_raises_and_closes(run: Callable[..., Any], pki: Pki) -> None:
    async def main() -> None:
        server = await qtls.aio.start_server(_starttls_server(pki), "127.0.0.1", 0,
                                             configuration=pki.server_conf(pki.wrong_host),
                                             encrypted=False)
        async with server:
            reader, writer = await qtls.aio.open_connection(
                "localhost", server.sockets[0].getsockname()[1], encrypted=False, timeout=10)
            await reader.readline()
            writer.write(b"STARTTLS\n")
            await reader.readline()
            with pytest.raises(qtls.aio.TlsHandshakeError) as caught:
                await writer.start_tls(pki.client_conf(), timeout=10)
            assert [e.error().name for e in caught.value.errors] == ["HostNameMismatch"]
            assert await asyncio.wait_for(reader.read(), 5) == b""
            assert writer.is_closing()

    run(main())


@pytest.mark.skipif(sys.version_info < (3, 11), reason="StreamWriter.start_tls is 3.11+")
def test_starttls_with_a_stdlib_server(run: Callable[..., Any], pki: Pki) -> None:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"READY\n")
        await reader.readline()
        writer.write(b"GO\n")
        await writer.drain()
        await writer.start_tls(pki.stdlib_server())
        writer.write(b"secure " + (await reader.readline()))
        await writer.drain()
        writer.close()

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        async with server:
            reader, writer = await qtls.aio.open_connection(
                "127.0.0.1", server.sockets[0].getsockname()[1], encrypted=False, timeout=10)
            assert await reader.readline() == b"READY\n"
            writer.write(b"STARTTLS\n")
            assert await reader.readline() == b"GO\n"
            await writer.start_tls(pki.client_conf(), peer_verify_name="localhost", timeout=10)
            writer.write(b"hi\n")
            assert await reader.readline() == b"secure hi\n"
            writer.close()
            await writer.wait_closed()

    run(main())
