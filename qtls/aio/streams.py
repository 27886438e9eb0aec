"""open_connection and the writer: the stdlib's stream classes over a :class:`TlsTransport`.

The reader is a plain ``asyncio.StreamReader`` and the protocol the stdlib's
``StreamReaderProtocol``, so reading, EOF, the reader's limit and the writer's flow control are
the stdlib's own code; :class:`TlsStreamWriter` is an ``asyncio.StreamWriter`` whose
``start_tls`` upgrades the QSslSocket underneath (STARTTLS) and whose ``drain`` raises
ConnectionResetError once the connection is gone.
"""

from __future__ import annotations

import asyncio
import ssl
from typing import Any

from qtls.aio.handshake import HandshakeWaiter, IgnoreErrors, PskCallback
from qtls.aio.transport import TlsTransport
from qtls.ssl.sslsocket import QSslSocket
from qtls.ssl.values.configuration import QSslConfiguration

__all__ = ["TlsStreamWriter", "open_connection", "DEFAULT_LIMIT"]

#: The reader's default buffer limit, the stdlib's (``asyncio.streams._DEFAULT_LIMIT``).
DEFAULT_LIMIT = 2**16


class TlsStreamWriter(asyncio.StreamWriter):
    """An ``asyncio.StreamWriter`` over a QSslSocket.

    Everything ``asyncio.StreamWriter`` offers works as documented there: ``write``,
    ``writelines``, ``drain`` (back-pressure from the socket's queued plaintext and ciphertext,
    see ``transport.set_write_buffer_limits``), ``close``, ``wait_closed``, ``is_closing``,
    ``can_write_eof`` (False: TLS has no half-close) and ``get_extra_info``. Differences:
    ``drain()`` raises ConnectionResetError whenever the connection is gone (the stdlib's may
    return once, when the loss woke it), and :meth:`start_tls` takes a QSslConfiguration.
    """

    _transport: TlsTransport

    def __init__(self, transport: TlsTransport, protocol: asyncio.StreamReaderProtocol,
                 reader: asyncio.StreamReader, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(transport, protocol, reader, loop)

    def __repr__(self) -> str:
        return f"<TlsStreamWriter transport={self._transport!r}>"

    @property
    def qsslsocket(self) -> QSslSocket:
        """The QSslSocket underneath (also ``get_extra_info("qsslsocket")``)."""
        return self._transport._sock

    async def drain(self) -> None:
        """Wait until the write buffer is at or under the low-water mark.

        Raises ConnectionResetError when the connection is lost (peer gone, reset, closed).
        """
        if self._transport.is_lost():
            raise ConnectionResetError("Connection lost")
        await super().drain()
        if self._transport.is_lost():
            raise ConnectionResetError("Connection lost")

    async def start_tls(  # type: ignore[override,unused-ignore]
        self,
        configuration: QSslConfiguration | None = None,
        *,
        peer_verify_name: str | None = None,
        ignore_errors: IgnoreErrors = None,
        timeout: float | None = None,
        psk: PskCallback | None = None,
    ) -> None:
        """Upgrade a connection opened with ``encrypted=False`` to TLS (STARTTLS).

        A client runs the client handshake (``startClientEncryption()``), a connection accepted
        by ``start_server(..., encrypted=False)`` the server handshake with the server's
        configuration. ``configuration``, ``peer_verify_name``, ``ignore_errors`` and ``psk`` are
        those of :func:`open_connection`. Data already in the reader stays there; later data is
        decrypted. Raises TlsHandshakeError (the connection is then closed) or TimeoutError.
        """
        if isinstance(configuration, ssl.SSLContext):
            raise TypeError("qtls.aio start_tls() takes a QSslConfiguration, not an "
                            "ssl.SSLContext")
        transport = self._transport
        if transport.encrypted:
            raise RuntimeError("the connection is already encrypted")
        if transport.is_closing():
            raise ConnectionResetError("Connection lost")
        sock = transport._sock
        if configuration is not None:
            sock.setSslConfiguration(configuration)
        if peer_verify_name is not None:
            sock.setPeerVerifyName(peer_verify_name)
        peername = transport.get_extra_info("peername") or ("?", 0)
        waiter = HandshakeWaiter(sock, f"{peername[0]}:{peername[1]}", tls=True,
                                 ignore_errors=ignore_errors, psk=psk, tcp_connected=True)
        if transport.server_side:
            sock.startServerEncryption()
        else:
            sock.startClientEncryption()
        await waiter.wait(timeout)
        transport.mark_encrypted()


def make_streams(
    loop: asyncio.AbstractEventLoop, sock: QSslSocket, limit: int, *, server_side: bool = False,
    on_lost: Any = None,
) -> tuple[asyncio.StreamReader, TlsStreamWriter]:
    """A reader and a writer over a connected socket (internal: open_connection, start_server)."""
    reader = asyncio.StreamReader(limit=limit, loop=loop)
    protocol = asyncio.StreamReaderProtocol(reader, loop=loop)
    transport = TlsTransport(loop, sock, protocol, server_side=server_side, on_lost=on_lost)
    return reader, TlsStreamWriter(transport, protocol, reader, loop)


async def open_connection(
    host: str,
    port: int,
    *,
    configuration: QSslConfiguration | None = None,
    peer_verify_name: str | None = None,
    ignore_errors: IgnoreErrors = None,
    encrypted: bool = True,
    timeout: float | None = None,
    limit: int = DEFAULT_LIMIT,
    psk: PskCallback | None = None,
) -> tuple[asyncio.StreamReader, TlsStreamWriter]:
    """Connect to ``host``:``port``, run the TLS handshake, return ``(reader, writer)``.

    ``configuration`` is the QSslConfiguration of the socket (default:
    ``QSslConfiguration.defaultConfiguration()``: the system's CAs, TLS 1.2+, post-quantum
    hybrid key exchange first); ``peer_verify_name`` replaces ``host`` for SNI and the
    certificate's name check; ``ignore_errors`` is a list of QSslError to ignore (error and
    certificate must match) or a callable given the list that returns True to go on. With
    ``encrypted=False`` the connection stays plain until ``await writer.start_tls()``.
    ``timeout`` bounds connecting and the handshake together; ``limit`` is the reader's;
    ``psk`` answers the server's request for a pre-shared key (it is given the
    QSslPreSharedKeyAuthenticator, and sets the identity and the key).

    Raises ConnectionRefusedError, socket.gaierror (unresolvable name), TimeoutError,
    TlsHandshakeError (``.errors`` lists the verification errors; empty for other handshake
    failures) or another OSError, as ``asyncio.open_connection`` would; never hangs when
    ``timeout`` is given, and a failure is reported as soon as the socket reports it.
    """
    if isinstance(configuration, ssl.SSLContext):
        raise TypeError("qtls.aio takes a QSslConfiguration, not an ssl.SSLContext")
    loop = asyncio.get_running_loop()
    sock = QSslSocket()
    if configuration is not None:
        sock.setSslConfiguration(configuration)
    if peer_verify_name is not None:
        sock.setPeerVerifyName(peer_verify_name)
    waiter = HandshakeWaiter(sock, f"{host}:{port}", tls=encrypted, ignore_errors=ignore_errors,
                             psk=psk)
    if encrypted:
        sock.connectToHostEncrypted(host, port)
    else:
        sock.connectToHost(host, port)
    await waiter.wait(timeout)
    return make_streams(loop, sock, limit)
