"""start_server and Server: QSslServer (or, for STARTTLS, QTcpServer) behind asyncio's Server API.

Each listening address is one Qt server. QSslServer runs every client's handshake (bounded by
``handshake_timeout``) and hands over only encrypted sockets (``pendingConnectionAvailable``);
a client that fails its handshake is logged on the ``qtls.aio`` logger and dropped by
QSslServer itself, so it never reaches the callback. Each accepted socket is detached from its
Qt server (``setParent(None)``: closing the server does not close its connections, as in
asyncio) and becomes a (reader, writer) pair for the callback; a coroutine callback runs as a
task, whose unhandled exception is reported to the loop's exception handler and closes the
connection (asyncio 3.12+).

Closing follows asyncio 3.12+: ``close()`` stops listening and leaves connections open;
``wait_closed()`` returns once every connection is gone (``close_clients()`` and
``abort_clients()`` end them, as in 3.13).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import socket
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Union

from qtls.aio.errors import connection_error
from qtls.aio.handshake import PskCallback
from qtls.aio.streams import DEFAULT_LIMIT, TlsStreamWriter, make_streams
from qtls.aio.transport import TlsTransport
from qtls.network.hostaddress import QHostAddress
from qtls.network.socketenums import NetworkLayerProtocol, SocketError
from qtls.network.tcpserver import QTcpServer
from qtls.ssl.sslserver import QSslServer
from qtls.ssl.sslsocket import QSslSocket
from qtls.ssl.values.configuration import QSslConfiguration
from qtls.ssl.values.psk import QSslPreSharedKeyAuthenticator
from qtls.ssl.x509.error import QSslError

__all__ = ["Server", "start_server", "ClientConnectedCallback"]

logger = logging.getLogger("qtls.aio")

#: What ``start_server`` calls with each client: a coroutine function or a plain function.
ClientConnectedCallback = Callable[
    [asyncio.StreamReader, TlsStreamWriter], Union[Awaitable[None], None]]

# Handshakes in flight per listening address (Qt counts them against maxPendingConnections,
# default 30): a client is accepted only while fewer are in flight, the others wait in the
# kernel's backlog. handshake_timeout bounds how long each one may take.
_MAX_HANDSHAKES = 4096


class _StartTlsServer(QTcpServer):
    """A QTcpServer whose connections are QSslSockets in unencrypted mode (for STARTTLS)."""

    def incomingConnection(self, handle: int) -> None:
        connection = QSslSocket(self)
        if connection.setSocketDescriptor(handle):
            self.addPendingConnection(connection)
        else:
            connection.deleteLater()
            try:
                socket.close(handle)
            except OSError:
                pass


class ListeningSocket:
    """One listening address of a :class:`Server` (``server.sockets``), like asyncio's."""

    def __init__(self, qserver: QTcpServer) -> None:
        self._qserver = qserver
        address = qserver.serverAddress()
        self.family = (socket.AF_INET6 if address.protocol() is NetworkLayerProtocol.IPv6Protocol
                       else socket.AF_INET)
        self.type = socket.SOCK_STREAM
        self._name: tuple[Any, ...] = (
            (address.toString(), qserver.serverPort(), 0, 0) if self.family == socket.AF_INET6
            else (address.toString(), qserver.serverPort()))

    def getsockname(self) -> tuple[Any, ...]:
        """(host, port), or (host, port, flowinfo, scope_id) for IPv6."""
        return self._name

    def fileno(self) -> int:
        """The listening descriptor (-1 once closed)."""
        return int(self._qserver.socketDescriptor())

    def __repr__(self) -> str:
        return f"<qtls.aio listening socket {self._name}>"


class Server:
    """What :func:`start_server` returns; it works like ``asyncio.Server``.

    ``close()``, ``await wait_closed()``, ``await serve_forever()``, ``async with``,
    ``is_serving()``, ``sockets`` (``server.sockets[0].getsockname()[1]`` is the port),
    ``get_loop()``, ``close_clients()``, ``abort_clients()``.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, callback: ClientConnectedCallback,
                 configuration: QSslConfiguration, limit: int,
                 psk: PskCallback | None = None) -> None:
        self._loop = loop
        self._psk = psk
        self._callback = callback
        self._configuration = configuration
        self._limit = limit
        self._qservers: list[QTcpServer] = []
        self._sockets: list[ListeningSocket] = []
        self._clients: set[TlsTransport] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._serving = False
        self._closed = False
        self._waiters: list[asyncio.Future[None]] = []
        self._serving_forever: asyncio.Future[None] | None = None

    def __repr__(self) -> str:
        return f"<qtls.aio.Server sockets={self.sockets!r}>"

    # ------------------------------------------------------------------------- listening

    def _listen(self, address: QHostAddress, port: int, backlog: int, encrypted: bool,
                handshake_timeout: float) -> None:
        qserver: QTcpServer
        if encrypted:
            tls = QSslServer()
            tls.setSslConfiguration(self._configuration)
            tls.setHandshakeTimeout(max(1, int(handshake_timeout * 1000)))
            tls.errorOccurred.connect(self._on_handshake_error)
            tls.sslErrors.connect(self._on_handshake_ssl_errors)
            if self._psk is not None:
                tls.preSharedKeyAuthenticationRequired.connect(self._on_psk)
            qserver = tls
        else:
            qserver = _StartTlsServer()
        qserver.setListenBacklogSize(backlog)
        qserver.setMaxPendingConnections(_MAX_HANDSHAKES)
        qserver.pendingConnectionAvailable.connect(self._on_pending)
        if not qserver.listen(address, port):
            error, text = qserver.serverError(), qserver.errorString()
            raise connection_error(error, f"could not listen on {address.toString()}:{port}: "
                                          f"{text}")
        self._qservers.append(qserver)
        self._sockets.append(ListeningSocket(qserver))
        self._serving = True

    def _on_psk(self, sock: QSslSocket, authenticator: QSslPreSharedKeyAuthenticator) -> None:
        if self._psk is not None:
            self._psk(authenticator)

    def _on_handshake_ssl_errors(self, sock: QSslSocket, errors: list[QSslError]) -> None:
        logger.debug("TLS client %s:%s: verification errors %s", sock.peerAddress().toString(),
                     sock.peerPort(), [e.errorString() for e in errors])

    def _on_handshake_error(self, sock: QSslSocket, error: SocketError) -> None:
        logger.info("TLS client %s:%s dropped before its handshake completed: %s (%s)",
                    sock.peerAddress().toString(), sock.peerPort(), sock.errorString(),
                    error.name)

    # ------------------------------------------------------------------------- clients

    def _on_pending(self) -> None:
        for qserver in self._qservers:
            while True:
                sock = qserver.nextPendingConnection()
                if sock is None:
                    break
                assert isinstance(sock, QSslSocket)
                sock.setParent(None)
                if not sock.isEncrypted():
                    sock.setSslConfiguration(self._configuration)  # for start_tls()
                self._hand_over(sock)

    def _hand_over(self, sock: QSslSocket) -> None:
        reader, writer = make_streams(self._loop, sock, self._limit, server_side=True,
                                      on_lost=self._client_lost)
        transport = writer.transport
        assert isinstance(transport, TlsTransport)
        self._clients.add(transport)
        try:
            result = self._callback(reader, writer)
        except Exception as exc:
            self._report(exc, transport)
            return
        if inspect.iscoroutine(result):
            task = self._loop.create_task(result)
        elif inspect.isawaitable(result):
            task = self._loop.create_task(_await(result))
        else:
            return
        self._tasks.add(task)
        task.add_done_callback(lambda t: self._task_done(t, transport))

    def _task_done(self, task: asyncio.Task[Any], transport: TlsTransport) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            self._report(task.exception(), transport)

    def _report(self, exc: BaseException | None, transport: TlsTransport) -> None:
        self._loop.call_exception_handler({
            "message": "Unhandled exception in client_connected_cb",
            "exception": exc,
            "transport": transport,
        })
        transport.close()

    def _client_lost(self, transport: TlsTransport) -> None:
        self._clients.discard(transport)
        self._wake_waiters()

    # ------------------------------------------------------------------------- asyncio.Server

    def get_loop(self) -> asyncio.AbstractEventLoop:
        """The loop the server runs on."""
        return self._loop

    def is_serving(self) -> bool:
        """True while the server accepts new connections."""
        return self._serving

    @property
    def sockets(self) -> tuple[ListeningSocket, ...]:
        """The listening sockets; empty once closed."""
        return tuple(self._sockets) if not self._closed else ()

    def close(self) -> None:
        """Stop listening; open connections stay open (asyncio's behaviour)."""
        if self._closed:
            return
        self._closed = True
        self._serving = False
        for qserver in self._qservers:
            qserver.close()
        if self._serving_forever is not None and not self._serving_forever.done():
            self._serving_forever.cancel()
        self._wake_waiters()

    def close_clients(self) -> None:
        """Close every open connection gracefully (close_notify, then TCP close)."""
        for transport in list(self._clients):
            transport.close()

    def abort_clients(self) -> None:
        """Close every open connection at once."""
        for transport in list(self._clients):
            transport.abort()

    async def start_serving(self) -> None:
        """Nothing to do: the server listens from ``start_server`` on (asyncio's API)."""

    async def wait_closed(self) -> None:
        """Wait until the server is closed and every connection is gone (asyncio 3.12+)."""
        while not (self._closed and not self._clients):
            waiter = self._loop.create_future()
            self._waiters.append(waiter)
            try:
                await waiter
            finally:
                if waiter in self._waiters:
                    self._waiters.remove(waiter)

    def _wake_waiters(self) -> None:
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._waiters.clear()

    async def serve_forever(self) -> None:
        """Serve until cancelled (or closed); closes the server when cancelled."""
        if self._serving_forever is not None:
            raise RuntimeError(f"server {self!r} is already being awaited on serve_forever()")
        if self._closed:
            raise RuntimeError(f"server {self!r} is closed")
        self._serving_forever = self._loop.create_future()
        try:
            await self._serving_forever
        except asyncio.CancelledError:
            try:
                self.close()
                await self.wait_closed()
            finally:
                raise
        finally:
            self._serving_forever = None

    async def __aenter__(self) -> Server:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()
        await self.wait_closed()


async def _await(awaitable: Awaitable[None]) -> None:
    await awaitable


async def _addresses(loop: asyncio.AbstractEventLoop, host: str | Sequence[str] | None,
                     port: int) -> list[QHostAddress]:
    """The addresses to listen on: every interface for None, else each host (names resolved)."""
    if host is None or host == "":
        return [QHostAddress(QHostAddress.SpecialAddress.Any)]
    hosts = [host] if isinstance(host, str) else list(host)
    found: list[QHostAddress] = []
    for name in hosts:
        address = QHostAddress(name)
        if not address.isNull():
            candidates = [address]
        else:
            infos = await loop.getaddrinfo(name, port, type=socket.SOCK_STREAM,
                                           flags=socket.AI_PASSIVE)
            candidates = [QHostAddress(str(info[4][0])) for info in infos]
        for candidate in candidates:
            if candidate not in found:
                found.append(candidate)
    return found


async def start_server(
    client_connected_cb: ClientConnectedCallback,
    host: str | Sequence[str] | None = None,
    port: int = 0,
    *,
    configuration: QSslConfiguration,
    handshake_timeout: float = 5.0,
    backlog: int = 100,
    encrypted: bool = True,
    limit: int = DEFAULT_LIMIT,
    psk: PskCallback | None = None,
) -> Server:
    """Listen on ``host``:``port`` and call ``client_connected_cb(reader, writer)`` per client.

    ``configuration`` is the server's QSslConfiguration (certificate, key, and whatever else
    Qt offers: client-certificate verification, ALPN, PSK, OCSP stapling). Each client is
    handed over once its handshake completed; one that fails it (or takes longer than
    ``handshake_timeout`` seconds) is logged on the ``qtls.aio`` logger and dropped.
    ``host`` None listens on every interface, a name on each address it resolves to; port 0
    picks a free port (``server.sockets[0].getsockname()[1]``). With ``encrypted=False`` the
    clients are handed over unencrypted and ``await writer.start_tls()`` runs the server
    handshake with ``configuration`` (STARTTLS). ``psk`` answers a client's pre-shared-key
    identity (given the QSslPreSharedKeyAuthenticator, it sets the key; the identity hint is
    the configuration's). Raises OSError when it cannot listen.
    """
    loop = asyncio.get_running_loop()
    if not isinstance(configuration, QSslConfiguration):
        raise TypeError("start_server() needs configuration=QSslConfiguration(...) with the "
                        "server's certificate and key")
    server = Server(loop, client_connected_cb, configuration, limit, psk)
    try:
        for address in await _addresses(loop, host, port):
            server._listen(address, port, backlog, encrypted, handshake_timeout)
    except BaseException:
        server.close()
        raise
    return server
