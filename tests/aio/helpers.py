"""Certificates, configurations and bounded loop runs for the qtls.aio tests.

Every test runs its coroutine through :func:`run_on`, on asyncio's default loop or on uvloop
(the ``run`` fixture in conftest.py), always under an overall timeout, with every task left
over cancelled and the loop closed afterwards.
"""

from __future__ import annotations

import asyncio
import datetime
import importlib.util
import ssl
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

import trustme

from qtls.QtNetwork import (
    QSsl,
    QSslCertificate,
    QSslConfiguration,
    QSslKey,
    QSslSocket,
)

T = TypeVar("T")
HAVE_UVLOOP = importlib.util.find_spec("uvloop") is not None
TEST_TIMEOUT_S = 30.0


def loop_factory(kind: str) -> Callable[[], asyncio.AbstractEventLoop]:
    """A new-loop function for ``kind`` ("asyncio" or "uvloop")."""
    if kind == "uvloop":
        import uvloop

        return uvloop.new_event_loop  # type: ignore[no-any-return]
    return asyncio.new_event_loop


def run_on(kind: str, coroutine: Coroutine[Any, Any, T], timeout: float = TEST_TIMEOUT_S) -> T:
    """Run ``coroutine`` on a new loop of ``kind``, bounded by ``timeout`` seconds."""
    loop = loop_factory(kind)()
    try:
        asyncio.set_event_loop(loop)
        return loop.run_until_complete(asyncio.wait_for(coroutine, timeout))
    finally:
        try:
            tasks = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for task in tasks:
                task.cancel()
            if tasks:
                loop.run_until_complete(asyncio.wait(tasks, timeout=5))
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            asyncio.set_event_loop(None)
            loop.close()


@dataclass(frozen=True)
class Leaf:
    """A certificate with its key, as PEM, and the QSsl values of both."""

    cert_pem: bytes
    key_pem: bytes
    chain_pem: bytes
    issued: trustme.LeafCert

    @property
    def cert(self) -> QSslCertificate:
        return QSslCertificate(self.cert_pem)

    @property
    def key(self) -> QSslKey:
        return QSslKey(self.key_pem, QSsl.KeyAlgorithm.Ec)


def _leaf(issued: trustme.LeafCert) -> Leaf:
    pems = issued.cert_chain_pems
    return Leaf(pems[0].bytes(), issued.private_key_pem.bytes(),
                b"".join(p.bytes() for p in pems), issued)


class Pki:
    """One private CA with the leaves the tests need, and a second, unknown CA."""

    def __init__(self) -> None:
        self.ca = trustme.CA()
        self.ca_pem = self.ca.cert_pem.bytes()
        self.server = _leaf(self.ca.issue_cert("localhost", "127.0.0.1"))
        past = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=2)
        self.expired = _leaf(self.ca.issue_cert(
            "localhost", "127.0.0.1", not_before=past - datetime.timedelta(days=30),
            not_after=past))
        self.wrong_host = _leaf(self.ca.issue_cert("other.example"))
        self.unknown_ca = _leaf(trustme.CA().issue_cert("localhost", "127.0.0.1"))
        self.client = _leaf(self.ca.issue_cert("client.example"))

    # ---- qtls configurations
    def client_conf(self, *, tls: str | None = None, cert: Leaf | None = None,
                    alpn: list[bytes] | None = None) -> QSslConfiguration:
        """A client configuration that trusts only the private CA."""
        conf = QSslConfiguration.defaultConfiguration()
        conf.setCaCertificates([QSslCertificate(self.ca_pem)])
        conf.setPeerVerifyMode(QSslSocket.PeerVerifyMode.VerifyPeer)
        if tls is not None:
            conf.setProtocol(qt_protocol(tls))
        if cert is not None:
            conf.setLocalCertificate(cert.cert)
            conf.setPrivateKey(cert.key)
        if alpn is not None:
            conf.setAllowedNextProtocols(alpn)
        return conf

    def server_conf(self, leaf: Leaf | None = None, *, tls: str | None = None,
                    verify_clients: bool = False,
                    alpn: list[bytes] | None = None) -> QSslConfiguration:
        """A server configuration with ``leaf`` (default: the good server certificate)."""
        leaf = leaf or self.server
        conf = QSslConfiguration.defaultConfiguration()
        conf.setLocalCertificate(leaf.cert)
        conf.setPrivateKey(leaf.key)
        if tls is not None:
            conf.setProtocol(qt_protocol(tls))
        if verify_clients:
            conf.setCaCertificates([QSslCertificate(self.ca_pem)])
            conf.setPeerVerifyMode(QSslSocket.PeerVerifyMode.VerifyPeer)
        else:
            conf.setPeerVerifyMode(QSslSocket.PeerVerifyMode.VerifyNone)
        if alpn is not None:
            conf.setAllowedNextProtocols(alpn)
        return conf

    # ---- stdlib contexts
    def stdlib_server(self, leaf: Leaf | None = None, *, tls: str | None = None,
                      verify_clients: bool = False,
                      alpn: list[str] | None = None) -> ssl.SSLContext:
        """A stdlib server context with ``leaf``."""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        (leaf or self.server).issued.configure_cert(ctx)
        _pin_version(ctx, tls)
        if verify_clients:
            self.ca.configure_trust(ctx)
            ctx.verify_mode = ssl.CERT_REQUIRED
        if alpn is not None:
            ctx.set_alpn_protocols(alpn)
        return ctx

    def stdlib_client(self, *, tls: str | None = None, cert: Leaf | None = None,
                      alpn: list[str] | None = None) -> ssl.SSLContext:
        """A stdlib client context that trusts the private CA."""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        self.ca.configure_trust(ctx)
        _pin_version(ctx, tls)
        if cert is not None:
            cert.issued.configure_cert(ctx)
        if alpn is not None:
            ctx.set_alpn_protocols(alpn)
        return ctx


def qt_protocol(tls: str) -> QSsl.SslProtocol:
    """"1.2" or "1.3" as a QSsl.SslProtocol that allows exactly that version."""
    return {"1.2": QSsl.SslProtocol.TlsV1_2, "1.3": QSsl.SslProtocol.TlsV1_3}[tls]


def _pin_version(ctx: ssl.SSLContext, tls: str | None) -> None:
    if tls is not None:
        version = {"1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}[tls]
        ctx.minimum_version = ctx.maximum_version = version


async def stdlib_echo_server(ctx: ssl.SSLContext | None, **kwargs: Any) -> tuple[Any, int]:
    """An asyncio.start_server upper-casing echo (line by line); returns (server, port)."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            async for line in reader:
                writer.write(line.upper())
                await writer.drain()
        except (ConnectionError, ssl.SSLError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=ctx, **kwargs)
    return server, server.sockets[0].getsockname()[1]
