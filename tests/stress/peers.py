"""The stress clients: asyncio and stdlib ``ssl`` in a subprocess, so that their descriptors
are not counted against the server's process (10,000 connections need 10,000 descriptors on
each side).

``python -m tests.stress.peers MODE PORT COUNT CAFILE [--hold]`` runs one kind of client
``COUNT`` times at once against 127.0.0.1:PORT and prints one JSON line with what happened:

- ``idle``: handshake, then hold the connection open until standard input closes;
- ``burst``: handshake, send ``ping``, read ``PING``, close;
- ``slow``: send the bytes of a real ClientHello one per second, until the server closes;
- ``vanish-handshake``: send half a ClientHello, then reset the connection (SO_LINGER 0);
- ``vanish-transfer``: handshake, ask for a large reply (``big``), read a little, reset.

Every step is bounded by ``--timeout`` seconds (default 60) so the process always ends.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import ssl
import struct
import sys
import time
from typing import Any

STEP_TIMEOUT_S = 60.0


def client_hello(ctx: ssl.SSLContext) -> bytes:
    """The bytes of a real ClientHello, made by an in-memory ``ssl`` object."""
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(incoming, outgoing, server_hostname="localhost")
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()


def _reset(writer: asyncio.StreamWriter | None, sock: socket.socket | None = None) -> None:
    """Close with RST (SO_LINGER 0): the peer vanishes without a FIN."""
    raw = sock if sock is not None else (writer.get_extra_info("socket") if writer else None)
    if raw is not None:
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    if writer is not None:
        writer.transport.abort()
    elif sock is not None:
        sock.close()


async def _tls(port: int, ctx: ssl.SSLContext, timeout: float
               ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.wait_for(asyncio.open_connection(
        "127.0.0.1", port, ssl=ctx, server_hostname="localhost",
        ssl_handshake_timeout=timeout), timeout)


async def _raw(port: int, timeout: float) -> socket.socket:
    loop = asyncio.get_running_loop()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setblocking(False)
    await asyncio.wait_for(loop.sock_connect(sock, ("127.0.0.1", port)), timeout)
    return sock


async def run(mode: str, port: int, count: int, ctx: ssl.SSLContext, timeout: float,
              concurrency: int) -> dict[str, Any]:
    outcome: dict[str, int] = {}
    writers: list[asyncio.StreamWriter] = []
    gate = asyncio.Semaphore(concurrency)
    hello = client_hello(ctx)
    loop = asyncio.get_running_loop()

    def note(what: str) -> None:
        outcome[what] = outcome.get(what, 0) + 1

    async def one() -> None:
        try:
            if mode == "idle":
                async with gate:
                    _reader, writer = await _tls(port, ctx, timeout)
                writers.append(writer)
                note("held")
            elif mode == "burst":
                reader, writer = await _tls(port, ctx, timeout)
                writer.write(b"ping")
                reply = await asyncio.wait_for(reader.readexactly(4), timeout)
                note("served" if reply == b"PING" else "wrong reply")
                writer.close()
            elif mode == "slow":
                async with gate:
                    sock = await _raw(port, timeout)
                started = time.monotonic()
                try:
                    for byte in hello:
                        await asyncio.wait_for(loop.sock_sendall(sock, bytes([byte])), timeout)
                        try:
                            data = await asyncio.wait_for(loop.sock_recv(sock, 1), 1.0)
                        except asyncio.TimeoutError:
                            continue  # still open: the next byte, a second later
                        if not data:
                            break  # the server closed it
                        note("answered")  # the server must not answer a ClientHello in halves
                        return
                    else:
                        note("not closed")
                        return
                except (ConnectionError, OSError):
                    pass
                finally:
                    sock.close()
                note("closed by server")
                outcome["slowest_s"] = max(outcome.get("slowest_s", 0),
                                           round(time.monotonic() - started))
            elif mode == "vanish-handshake":
                async with gate:
                    sock = await _raw(port, timeout)
                    await loop.sock_sendall(sock, hello[: len(hello) // 2])
                    await asyncio.sleep(0.01)
                    _reset(None, sock)
                note("vanished")
            elif mode == "vanish-transfer":
                async with gate:
                    reader, writer = await _tls(port, ctx, timeout)
                    writer.write(b"big")
                    await asyncio.wait_for(reader.readexactly(16_384), timeout)
                    _reset(writer)
                note("vanished")
            else:
                raise ValueError(mode)
        except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, ssl.SSLError) as exc:
            note(type(exc).__name__)

    started = time.monotonic()
    await asyncio.gather(*(one() for _ in range(count)))
    elapsed = time.monotonic() - started
    if mode == "idle":
        print(json.dumps({"holding": len(writers), "seconds": round(elapsed, 2)}), flush=True)
        # Hold until the parent closes our standard input (bounded by the timeout).
        await asyncio.wait_for(loop.run_in_executor(None, sys.stdin.read), timeout)
        for writer in writers:
            writer.close()
        await asyncio.sleep(0.1)
    return {"mode": mode, "count": count, "seconds": round(elapsed, 2), "outcome": outcome}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("mode")
    parser.add_argument("port", type=int)
    parser.add_argument("count", type=int)
    parser.add_argument("cafile")
    parser.add_argument("--timeout", type=float, default=STEP_TIMEOUT_S)
    parser.add_argument("--concurrency", type=int, default=200)
    args = parser.parse_args(argv)
    ctx = ssl.create_default_context(cafile=args.cafile)
    result = asyncio.run(run(args.mode, args.port, args.count, ctx, args.timeout,
                             args.concurrency))
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
