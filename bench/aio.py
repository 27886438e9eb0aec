"""The asyncio reference: asyncio streams over the stdlib ``ssl`` module, on asyncio's own loop
or on uvloop. The same workloads and wire protocol as :mod:`bench.qtstyle`.

Pinning on Python 3.11's ``ssl``: ``SSLContext.set_ecdh_curve("X25519")`` sets the TLS 1.3 group
list when Python is built on OpenSSL 3 (it calls ``SSL_CTX_set1_groups``), but there is no API for
the TLS 1.3 cipher suites before Python 3.13 (``set_ciphers`` only covers TLS 1.2 and below). The
runner therefore starts asyncio workers with ``OPENSSL_CONF`` naming a configuration whose
``system_default`` section sets ``Ciphersuites`` and ``Groups``; the wire probe checks the result.

Session resumption: asyncio's ``open_connection`` has no ``session`` argument, but its SSL
protocol (and uvloop's) creates each connection's ``SSLObject`` with ``context.wrap_bio()``, so a
context subclass passes the last session received there.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Coroutine
from typing import Any

from bench.measure import cpu_seconds, now, rss_bytes

HS_PAYLOAD = b"0123456789abcdef"
BULK_ACK = b"K"
READ_SIZE = 256 * 1024


class ResumingContext(ssl.SSLContext):
    """A client context that offers the last session it was given to every new connection."""

    resume_session: ssl.SSLSession | None = None

    def wrap_bio(self, incoming: Any, outgoing: Any, server_side: bool = False,
                 server_hostname: Any = None, session: Any = None) -> Any:
        if session is None:
            session = self.resume_session
        return super().wrap_bio(incoming, outgoing, server_side, server_hostname, session)


def _pin(ctx: ssl.SSLContext, spec: dict[str, Any]) -> None:
    if spec["pinned"]:
        ctx.set_ecdh_curve("X25519")


def server_context(spec: dict[str, Any]) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.load_cert_chain(spec["certs"]["cert"], spec["certs"]["key"])
    _pin(ctx, spec)
    return ctx


def client_context(spec: dict[str, Any]) -> ResumingContext:
    ctx = ResumingContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.load_verify_locations(spec["certs"]["ca"])
    _pin(ctx, spec)
    return ctx


def _session_info(writer: asyncio.StreamWriter) -> dict[str, str]:
    obj = writer.get_extra_info("ssl_object")
    return {"protocol": str(obj.version()), "cipher": obj.cipher()[0]}


# ----------------------------------------------------------------------------------- server


class AioServer:
    """The server side of every workload, on ``asyncio.start_server``."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.params: dict[str, Any] = spec["params"]
        self.workload: str = spec["workload"]
        self.expected: int = self.params.get("count", 1)
        self.done = 0
        self.echoed = 0
        self.rss_first = 0
        self.t_first: float | None = None
        self.writers: list[asyncio.StreamWriter] = []

    async def serve(self, ready: Any) -> dict[str, Any]:
        self.finished: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        server = None
        for port in self.spec.get("ports") or [0]:
            try:
                server = await self._listen(port)
                break
            except OSError:
                continue  # taken: the runner gave us a few to choose from
        if server is None:
            raise RuntimeError(f"listen failed on ports {self.spec.get('ports')}")
        self.cpu_start = cpu_seconds()
        ready(server.sockets[0].getsockname()[1])
        try:
            return await asyncio.wait_for(self.finished, self.spec["timeout"])
        finally:
            server.close()

    async def _listen(self, port: int) -> Any:
        """The listening server (asyncio.start_server; :mod:`bench.qtlsaio` overrides it)."""
        return await asyncio.start_server(
            self._handle, "127.0.0.1", port, ssl=server_context(self.spec), backlog=4096)

    def _finish(self, result: dict[str, Any]) -> None:
        if not self.finished.done():
            self.finished.set_result(result)

    def _fail(self, message: str) -> None:
        if not self.finished.done():
            self.finished.set_exception(RuntimeError(message))

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.t_first is None:
            self.t_first = now()
        try:
            if self.workload == "bulk":
                await self._bulk(reader, writer)
            else:
                await self._echo(reader, writer)
        except (ConnectionError, ssl.SSLError) as exc:
            if self.workload != "mem":
                self._fail(f"server connection error: {exc!r}")
            return
        self.done += 1
        if self.workload != "mem" and self.done == self.expected:
            self._finish({"handshakes": self.done, "cpu": cpu_seconds() - self.cpu_start,
                          "wall": now() - self.t_first, **getattr(self, "bulk", {})})

    async def _bulk(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        total = self.params["total"]
        received = 0
        t0 = now()
        while received < total:
            data = await reader.read(READ_SIZE)
            if not data:
                raise ConnectionError(f"bulk: client left after {received} bytes")
            received += len(data)
        seconds = now() - t0
        if received != total:
            raise ConnectionError(f"bulk: received {received} bytes, expected {total}")
        self.bulk = {"bytes": received, "seconds": seconds}
        writer.write(BULK_ACK)
        await writer.drain()
        await reader.read()  # the client's close
        writer.close()

    async def _echo(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        first = True
        while True:
            data = await reader.read(READ_SIZE)
            if not data:
                break
            writer.write(data)
            await writer.drain()
            if first and self.workload == "mem":
                first = False
                self.writers.append(writer)  # keep the connection open and referenced
                self._mem_echoed()
        writer.close()

    def _mem_echoed(self) -> None:
        self.echoed += 1
        if self.echoed == 1:
            self.rss_first = rss_bytes()
        if self.echoed == self.expected:
            asyncio.get_running_loop().call_later(self.params["settle"], self._mem_measure)

    def _mem_measure(self) -> None:
        self._finish({"connections": len(self.writers), "rss_first": self.rss_first,
                      "rss_all": rss_bytes(), "cpu": cpu_seconds() - self.cpu_start})


# ----------------------------------------------------------------------------------- client


class AioClient:
    """The client side of every workload, on ``asyncio.open_connection``."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.params: dict[str, Any] = spec["params"]
        self.ctx = client_context(spec)
        self.session: dict[str, str] | None = None
        self.resumed = 0

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        reader, writer = await asyncio.open_connection(
            "127.0.0.1", self.spec["port"], ssl=self.ctx, server_hostname="127.0.0.1")
        if self.session is None:
            self.session = _session_info(writer)
        return reader, writer

    async def run(self) -> dict[str, Any]:
        runner = {"bulk": self._bulk, "hs": self._hs, "cap": self._hs,
                  "pingpong": self._pingpong, "mem": self._mem}[self.spec["workload"]]
        result = await asyncio.wait_for(runner(), self.spec["timeout"])
        result["session"] = self.session
        return result

    async def _bulk(self) -> dict[str, Any]:
        t0 = now()
        reader, writer = await self._open()
        total, size = self.params["total"], self.params["chunk"]
        chunk = b"\xa5" * size
        sent = 0
        while sent < total:
            piece = chunk if total - sent >= size else chunk[: total - sent]
            writer.write(piece)
            sent += len(piece)
            await writer.drain()
        if await reader.readexactly(1) != BULK_ACK:
            raise RuntimeError("bulk: bad ack")
        seconds = now() - t0
        writer.close()
        await writer.wait_closed()
        return {"bytes": sent, "seconds": seconds}

    async def _one_handshake(self) -> None:
        reader, writer = await self._open()
        writer.write(HS_PAYLOAD)
        if await reader.readexactly(len(HS_PAYLOAD)) != HS_PAYLOAD:
            raise RuntimeError("hs: echo mismatch")
        if self.spec["resume"]:
            self._keep_session(writer)
        writer.close()
        await writer.wait_closed()

    def _keep_session(self, writer: asyncio.StreamWriter) -> None:
        """Offer this connection's session to the next ones (and count resumptions)."""
        obj = writer.get_extra_info("ssl_object")
        if obj.session_reused:
            self.resumed += 1
        if obj.session is not None:
            self.ctx.resume_session = obj.session

    async def _hs(self) -> dict[str, Any]:
        count = self.params["count"]
        remaining = [count]

        async def loop() -> None:
            while remaining[0] > 0:
                remaining[0] -= 1
                await self._one_handshake()

        t0 = now()
        await asyncio.gather(*(loop() for _ in range(min(self.params.get("concurrency", 1),
                                                            count))))
        return {"handshakes": count, "seconds": now() - t0,
                "resumed": self.resumed if self.spec["resume"] else None}

    async def _pingpong(self) -> dict[str, Any]:
        reader, writer = await self._open()
        payload = b"p" * self.params["size"]
        rounds = self.params["round_trips"]
        t0 = now()
        for _ in range(rounds):
            writer.write(payload)
            await reader.readexactly(len(payload))
        seconds = now() - t0
        writer.close()
        await writer.wait_closed()
        return {"round_trips": rounds, "seconds": seconds}

    async def _mem(self) -> dict[str, Any]:
        count = self.params["count"]
        streams: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        remaining = [count]

        async def opener() -> None:
            while remaining[0] > 0:
                remaining[0] -= 1
                reader, writer = await self._open()
                writer.write(HS_PAYLOAD)
                await reader.readexactly(len(HS_PAYLOAD))
                streams.append((reader, writer))

        await asyncio.gather(*(opener() for _ in range(min(self.params["concurrency"], count))))

        async def until_closed(reader: asyncio.StreamReader) -> None:
            try:
                await reader.read()
            except (ConnectionError, ssl.SSLError):
                pass  # the server's exit resets the idle connections: that is the end

        await asyncio.gather(*(until_closed(reader) for reader, _ in streams))
        return {"connections": len(streams)}


def _loop_factory(spec: dict[str, Any]) -> Any:
    if spec["loop"] == "uvloop":
        import uvloop

        return uvloop.new_event_loop
    return asyncio.new_event_loop


def _run(spec: dict[str, Any], coroutine: Coroutine[Any, Any, dict[str, Any]]) -> dict[str, Any]:
    """Run ``coroutine`` on a new loop of the spec's kind (``asyncio.Runner`` is 3.11+)."""
    loop = _loop_factory(spec)()
    try:
        asyncio.set_event_loop(loop)
        return loop.run_until_complete(coroutine)
    finally:
        asyncio.set_event_loop(None)
        loop.close()


def run_server(spec: dict[str, Any], ready: Any) -> dict[str, Any]:
    """Run the server side of ``spec`` (calls ``ready(port)`` once listening)."""
    return _run(spec, AioServer(spec).serve(ready))


def run_client(spec: dict[str, Any]) -> dict[str, Any]:
    """Run the client side of ``spec`` against ``spec["port"]``."""
    return _run(spec, AioClient(spec).run())
