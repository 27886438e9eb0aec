"""TlsTransport: an asyncio.Transport over a connected QSslSocket, through its public API only.

The stdlib's StreamReaderProtocol sits on top (so StreamReader and StreamWriter behave exactly as
the stdlib's, flow control included); this module is what a selector transport is to a socket:

* **Incoming.** ``readyRead`` → ``readAll()`` → ``protocol.data_received``. The
  socket's read buffer is capped (``setReadBufferSize(READ_BUFFER)``), so each delivery is at
  most about READ_BUFFER bytes, like a selector transport's ``recv(256 KiB)``: without the cap,
  qtls reads what the kernel holds (megabytes in a bulk transfer) into one chunk, and the
  StreamReader then copies and shifts megabytes per ``read(n)``. When the StreamReader holds
  more than twice its limit it calls :meth:`pause_reading`: deliveries stop, the socket's
  buffer fills up to the cap, qtls stops reading the kernel and TCP slows the peer down (Qt's
  back-pressure). :meth:`resume_reading` delivers what waited.
* **Outgoing.** ``write`` → ``QSslSocket.write``. The write buffer is the socket's queued
  plaintext plus its queued ciphertext (``bytesToWrite() + encryptedBytesToWrite()``): above the
  high-water mark the protocol is paused (``drain()`` waits), and ``bytesWritten`` /
  ``encryptedBytesWritten`` resume it once the buffer is at or under the low-water mark.
* **Closing.** ``disconnected`` (the peer's close_notify or FIN, a reset, our own close) hands
  the bytes still buffered to the protocol and then calls ``connection_lost(None)`` one loop
  iteration later, as asyncio's transports do: readers see the data and then EOF (``b""``),
  ``drain()`` raises ConnectionResetError. :meth:`close` is ``disconnectFromHost()`` (queued data
  and close_notify go out first), bounded by a shutdown timeout after which the connection is
  aborted, so ``wait_closed()`` never hangs on a peer that stopped reading.

The transport keeps itself alive (a module-level set) until the connection is lost, as the loop
keeps a selector transport alive while its socket is registered: a handler may drop its writer
without the connection vanishing under the peer.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from typing import Any

from qtls.network.hostaddress import QHostAddress
from qtls.network.socketenums import NetworkLayerProtocol, SocketState
from qtls.ssl.sslsocket import QSslSocket

__all__ = ["TlsTransport", "disconnect"]

logger = logging.getLogger("qtls.aio")

#: asyncio's defaults for a transport's write buffer (``set_write_buffer_limits``).
DEFAULT_HIGH_WATER = 64 * 1024
#: The socket's read buffer size: what one delivery carries at most (plus one TLS record), and
#: what qtls buffers for a reader that paused (asyncio's selector transports read 256 KiB).
READ_BUFFER = 256 * 1024
#: How long close() waits for queued data and close_notify before it aborts (asyncio's SSL
#: transports use 30 s, ``ssl_shutdown_timeout``).
SHUTDOWN_TIMEOUT = 30.0
# asyncio warns after this many writes to a lost connection (constants.LOG_THRESHOLD_FOR_...).
_WRITE_AFTER_LOSS_WARNING = 5

_UNCONNECTED = SocketState.UnconnectedState
_IPV6 = NetworkLayerProtocol.IPv6Protocol

# Open transports: the stand-in for the loop's registry of selector transports.
_live: set[TlsTransport] = set()


def _socket_address(address: QHostAddress, port: int) -> tuple[Any, ...] | None:
    """A socket module address: (host, port), or (host, port, flowinfo, scope_id) for IPv6."""
    if address.isNull():
        return None
    if address.protocol() is _IPV6:
        return (address.toString(), port, 0, 0)
    return (address.toString(), port)


def disconnect(connections: Iterable[tuple[Any, Any]]) -> None:
    """Cut (signal, connection) pairs made with ``signal.connect``; gone ones are skipped."""
    for signal, connection in connections:
        try:
            signal.disconnect(connection)
        except (TypeError, RuntimeError):
            pass  # already cut (a single-shot connection, or the socket was deleted)


def _or_none(value: Any) -> Any:
    return None if value is None or value.isNull() else value


class TlsTransport(asyncio.Transport):
    """An asyncio transport over one connected QSslSocket (encrypted, or plain until STARTTLS).

    ``get_extra_info`` answers ``peername``, ``sockname``, ``peercert`` (QSslCertificate),
    ``peercert_chain``, ``cipher`` (QSslCipher), ``protocol`` (QSsl.SslProtocol),
    ``alpn_protocol`` (str), ``ssl_errors`` (the QSslErrors ignored in the handshake) and
    ``qsslsocket`` (the socket itself). There is no half-close in Qt's sockets or in TLS:
    ``can_write_eof()`` is False and ``write_eof()`` raises NotImplementedError, as for asyncio's
    SSL transports.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, sock: QSslSocket,
                 protocol: asyncio.BaseProtocol, *, server_side: bool = False,
                 on_lost: Callable[[TlsTransport], None] | None = None) -> None:
        super().__init__()
        self._loop = loop
        self._sock = sock
        self._protocol: Any = protocol
        self._stream_protocol = type(protocol) is asyncio.StreamReaderProtocol
        self._server_side = server_side
        self._on_lost = on_lost
        self._tls = sock.isEncrypted()
        self._closing = False  # close() or abort() was called
        self._lost_scheduled = False  # connection_lost is on its way
        self._lost = False  # connection_lost was called
        self._reading_paused = False
        self._writing_paused = False
        self._high = DEFAULT_HIGH_WATER
        self._low = DEFAULT_HIGH_WATER // 4
        self._writes_after_loss = 0
        self._shutdown_timer: asyncio.TimerHandle | None = None
        # Read when first asked, or when the connection goes (asyncio's transports still
        # answer them afterwards); most connections are never asked.
        self._names: tuple[Any, Any] | None = None
        sock.setReadBufferSize(READ_BUFFER)
        _live.add(self)
        # Bound methods of a plain object are held weakly by the connections; _live holds us.
        # (Not cut when the connection is lost: the socket goes with the transport, and the
        # slots ignore what comes after the loss.)
        sock.readyRead.connect(self._on_ready_read)
        sock.disconnected.connect(self._on_disconnected)
        self._progress: list[tuple[Any, Any]] = []
        protocol.connection_made(self)
        # Bytes (and a close) that came between the handshake and this transport.
        self._on_ready_read()
        if sock.state() is _UNCONNECTED:
            self._schedule_connection_lost()

    def __repr__(self) -> str:
        state = "closed" if self._lost else "closing" if self._closing else "open"
        return f"<TlsTransport {state} peer={self._addresses()[0]} tls={self._tls}>"

    def _addresses(self) -> tuple[Any, Any]:
        """(peername, sockname), read once."""
        names = self._names
        if names is None:
            sock = self._sock
            names = self._names = (_socket_address(sock.peerAddress(), sock.peerPort()),
                                   _socket_address(sock.localAddress(), sock.localPort()))
        return names

    # ------------------------------------------------------------------------- incoming

    def _on_ready_read(self) -> None:
        if self._reading_paused or self._closing or self._lost_scheduled:
            return
        sock = self._sock
        if sock.bytesAvailable():
            # readAll() hands over the block qtls decrypted into, without a copy (read(n)
            # would join and copy it twice); the StreamReader copies it once into its buffer.
            # Another protocol gets bytes, as from any asyncio transport.
            data = sock.readAll()
            self._protocol.data_received(data if self._stream_protocol else bytes(data))

    def is_reading(self) -> bool:
        """True unless the reader paused reading (or the connection is closing)."""
        return not (self._reading_paused or self._closing or self._lost_scheduled)

    def pause_reading(self) -> None:
        """Stop delivering data; qtls buffers at most READ_BUFFER more, then TCP waits."""
        if self._reading_paused or self._lost_scheduled:
            return
        self._reading_paused = True

    def resume_reading(self) -> None:
        """Deliver what waited (reading it lets qtls read the network again)."""
        if not self._reading_paused or self._lost_scheduled:
            return
        self._reading_paused = False
        self._on_ready_read()

    # ------------------------------------------------------------------------- outgoing

    def _buffered(self) -> int:
        sock = self._sock
        # In unencrypted mode qtls reports the plain queue in both counters (Qt's
        # encryptedBytesToWrite() is 0 there): count it once.
        if self._tls:
            return sock.bytesToWrite() + sock.encryptedBytesToWrite()
        return sock.bytesToWrite()

    def write(self, data: bytes | bytearray | memoryview) -> None:
        """Queue ``data`` on the socket; pause the protocol above the high-water mark."""
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"data argument must be a bytes-like object, "
                            f"not {type(data).__name__!r}")
        if not data:
            return
        if self._closing or self._lost_scheduled:
            # asyncio drops writes to a closed transport and warns after a few.
            self._writes_after_loss += 1
            if self._writes_after_loss == _WRITE_AFTER_LOSS_WARNING:
                logger.warning("write() on a closed qtls.aio connection (data dropped)")
            return
        if type(data) is not bytes:
            data = bytes(data)  # the caller may reuse its buffer once write() returned
        sock = self._sock
        sock.write(data)
        # Encrypt and send now, as asyncio's transports do: QIODevice.write() alone only queues
        # the flush for the next loop iteration (Qt's semantics), a round trip of latency.
        sock.flush()
        if not self._writing_paused and self._buffered() > self._high:
            self._pause_writing()

    def _pause_writing(self) -> None:
        # The progress signals are listened to only while paused: a write costs no emission.
        self._writing_paused = True
        sock = self._sock
        self._progress = [
            (sock.bytesWritten, sock.bytesWritten.connect(self._on_written)),
            (sock.encryptedBytesWritten, sock.encryptedBytesWritten.connect(self._on_written)),
        ]
        self._protocol.pause_writing()

    def _on_written(self, _count: int) -> None:
        if self._writing_paused and self._buffered() <= self._low and not self._lost_scheduled:
            self._writing_paused = False
            disconnect(self._progress)
            self._progress = []
            self._protocol.resume_writing()

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        """High- and low-water marks of the write buffer, with asyncio's defaults and rules."""
        if high is None:
            high = 4 * low if low is not None else DEFAULT_HIGH_WATER
        if low is None:
            low = high // 4
        if not high >= low >= 0:
            raise ValueError(f"high ({high!r}) must be >= low ({low!r}) must be >= 0")
        self._high, self._low = high, low
        if self._writing_paused:
            self._on_written(0)
        elif self._buffered() > self._high and not self._lost_scheduled:
            self._pause_writing()

    def get_write_buffer_limits(self) -> tuple[int, int]:
        """(low, high), as asyncio's transports answer."""
        return self._low, self._high

    def get_write_buffer_size(self) -> int:
        """Plaintext and ciphertext queued in the socket, not yet handed to the kernel."""
        return 0 if self._lost else self._buffered()

    def can_write_eof(self) -> bool:
        """False: neither Qt's sockets nor TLS have a half-close."""
        return False

    def write_eof(self) -> None:
        """Not supported (see :meth:`can_write_eof`)."""
        raise NotImplementedError("a TLS connection cannot be half-closed; use close()")

    # ------------------------------------------------------------------------- closing

    def is_closing(self) -> bool:
        """True once close() or abort() was called or the connection was lost."""
        return self._closing or self._lost_scheduled

    def close(self) -> None:
        """Send what is queued, then close_notify, then close; ``connection_lost`` follows."""
        if self._closing or self._lost_scheduled:
            return
        self._closing = True
        self._addresses()  # (before the socket forgets them)
        self._sock.disconnectFromHost()
        if self._sock.state() is _UNCONNECTED:
            self._schedule_connection_lost()
        elif not self._lost_scheduled:
            self._shutdown_timer = self._loop.call_later(SHUTDOWN_TIMEOUT, self.abort)

    def abort(self) -> None:
        """Close at once, dropping queued data; ``connection_lost`` follows."""
        if self._lost_scheduled:
            return
        self._closing = True
        self._addresses()
        self._sock.abort()
        self._schedule_connection_lost()

    def _on_disconnected(self) -> None:
        if self._lost_scheduled:
            return
        if self._names is None and self._sock.peerPort():
            self._addresses()
        # The peer left (or we closed): what it sent before leaving still reaches the reader,
        # paused or not (at most READ_BUFFER).
        if not self._closing:
            self._reading_paused = False
            self._on_ready_read()
        self._schedule_connection_lost()

    def _schedule_connection_lost(self) -> None:
        if not self._lost_scheduled:
            self._lost_scheduled = True
            self._loop.call_soon(self._connection_lost)

    def _connection_lost(self) -> None:
        self._lost = True
        if self._shutdown_timer is not None:
            self._shutdown_timer.cancel()
            self._shutdown_timer = None
        disconnect(self._progress)
        self._progress = []
        _live.discard(self)
        try:
            self._protocol.connection_lost(None)
        finally:
            if self._on_lost is not None:
                self._on_lost(self)

    def is_lost(self) -> bool:
        """True once the connection is gone (``connection_lost`` was called or is scheduled)."""
        return self._lost_scheduled

    # ------------------------------------------------------------------------- STARTTLS

    def mark_encrypted(self) -> None:
        """Internal: the socket finished a STARTTLS handshake."""
        self._tls = True

    @property
    def server_side(self) -> bool:
        """True for a connection accepted by a server."""
        return self._server_side

    @property
    def encrypted(self) -> bool:
        """True once the connection is encrypted."""
        return self._tls

    # ------------------------------------------------------------------------- the rest

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        """Replace the protocol that receives the data."""
        self._protocol = protocol
        self._stream_protocol = type(protocol) is asyncio.StreamReaderProtocol

    def get_protocol(self) -> asyncio.BaseProtocol:
        """The protocol that receives the data."""
        return self._protocol  # type: ignore[no-any-return]

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        """Details of the connection (see the class docstring for the names)."""
        getter = _EXTRA.get(name)
        if getter is None:
            return default
        value = getter(self)
        return default if value is None else value


def _alpn(t: TlsTransport) -> str | None:
    if not t._tls:
        return None
    protocol = bytes(t._sock.sslConfiguration().nextNegotiatedProtocol())
    return protocol.decode("ascii", "replace") if protocol else None


def _chain(t: TlsTransport) -> list[Any] | None:
    return t._sock.peerCertificateChain() if t._tls else None


_EXTRA: dict[str, Callable[[TlsTransport], Any]] = {
    "peername": lambda t: t._addresses()[0],
    "sockname": lambda t: t._addresses()[1],
    "peercert": lambda t: _or_none(t._sock.peerCertificate()) if t._tls else None,
    "peercert_chain": _chain,
    "cipher": lambda t: _or_none(t._sock.sessionCipher()) if t._tls else None,
    "protocol": lambda t: t._sock.sessionProtocol() if t._tls else None,
    "alpn_protocol": _alpn,
    "ssl_errors": lambda t: t._sock.sslHandshakeErrors() if t._tls else None,
    "qsslsocket": lambda t: t._sock,
}
