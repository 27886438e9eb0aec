"""The stack's floor for server handshake capacity: ``python -m bench.floor``.

Not an implementation under test: a deliberately minimal TLS echo server on the stack qtls is
built on (a ``selectors`` loop, pyOpenSSL memory BIOs, OpenSSL from ``cryptography``), with none
of the Qt API (no objects per connection beyond the pyOpenSSL one, no signals, no buffers).
What it spends per handshake is what any Python library on this stack spends at least; the
difference to qtls's ``server capacity`` row is the cost of the Qt API and qtls's plumbing.

It runs the capacity workload of the benchmark (32 concurrent clients, each: full handshake,
16-byte echo, close; X25519 and TLS_AES_256_GCM_SHA384) with the server pinned to CPU 0 and an
asyncio + stdlib ``ssl`` client pinned to CPU 1, and prints handshakes per server CPU-second.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import selectors
import socket
import ssl
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.certs import write_certificates
from bench.measure import cpu_seconds
from bench.procs import CLIENT_CPU, SERVER_CPU

PAYLOAD = b"0123456789abcdef"


def _pin(cpu: int) -> None:
    try:
        os.sched_setaffinity(0, {cpu})
    except (AttributeError, OSError):
        pass


def serve(cert: str, key: str, count: int) -> None:
    """The floor server: prints ``READY <port>``, serves ``count`` connections, prints the
    result as JSON."""
    from OpenSSL import SSL
    from OpenSSL._util import ffi, lib

    _pin(SERVER_CPU)
    ctx = SSL.Context(SSL.TLS_SERVER_METHOD)
    ctx.set_min_proto_version(SSL.TLS1_3_VERSION)
    ctx.set_tls13_ciphersuites(b"TLS_AES_256_GCM_SHA384")
    lib.SSL_CTX_set1_curves_list(ctx._context, b"X25519")
    ctx.use_certificate_chain_file(cert)
    ctx.use_privatekey_file(key)
    selector = selectors.DefaultSelector()
    listener = socket.create_server(("127.0.0.1", 0), backlog=4096)
    listener.setblocking(False)
    selector.register(listener, selectors.EVENT_READ, None)
    done = 0

    def close(sock: socket.socket) -> None:
        nonlocal done
        selector.unregister(sock)
        sock.close()
        done += 1

    def flush(conn: Any, sock: socket.socket) -> None:
        if lib.BIO_get_mem_data(conn._from_ssl, ffi.NULL) > 0:
            sock.send(conn.bio_read(65536))

    def on_readable(sock: socket.socket, conn: Any) -> None:
        try:
            data = sock.recv(65536)
        except BlockingIOError:
            return
        if not data:
            close(sock)
            return
        conn.bio_write(data)
        try:
            conn.do_handshake()
        except SSL.WantReadError:
            flush(conn, sock)
            return
        except SSL.Error:
            close(sock)
            return
        try:
            conn.send(conn.recv(65536))
        except SSL.WantReadError:
            pass
        except SSL.ZeroReturnError:
            try:
                conn.shutdown()
            except SSL.Error:
                pass
            flush(conn, sock)
            close(sock)
            return
        flush(conn, sock)

    print(f"READY {listener.getsockname()[1]}", flush=True)
    cpu0 = cpu_seconds()
    while done < count:
        for key, _ in selector.select(30):
            if key.data is None:
                while True:
                    try:
                        sock, _ = listener.accept()
                    except BlockingIOError:
                        break
                    sock.setblocking(False)
                    conn = SSL.Connection(ctx, None)
                    conn.set_accept_state()
                    selector.register(sock, selectors.EVENT_READ, conn)
            else:
                on_readable(key.fileobj, key.data)  # type: ignore[arg-type]
    print(json.dumps({"handshakes": done, "cpu": cpu_seconds() - cpu0}), flush=True)


async def _clients(port: int, ca: str, count: int, concurrency: int) -> None:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(ca)
    context.set_ecdh_curve("X25519")
    left = count

    async def one_client() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=context,
                                                           server_hostname="localhost")
            writer.write(PAYLOAD)
            await reader.readexactly(len(PAYLOAD))
            writer.close()
            try:
                await writer.wait_closed()
            except (ConnectionError, ssl.SSLError):
                pass

    await asyncio.wait_for(asyncio.gather(*(one_client() for _ in range(concurrency))), 120)


def measure(key_type: str, count: int, directory: Path) -> float:
    """Handshakes per server CPU-second of the floor server for ``key_type``."""
    paths = write_certificates(directory, key_type)
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.floor", "serve", paths["cert"], paths["key"], str(count)],
        stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parent.parent)
    try:
        assert server.stdout is not None
        ready = server.stdout.readline().split()
        if len(ready) != 2 or ready[0] != "READY":
            raise RuntimeError(f"the floor server did not start: {ready}")
        _pin(CLIENT_CPU)
        asyncio.run(_clients(int(ready[1]), paths["ca"], count, 32))
        result = json.loads(server.stdout.readline())
    finally:
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    return float(result["handshakes"]) / float(result["cpu"])


def main(argv: list[str] | None = None) -> int:
    """``python -m bench.floor [--count N] [--reps N]``, or the server side (``serve``)."""
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["serve"]:
        serve(args[1], args[2], int(args[3]))
        return 0
    parser = argparse.ArgumentParser(prog="python -m bench.floor", description=__doc__)
    parser.add_argument("--count", type=int, default=1000, help="connections per measurement")
    parser.add_argument("--reps", type=int, default=3, help="measurements per key type")
    options = parser.parse_args(args)
    with tempfile.TemporaryDirectory(prefix="qtls-floor-") as tmp:
        for key_type in ("ecdsa", "rsa"):
            values = sorted(measure(key_type, options.count, Path(tmp)) for _ in range(options.reps))
            print(f"floor {key_type}: {values[len(values) // 2]:,.0f} hs/CPU-s "
                  f"(min {values[0]:,.0f}, max {values[-1]:,.0f})", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
